package io.armsr.cli;

import io.armsr.infer.Grid;
import io.armsr.infer.Upscaler;
import picocli.CommandLine.Option;

/** Patch grid and batching options. */
final class GridOptions {
  @Option(
      names = "--grid",
      defaultValue = "full",
      description =
          "full (default): every pixel, exactly 4x, seamless; reference: the official grid that"
              + " drops the bottom/right remainder, for verification")
  String grid;

  @Option(
      names = "--margin",
      defaultValue = "" + Grid.DEFAULT_MARGIN,
      description =
          "LR context pixels around each patch in the full grid (default: ${DEFAULT-VALUE})")
  int margin;

  @Option(
      names = "--batch",
      defaultValue = "" + Upscaler.Options.DEFAULT_BATCH,
      description =
          "patches per forward pass (default: ${DEFAULT-VALUE}); the small images of a folder"
              + " share passes of up to 64, or of this many if more")
  int batch;

  @Option(
      names = "--precision",
      defaultValue = "fp32",
      description =
          "fp32 (default), bf16 (every convolution in bfloat16) or auto (bf16 only where it was"
              + " measured to cost under 0.005 dB, and only on a CPU with native bf16); the"
              + " reference grid is always fp32")
  String precision;

  /**
   * The engine options these flags ask for; the flags are checked by {@link
   * Upscaler.Options#fromFlags}, so that a bad value is reported by its flag name.
   *
   * @throws IllegalArgumentException naming the flag for a value out of range
   */
  Upscaler.Options options() {
    return Upscaler.Options.fromFlags(grid, margin, batch, precision);
  }
}

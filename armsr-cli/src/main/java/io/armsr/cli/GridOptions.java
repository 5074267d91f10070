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

  Upscaler.Options options() {
    return new Upscaler.Options(Grid.parse(grid), margin, batch);
  }
}

package io.armsr.cli;

import io.armsr.infer.ArmModel;
import io.armsr.model.Backbone;
import io.armsr.torch.CheckpointFormatException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options that choose a model: backbone, weights and lookup table. */
final class ModelOptions {

  @Option(
      names = "--backbone",
      defaultValue = "fsrcnn",
      description = "fsrcnn, carn or srresnet (default: ${DEFAULT-VALUE})")
  String backbone;

  @Option(
      names = "--weights",
      paramLabel = "F",
      description = "supernet weights: an armsr weights file or an official .pth")
  Path weights;

  @Option(
      names = "--lut",
      paramLabel = "F",
      description = "Edge-to-PSNR table: an armsr LUT file or an official .state")
  Path lut;

  ArmModel load() throws IOException {
    Backbone b = Backbone.parse(backbone);
    if (weights == null && lut == null) {
      return ArmModel.loadDefault(b);
    }
    if (weights == null || lut == null) {
      throw new IllegalArgumentException(
          "--weights and --lut go together (give both, or neither for the embedded default)");
    }
    requireFile(weights, "--weights");
    requireFile(lut, "--lut");
    return ArmModel.load(b, weights, lut);
  }

  /**
   * A missing weights or table file is a bad model (exit 4, README "Limits and errors"), reported
   * as {@code <file>: <problem>} like every other unreadable model file.
   */
  static void requireFile(Path p, String option) {
    if (Files.isDirectory(p)) {
      throw new CheckpointFormatException(p, "is a folder, not a file (" + option + ")");
    }
    if (!Files.isRegularFile(p)) {
      throw new CheckpointFormatException(p, "no such file (" + option + ")");
    }
  }
}

package io.armsr.cli;

import io.armsr.infer.ArmModel;
import io.armsr.infer.Calibrator;
import io.armsr.infer.DeviceProfile;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import io.armsr.route.TimeModel;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code armsr calibrate}: fits this machine's batch-aware time model (per image, per patch, and
 * per subnet per patch in a batch and per batch) to timed upscales on the path {@code upscale}
 * uses.
 */
@Command(
    name = "calibrate",
    mixinStandardHelpOptions = true,
    description =
        "Time upscales on this machine (warm, batched, streamed as upscale runs them, uniform and"
            + " mixed routings at three sizes), fit the time per image, per patch, per patch in a"
            + " batch and per batch of every subnet, and save a device profile for --budget-ms.")
final class CalibrateCommand implements Callable<Integer> {

  @Mixin ModelOptions model;

  @Mixin GridOptions grid;

  @Mixin ThreadOptions threads;

  @Option(
      names = "--out",
      paramLabel = "F",
      description = "where to save the profile (default: ~/.armsr/profile-<backbone>.json)")
  Path out;

  @Option(
      names = "--size",
      defaultValue = "512",
      description =
          "side of the largest synthetic LR test image in pixels; half and three quarters of it"
              + " are timed too (default: ${DEFAULT-VALUE})")
  int size;

  @Option(
      names = "--repeats",
      defaultValue = "5",
      description = "timed runs per routing; the median is kept (default: ${DEFAULT-VALUE})")
  int repeats;

  @Override
  public Integer call() throws IOException {
    int workers = threads.workers();
    if (size < 1 || size > 4096 || repeats < 1 || repeats > 1000) {
      throw new IllegalArgumentException("--size must be 1..4096 and --repeats 1..1000");
    }
    Path file = out != null ? out : DeviceProfile.defaultPath(Backbone.parse(model.backbone));
    DeviceProfile profile;
    try (ArmModel m = model.load()) {
      Upscaler upscaler = new Upscaler(m, grid.options().withWorkers(workers));
      profile = Calibrator.measure(upscaler, Batching.Path.STREAMING, size, repeats, workers);
    }
    profile.write(file);
    TimeModel time = profile.time();
    double[] inBatch = time.batchPatchMs();
    double[] perBatch = time.batchMs();
    StringBuilder sb = new StringBuilder();
    Backbone b = profile.backbone();
    for (int j = 0; j < inBatch.length; j++) {
      sb.append(j == 0 ? "; bicubic" : "; w" + b.width(j))
          .append(
              String.format(
                  Locale.ROOT, " %.3f ms/patch + %.3f ms/batch", inBatch[j], perBatch[j]));
    }
    System.out.println(
        String.format(Locale.ROOT, "%.3f ms/image + %.4f ms/patch", time.imageMs(), time.patchMs())
            + sb
            + String.format(
                Locale.ROOT,
                " (%d runs, rms error %.1f%%); wrote %s",
                profile.fitRuns(),
                100 * profile.fitError(),
                file));
    return 0;
  }
}

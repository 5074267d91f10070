package io.armsr.cli;

import io.armsr.infer.ArmModel;
import io.armsr.infer.Calibrator;
import io.armsr.infer.DeviceProfile;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code armsr calibrate}: measures this machine's time per patch of every subnet. */
@Command(
    name = "calibrate",
    mixinStandardHelpOptions = true,
    description =
        "Measure the time per patch of every subnet on this machine (warm, batched, as upscale"
            + " runs them) and save a device profile for --budget-ms.")
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
      defaultValue = "256",
      description = "side of the synthetic LR test image in pixels (default: ${DEFAULT-VALUE})")
  int size;

  @Option(
      names = "--repeats",
      defaultValue = "5",
      description = "timed runs per subnet; the median is kept (default: ${DEFAULT-VALUE})")
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
      int t = workers;
      profile =
          Calibrator.measure(
              new Upscaler(m, grid.options().withWorkers(workers)), size, repeats, t);
    }
    profile.write(file);
    double[] ms = profile.msPerPatch();
    StringBuilder sb = new StringBuilder();
    Backbone b = profile.backbone();
    for (int j = 0; j < ms.length; j++) {
      sb.append(j == 0 ? "bicubic" : ", w" + b.width(j))
          .append(String.format(Locale.ROOT, " %.3f ms", ms[j]));
    }
    System.out.println("per patch: " + sb + "; wrote " + file);
    return 0;
  }
}

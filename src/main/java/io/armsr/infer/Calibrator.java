package io.armsr.infer;

import io.armsr.image.Rgb8Image;
import io.armsr.route.RoutingMode;
import java.net.InetAddress;
import java.time.Instant;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Measures the wall time per patch of every subnet as {@link Upscaler} runs it: a synthetic image
 * of {@code rows x cols} patches is upscaled with each fixed subnet, after a warm-up, and the
 * median of several runs divided by the patch count is kept. Because the whole upscale is timed,
 * the per-patch share of extraction, edge scoring and stitching is included in every subnet's time,
 * so the predicted time of a routing is simply the sum over its patches.
 */
public final class Calibrator {
  private Calibrator() {}

  /**
   * @param upscaler the engine to measure, with the options the budgets will use
   * @param side LR side of the synthetic image in pixels (e.g. 256: 81 patches in the full grid)
   * @param repeats timed runs per subnet (the median is kept)
   * @param threads the libtorch thread count in force, for the record (0 = default)
   */
  public static DeviceProfile measure(Upscaler upscaler, int side, int repeats, int threads) {
    if (side < 1 || repeats < 1) {
      throw new IllegalArgumentException("side and repeats must be positive");
    }
    byte[] px = new byte[side * side * 3];
    new SplittableRandom(1).nextBytes(px);
    Rgb8Image image = new Rgb8Image(side, side, px);
    int patches = PatchGrid.of(upscaler.options().grid(), side, side).size();
    double[] ms = new double[io.armsr.model.Backbone.SUBNETS];
    for (int j = 0; j < ms.length; j++) {
      RoutingMode mode = new RoutingMode.Fixed(j);
      upscaler.upscale(image, mode); // warm-up: allocator, kernels, resize matrices
      double[] runs = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        long t0 = System.nanoTime();
        upscaler.upscale(image, mode);
        runs[r] = (System.nanoTime() - t0) / 1e6;
      }
      Arrays.sort(runs);
      ms[j] = runs[repeats / 2] / patches;
    }
    Upscaler.Options o = upscaler.options();
    return new DeviceProfile(
        upscaler.model().backbone(),
        o.grid().id(),
        o.effectiveMargin(),
        o.batchSize(),
        threads,
        ms,
        Instant.now().toString(),
        hostName() + ", " + Runtime.getRuntime().availableProcessors() + " cores");
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown host";
    }
  }
}

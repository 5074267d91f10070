package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import io.armsr.image.ImageMetrics;
import io.armsr.image.MatlabResize;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.model.Backbone;
import io.armsr.model.EngineThreads;
import io.armsr.route.Batching;
import io.armsr.route.RoutingMode;
import io.armsr.route.TimeModel;
import io.armsr.testing.Shared;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The any-time timing acceptance, opt-in because it measures wall time: run on an otherwise idle
 * machine with {@code mvn test -Dtest=AnytimeAcceptanceTest -Darmsr.acceptance=true}. Uses the
 * embedded default model when the build has one, else the official FSRCNN files in ../shared.
 *
 * <ul>
 *   <li>{@code --budget-ms}: after calibration, the measured time of each upscale stays within 20%
 *       of the target, for targets between the bicubic-only time and that of the best routing (past
 *       which nothing is worth buying), on ten LR images of at least 500x500 pixels made from
 *       RealSR_GT (MATLAB-style bicubic x1/2, centre 512x512 crop).
 *   <li>deadline: 20 runs per deadline on one large image return, in median, within deadline + 50
 *       ms, and the PSNR does not fall as the deadline grows.
 * </ul>
 */
class AnytimeAcceptanceTest {

  private static ArmModel model() throws Exception {
    if (ArmModel.hasDefault(Backbone.FSRCNN)) {
      return ArmModel.loadDefault(Backbone.FSRCNN);
    }
    return ArmModel.load(
        Backbone.FSRCNN,
        Shared.require("reference/arm-net/arm-fsrcnn.pth"),
        Shared.require("reference/arm-net/arm-fsrcnn.state"));
  }

  private static List<Path> realSr() throws Exception {
    Path dir = Shared.require("data/train/RealSR_GT");
    try (Stream<Path> s = Files.list(dir)) {
      return s.filter(p -> p.toString().endsWith(".png")).sorted().limit(10).toList();
    }
  }

  private static Rgb8Image centre(Rgb8Image img, int side) {
    int w = Math.min(side, img.width());
    int h = Math.min(side, img.height());
    return img.crop((img.width() - w) / 2, (img.height() - h) / 2, w, h);
  }

  /** The engine as the CLI runs it: a worker per core, one libtorch thread each. */
  private static final int WORKERS = Runtime.getRuntime().availableProcessors();

  private static Upscaler engine(ArmModel m) {
    EngineThreads.set(1); // the calling thread only stitches, as in the CLI
    return new Upscaler(m, Upscaler.Options.defaults().withWorkers(WORKERS));
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  @Test
  void budgetMsKeepsWallTimeWithinTwentyPercent() throws Exception {
    assumeTrue(Boolean.getBoolean("armsr.acceptance"), "opt-in: -Darmsr.acceptance=true");
    List<Rgb8Image> images = new ArrayList<>();
    for (Path p : realSr()) {
      images.add(centre(MatlabResize.resize(ImageFiles.read(p), 0.5), 512));
    }
    try (ArmModel m = model()) {
      Upscaler up = engine(m);
      // Untimed passes over the images first (JIT, libtorch's kernels for the partial batch sizes
      // of these sizes), as bench does before it times, so that calibration and the timed runs
      // both see a warm engine.
      for (int pass = 0; pass < 2; pass++) {
        for (Rgb8Image lr : images) {
          up.upscale(lr, List.of(new RoutingMode.Best(), new RoutingMode.Tradeoff(1.5)));
        }
      }
      DeviceProfile profile = Calibrator.measure(up, Batching.Path.WHOLE, 512, 5, WORKERS);
      TimeModel time = profile.time();
      int worstCount = 0;
      double worst = 0;
      for (Rgb8Image lr : images) {
        PatchGrid grid = PatchGrid.full(lr.width(), lr.height());
        Batching batching = up.batching(grid, Batching.Path.WHOLE);
        double low = time.predictedMs(new int[grid.size()], batching);
        up.upscale(lr, new RoutingMode.TimeBudget(2 * low, time));
      }
      for (Rgb8Image lr : images) {
        PatchGrid grid = PatchGrid.full(lr.width(), lr.height());
        Batching batching = up.batching(grid, Batching.Path.WHOLE);
        double low = time.predictedMs(new int[grid.size()], batching);
        // Up to the time of the best routing: beyond it the knapsack has nothing worth buying and
        // rightly leaves the rest of the budget unspent.
        double high = time.predictedMs(up.upscale(lr, new RoutingMode.Best()).subnets(), batching);
        for (double f : new double[] {0.15, 0.35, 0.55, 0.75, 0.95}) {
          double target = low + f * (high - low);
          RoutingMode.TimeBudget mode = new RoutingMode.TimeBudget(target, time);
          // Two untimed runs warm this size and routing (a new image size brings partial batches
          // of new sizes, whose kernels libtorch builds on first use).
          up.upscale(lr, mode);
          double predicted = time.predictedMs(up.upscale(lr, mode).subnets(), batching);
          double[] runs = new double[3];
          for (int r = 0; r < runs.length; r++) {
            long t0 = System.nanoTime();
            up.upscale(lr, mode);
            runs[r] = (System.nanoTime() - t0) / 1e6;
          }
          double ratio = median(runs) / target;
          worst = Math.max(worst, Math.abs(ratio - 1));
          worstCount += Math.abs(ratio - 1) > 0.2 ? 1 : 0;
          System.out.printf(
              "budget-ms %8.1f on %dx%d: predicted %8.1f, measured %8.1f ms (%.2fx)%n",
              target, lr.width(), lr.height(), predicted, median(runs), ratio);
        }
      }
      System.out.printf(
          "profile: %.3f ms/image, %.4f ms/patch, in batch %s ms/patch, %s ms/batch; fit over %d"
              + " runs, rms error %.1f%%%n",
          time.imageMs(),
          time.patchMs(),
          Arrays.toString(time.batchPatchMs()),
          Arrays.toString(time.batchMs()),
          profile.fitRuns(),
          100 * profile.fitError());
      System.out.printf("worst deviation from the target: %.1f%%%n", 100 * worst);
      assertTrue(worstCount == 0, worstCount + " runs off by more than 20%");
    }
  }

  @Test
  void deadlinesAreMetAndMoreTimeNeverLowersPsnr() throws Exception {
    assumeTrue(Boolean.getBoolean("armsr.acceptance"), "opt-in: -Darmsr.acceptance=true");
    Rgb8Image hrFull = ImageFiles.read(realSr().get(0));
    Rgb8Image hr = centre(hrFull, 2048);
    hr = hr.crop(0, 0, hr.width() / 4 * 4, hr.height() / 4 * 4);
    Rgb8Image lr = MatlabResize.resize(hr, 0.25);
    try (ArmModel m = model()) {
      Upscaler up = engine(m);
      ProgressiveUpscaler pu = new ProgressiveUpscaler(up);
      RoutingMode target = new RoutingMode.Best();
      long f0 = System.nanoTime();
      pu.upscale(lr, target, ProgressiveUpscaler.Stop.never(), null);
      double fullMs = (System.nanoTime() - f0) / 1e6;
      double previous = Double.NEGATIVE_INFINITY;
      for (double deadline = 100; ; deadline = Math.min(fullMs * 1.2, deadline * 2)) {
        double[] times = new double[20];
        double psnr = 0;
        for (int r = 0; r < times.length; r++) {
          long t0 = System.nanoTime();
          UpscaleResult res =
              pu.upscale(lr, target, ProgressiveUpscaler.Stop.deadline(deadline), null);
          times[r] = (System.nanoTime() - t0) / 1e6;
          psnr = ImageMetrics.psnrY(res.image(), hr, 4);
        }
        System.out.printf(
            "deadline %8.1f ms: median return %8.1f ms, PSNR-Y %.3f dB%n",
            deadline, median(times), psnr);
        assertTrue(median(times) <= deadline + 50, "deadline " + deadline + " missed");
        assertTrue(psnr >= previous - 1e-3, "PSNR fell at deadline " + deadline);
        previous = psnr;
        if (deadline >= fullMs * 1.2) {
          break;
        }
      }
    }
  }
}

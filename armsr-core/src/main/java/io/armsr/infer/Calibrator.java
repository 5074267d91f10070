package io.armsr.infer;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.lut.PsnrTable;
import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import io.armsr.route.BudgetRouter;
import io.armsr.route.RoutingMode;
import io.armsr.route.TimeModel;
import java.net.InetAddress;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;

/**
 * Fits this machine's {@link TimeModel} to timed upscales as {@link Upscaler} runs them. Synthetic
 * noise images of three sizes (half, three quarters and all of {@code side}) are upscaled, warm,
 * with every uniform routing and {@value #MIXTURES} random mixtures of subnets that fragment the
 * batches differently (one subnet with 10%, 30% or 60% of the patches elsewhere), the median of
 * several runs kept, after a warm-up of {@value #WARM_UP_MS} ms. The cost of scoring and LUT
 * prediction, the same for every subnet, is timed on its own as the per-patch term (it cannot be
 * told apart from the per-patch time of the subnets in whole upscales, since every patch runs on
 * exactly one); the other coefficients are fitted to the rest by non-negative least squares ({@link
 * Nnls}) on relative errors, as {@code --budget-ms} is judged by its relative error.
 *
 * <p>A {@code --budget-ms} upscale also routes itself ({@link RoutingMode.TimeBudget}: a knapsack,
 * re-solved while partial batches leave it over the target), which the timed routings above, given
 * in advance, do not. That time is measured on its own once the model is fitted, on predictions
 * spread over the table's edge scores at targets a quarter, half and three quarters of the way from
 * the fastest routing to full width, and added to the per-patch term; on 512x512 images it is a few
 * percent of the lowest targets' time.
 */
public final class Calibrator {
  /** Random mixtures timed per image size, beside the uniform routings. */
  static final int MIXTURES = 6;

  /** Milliseconds of untimed runs before the first timing. */
  static final long WARM_UP_MS = 2000;

  /** Where between the fastest routing and full width the routing time is measured. */
  static final double[] ROUTING_TARGETS = {0.25, 0.5, 0.75};

  private Calibrator() {}

  /**
   * One timed upscale.
   *
   * @param patches patches run on each subnet
   * @param batches forward passes of each subnet
   * @param ms the measured (median) milliseconds
   */
  record Timing(int[] patches, int[] batches, double ms) {
    /** The timing of an upscale routed {@code subnets} and run by {@code batching}. */
    static Timing of(int[] subnets, Batching batching, double ms) {
      int[] count = new int[Backbone.SUBNETS];
      for (int s : subnets) {
        count[s]++;
      }
      return new Timing(count, batching.batchesPerSubnet(subnets, Backbone.SUBNETS), ms);
    }

    int total() {
      return Arrays.stream(patches).sum();
    }
  }

  /**
   * Measures and fits.
   *
   * @param upscaler the engine to measure, with the options the budgets will use
   * @param path the engine path to time: {@code STREAMING} for the CLI's {@code upscale}
   * @param side LR side of the largest synthetic image in pixels (e.g. 256: 81 patches in the full
   *     grid)
   * @param repeats timed runs per routing (the median is kept)
   * @param threads the libtorch thread count in force, for the record (0 = default)
   */
  public static DeviceProfile measure(
      Upscaler upscaler, Batching.Path path, int side, int repeats, int threads) {
    if (side < 1 || repeats < 1) {
      throw new IllegalArgumentException("side and repeats must be positive");
    }
    Upscaler.Options o = upscaler.options();
    SplittableRandom random = new SplittableRandom(1);
    List<Timing> timings = new ArrayList<>();
    List<PatchGrid> grids = new ArrayList<>();
    double scoreMs = 0;
    int scored = 0;
    for (int size : sizes(side)) {
      byte[] px = new byte[size * size * 3];
      random.nextBytes(px);
      Rgb8Image image = new Rgb8Image(size, size, px);
      PatchGrid grid = PatchGrid.of(o.grid(), size, size);
      grids.add(grid);
      Batching batching = upscaler.batching(grid, path);
      List<int[]> routings = routings(grid.size(), random);
      // Warm-up: allocator, JIT, libtorch's per-thread kernel caches, resize matrices. A cold
      // engine runs up to 1.4x slower for its first second or two, which would inflate every
      // coefficient; so the first size is run round-robin for WARM_UP_MS before any timing.
      long warmUntil = System.nanoTime() + (timings.isEmpty() ? WARM_UP_MS * 1_000_000L : 0);
      int w = 0;
      do {
        run(upscaler, path, image, routings.get(w++ % routings.size()));
      } while (w < routings.size() || System.nanoTime() < warmUntil);
      double[] scoring = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        long t0 = System.nanoTime();
        PatchScores.of(image, grid, upscaler.model().table());
        scoring[r] = (System.nanoTime() - t0) / 1e6;
      }
      scoreMs += median(scoring);
      scored += grid.size();
      // Each routing's repeats back to back, as a caller upscaling images of one kind runs them
      // (interleaving the routings measured 5-10% slower than such runs; docs/BENCHMARKS.md).
      double[][] runs = new double[routings.size()][repeats];
      for (int i = 0; i < routings.size(); i++) {
        for (int r = 0; r < repeats; r++) {
          long t0 = System.nanoTime();
          run(upscaler, path, image, routings.get(i));
          runs[i][r] = (System.nanoTime() - t0) / 1e6;
        }
      }
      for (int i = 0; i < routings.size(); i++) {
        timings.add(Timing.of(routings.get(i), batching, median(runs[i])));
      }
    }
    TimeModel fitted = fit(path, o.batchSize(), scoreMs / scored, timings);
    double routeMs = 0;
    int routed = 0;
    for (PatchGrid grid : grids) {
      routeMs +=
          routingMs(
              fitted,
              upscaler.model().table(),
              grid,
              upscaler.batching(grid, path),
              repeats,
              random);
      routed += grid.size();
    }
    TimeModel model = withRouting(fitted, routeMs / routed);
    return new DeviceProfile(
        upscaler.model().backbone(),
        o.grid().id(),
        o.effectiveMargin(),
        o.effectivePrecision().id(),
        upscaler.windows().id(),
        threads,
        model,
        timings.size(),
        // Against the timed routings, which did not route themselves.
        rmsRelativeError(fitted, timings),
        Instant.now().toString(),
        hostName() + ", " + Runtime.getRuntime().availableProcessors() + " cores",
        DeviceProfile.VERSION);
  }

  /**
   * Median milliseconds a time budget takes to route an image of {@code grid} (mean over {@link
   * #ROUTING_TARGETS}), each patch's predictions those of a random edge score within the table's
   * range, routed with the fitted {@code model}.
   */
  static double routingMs(
      TimeModel model,
      PsnrTable table,
      PatchGrid grid,
      Batching batching,
      int repeats,
      SplittableRandom random) {
    int n = grid.size();
    double[] centres = table.binCentres()[table.subnets() - 1];
    double lo = centres[0];
    double hi = centres[centres.length - 1];
    double[][] predicted = new double[n][];
    for (int p = 0; p < n; p++) {
      predicted[p] = table.predict(lo + (hi - lo) * random.nextDouble());
    }
    double fastest = model.uniformMs(n, model.fastestUniform(n, batching), batching);
    double full = model.uniformMs(n, Backbone.SUBNETS - 1, batching);
    double sum = 0;
    for (double f : ROUTING_TARGETS) {
      RoutingMode.TimeBudget mode =
          new RoutingMode.TimeBudget(fastest + f * (full - fastest), model);
      // Untimed first: the JIT has not seen the router before.
      for (int r = 0; r < repeats; r++) {
        mode.route(predicted, table.costs(), batching);
      }
      double[] runs = new double[repeats];
      for (int r = 0; r < repeats; r++) {
        long t0 = System.nanoTime();
        mode.route(predicted, table.costs(), batching);
        runs[r] = (System.nanoTime() - t0) / 1e6;
      }
      sum += median(runs);
    }
    return sum / ROUTING_TARGETS.length;
  }

  /** {@code model} with {@code routeMsPerPatch} added to its per-patch term. */
  static TimeModel withRouting(TimeModel model, double routeMsPerPatch) {
    return new TimeModel(
        model.path(),
        model.batchSize(),
        model.imageMs(),
        model.patchMs() + routeMsPerPatch,
        model.batchPatchMs(),
        model.batchMs());
  }

  /** The image sides timed: half, three quarters and all of {@code side}, none below a patch. */
  static int[] sizes(int side) {
    TreeSet<Integer> out = new TreeSet<>();
    for (int s : new int[] {side / 2, side * 3 / 4, side}) {
      out.add(Math.min(side, Math.max(Grid.PATCH, s)));
    }
    return out.stream().mapToInt(Integer::intValue).toArray();
  }

  /**
   * The routings timed on an image of {@code patches} patches: every uniform one (subnet order),
   * then {@value #MIXTURES} mixtures, each one subnet with a share of the patches moved to random
   * subnets.
   */
  static List<int[]> routings(int patches, SplittableRandom random) {
    List<int[]> out = new ArrayList<>();
    for (int j = 0; j < Backbone.SUBNETS; j++) {
      out.add(BudgetRouter.uniform(patches, j));
    }
    double[] moved = {0.1, 0.3, 0.6};
    for (int i = 0; i < MIXTURES; i++) {
      int[] mix = new int[patches];
      for (int p = 0; p < patches; p++) {
        mix[p] =
            random.nextDouble() < moved[i * moved.length / MIXTURES]
                ? random.nextInt(Backbone.SUBNETS)
                : i % Backbone.SUBNETS;
      }
      out.add(mix);
    }
    return out;
  }

  /** One upscale of {@code image} routed {@code routing}, by the engine path timed. */
  private static void run(Upscaler upscaler, Batching.Path path, Rgb8Image image, int[] routing) {
    RoutingMode mode = new RoutingMode.Given(routing);
    if (path == Batching.Path.WHOLE) {
      upscaler.upscale(image, mode);
    } else {
      // As the CLI's upscale: float input, streamed rows into the output image's samples.
      DecodedImage source = DecodedImage.of(image);
      PatchGrid grid = PatchGrid.of(upscaler.options().grid(), image.width(), image.height());
      UpscaledImageBuilder builder = new UpscaledImageBuilder(source, grid);
      upscaler.upscaleStreaming(image, source.toPlanar(), mode, builder);
      builder.build();
    }
  }

  /**
   * Fits the time model: the per-patch term is given ({@code patchMs}); the fixed ms per image, per
   * subnet the ms per patch in a batch, and one ms per batch shared by all subnets (the fixed cost
   * of a forward call: with a cost per subnet, the per-patch and per-batch terms of one subnet are
   * nearly collinear, since most of its batches are full, and the fit split them differently from
   * run to run) are the non-negative least-squares solution over the timings, each weighted by its
   * inverse time (relative error).
   */
  static TimeModel fit(Batching.Path path, int batchSize, double patchMs, List<Timing> timings) {
    int s = Backbone.SUBNETS;
    double[][] a = new double[timings.size()][2 + s];
    double[] b = new double[timings.size()];
    for (int i = 0; i < a.length; i++) {
      Timing t = timings.get(i);
      double weight = 1 / Math.max(t.ms(), 1e-6);
      a[i][0] = weight;
      int batches = 0;
      for (int j = 0; j < s; j++) {
        a[i][1 + j] = t.patches()[j] * weight;
        batches += t.batches()[j];
      }
      a[i][1 + s] = batches * weight;
      b[i] = (t.ms() - patchMs * t.total()) * weight;
    }
    double[] x = Nnls.solve(a, b);
    double[] perBatch = new double[s];
    Arrays.fill(perBatch, x[1 + s]);
    return new TimeModel(path, batchSize, x[0], patchMs, Arrays.copyOfRange(x, 1, 1 + s), perBatch);
  }

  /** Root-mean-square of {@code (predicted - measured) / measured} over the timings. */
  static double rmsRelativeError(TimeModel model, List<Timing> timings) {
    double sum = 0;
    for (Timing t : timings) {
      double predicted = model.fixedMs(t.total());
      for (int j = 0; j < Backbone.SUBNETS; j++) {
        predicted += t.patches()[j] * model.batchPatchMs()[j] + t.batches()[j] * model.batchMs()[j];
      }
      double e = (predicted - t.ms()) / t.ms();
      sum += e * e;
    }
    return Math.sqrt(sum / timings.size());
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    Arrays.sort(c);
    return c[c.length / 2];
  }

  private static String hostName() {
    try {
      return InetAddress.getLocalHost().getHostName();
    } catch (java.io.IOException e) {
      return "unknown host";
    }
  }
}

package io.armsr.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.infer.ArmModel;
import io.armsr.infer.OrderedWorkers;
import io.armsr.infer.PatchGrid;
import io.armsr.infer.UpscaleResult;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.model.EngineThreads;
import io.armsr.route.RoutingMode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CyclicBarrier;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * {@code armsr bench}: throughput of the engine against a baseline measured in the same run (issue
 * 4). Over a folder of LR images, each pass reads every image and upscales it (scoring, routing,
 * batched forward passes, stitching, rounding); writing outputs is left out, since encoding a PNG
 * costs more than the network and is the same for both. Only reading and upscaling are timed.
 *
 * <ul>
 *   <li>end to end: the engine as {@code upscale} runs a folder: pre-sliced weights, {@code
 *       workers} groups of {@link Upscaler#JOINT_IMAGES} images at a time, each group on a thread
 *       driving libtorch with one intra-op thread, its small images' patches batched together by
 *       subnet ({@link Upscaler#upscaleJoint}, batches of up to {@link
 *       io.armsr.model.Backbone#jointBatch}); also one image at a time with its batches spread over
 *       the workers while the calling thread stitches (how a single image runs);
 *   <li>baseline: {@link Upscaler#officialWay}, the release's way of working: one patch at a time,
 *       weights sliced on every call, over the same grid, so the images are the same; one thread,
 *       timed with libtorch using {@code workers} intra-op threads (as the release's PyTorch
 *       process uses every core) and with one, the faster setting counting;
 *   <li>raw forward: batches of 64 random patch windows of the grid's size through each subnet, no
 *       I/O, no scoring, no stitching: the engine's ceiling, measured both ways the cores can be
 *       used ({@code workers} threads of one intra-op thread each, and one thread of {@code
 *       workers} intra-op threads); the better of the two is the ceiling. The subnet the mode uses
 *       most is timed the first way after every timed end-to-end pass (the median counts), so that
 *       the end-to-end rate and the ceiling it is compared with are measured side by side.
 * </ul>
 */
public final class Bench {

  /**
   * Rates of the timed passes over the folder.
   *
   * @param seconds the median pass
   * @param passSeconds every timed pass, in order
   * @param residentKb the process's resident memory after each timed pass, in kB (Linux {@code
   *     VmRSS}; -1 where the platform does not say): flat when the engine's native memory does not
   *     grow with the work done
   */
  public record Rates(
      double seconds,
      double patchesPerSecond,
      double imagesPerSecond,
      double megapixelsPerSecond,
      double[] passSeconds,
      long[] residentKb) {}

  /**
   * @param endToEnd the engine as {@code upscale} runs a folder: groups of images on the workers
   * @param oneImageAtATime the engine as {@code upscale} runs one image: its batches on the workers
   * @param baselineThreads the libtorch thread count of the faster baseline setting
   * @param baseline the release's way of working
   * @param workers threads (cores) used by each
   * @param rawBatch the batch of the raw rates ({@link Backbone#jointBatch})
   * @param rawParallel patches per second of subnet j at batch {@code rawBatch}, {@code workers}
   *     threads of one intra-op thread, no I/O, for j = 0..3
   * @param rawIntraOp the same on one thread with {@code workers} intra-op threads
   * @param rawForwardOfMode the better raw rate of the subnet the mode uses most
   * @param speedup end-to-end images/s over the baseline's
   * @param maxAbsDiff largest difference between the two paths' canvases before rounding, on the
   *     [0, 1] scale
   * @param windows what the engine's shared windows save, measured in the same passes as {@code
   *     endToEnd}
   */
  public record Result(
      String backbone,
      String mode,
      int images,
      int patches,
      int workers,
      Rates endToEnd,
      Rates oneImageAtATime,
      Rates baseline,
      int baselineThreads,
      int rawBatch,
      double[] rawParallel,
      double[] rawIntraOp,
      double rawForwardOfMode,
      double speedup,
      double maxAbsDiff,
      double sgemmGflops,
      int mostUsedSubnet,
      Windows windows) {

    /**
     * The patches per second this machine could reach if every true multiply-add of the most used
     * subnet ({@link Backbone#multiplyAdds}, on the 32x32 patch itself) ran at its fp32 sgemm rate
     * on the same workers: the ceiling against which {@link #rawForwardOfMode} and the end-to-end
     * rate are shares. 0 for the bicubic branch.
     */
    public double sgemmLimit(Backbone backbone) {
      long macs = backbone.multiplyAdds(mostUsedSubnet);
      return macs == 0 ? 0 : sgemmGflops * 1e9 / (2.0 * macs);
    }

    /** The better of the two raw rates, by subnet. */
    public double[] rawForward() {
      double[] best = new double[rawParallel.length];
      for (int j = 0; j < best.length; j++) {
        best[j] = Math.max(rawParallel[j], rawIntraOp[j]);
      }
      return best;
    }
  }

  /**
   * The engine's shared windows ({@link io.armsr.route.Batching.Windows}) against every patch on
   * its own window, on the same folder in the same timed passes (each pass runs both, one after the
   * other).
   *
   * @param shape the engine's windows, {@code ROWSxCOLS} patches
   * @param pixelsPerPatch LR pixels the networks run on per patch they upscale, margins included,
   *     with the engine's windows (the bicubic branch not counted)
   * @param pixelsPerPatchAlone the same with each patch on its own window: {@code (32 + 2m)^2}
   * @param alone the end-to-end rates with each patch on its own window
   * @param speedup the median over the passes of the ratio of the two passes' times
   */
  public record Windows(
      String shape,
      double pixelsPerPatch,
      double pixelsPerPatchAlone,
      Rates alone,
      double speedup) {}

  private Bench() {}

  /**
   * Runs the benchmark: for each path untimed passes over the folder for {@code warmUpSeconds} (at
   * least one), then {@code passes} timed passes, of which the median counts. The warm-up is by
   * time, not by passes: for the first seconds of a JVM the JIT compiler shares the cores with the
   * work and libtorch fills its per-thread kernel caches, which made a small folder's end-to-end
   * passes up to 1.2x slower with one untimed pass than in steady state (docs/BENCHMARKS.md).
   *
   * @param options the engine's options; {@code workers} is the number of cores both paths use
   * @param files LR images
   * @param compareLimit how many images' canvases to keep for the equality check (memory)
   * @param rawRepeats batches of 64 per subnet for the raw forward rates
   * @param warmUpSeconds least time of untimed passes before each path's timed ones
   */
  public static Result run(
      ArmModel model,
      Upscaler.Options options,
      RoutingMode mode,
      List<Path> files,
      int compareLimit,
      int rawRepeats,
      int passes,
      double warmUpSeconds)
      throws IOException {
    if (passes < 1) {
      throw new IllegalArgumentException("passes must be positive, got " + passes);
    }
    int cores = options.workers();
    ExecutorService rawPool =
        Executors.newFixedThreadPool(
            cores,
            task -> {
              Thread t = new Thread(task, "armsr-bench-raw");
              t.setDaemon(true);
              return t;
            });
    Upscaler engine = new Upscaler(model, options);
    Upscaler perImage = new Upscaler(model, options.withWorkers(1));
    Upscaler perImageAlone =
        new Upscaler(model, options.withWorkers(1), io.armsr.route.Batching.Windows.NONE);
    Upscaler baseline = Upscaler.officialWay(model, options);
    int ownThreads = EngineThreads.get();
    List<Integer> order = new ArrayList<>();
    for (int i = 0; i < files.size(); i++) {
      order.add(i);
    }

    Rgb8Image one = read(files.get(0));
    PatchGrid grid = PatchGrid.of(options.grid(), one.width(), one.height());
    int ph = grid.patchHeight();
    int pw = grid.patchWidth();

    // The folder way, as `upscale` runs a folder: groups of images on the workers, each on one
    // core, the small images of a group upscaled together, results in order. After each timed
    // pass, the raw rate of the subnet the mode uses most is timed too, so that the two rates
    // whose ratio is reported see the machine in the same state (on a noisy machine a single
    // raw measurement taken a minute later moved by +-9% from run to run).
    List<List<Integer>> groups = new ArrayList<>();
    for (int from = 0; from < files.size(); from += Upscaler.JOINT_IMAGES) {
      groups.add(order.subList(from, Math.min(files.size(), from + Upscaler.JOINT_IMAGES)));
    }
    OrderedWorkers workers = new OrderedWorkers(cores);
    double[] pairedRaw = new double[passes];
    List<float[]> kept = new ArrayList<>();
    int[] counts = new int[Backbone.SUBNETS];
    long[] patches = {0};
    double[] megapixels = {0};
    // LR pixels the networks run on, with shared windows and alone, and the patches they upscale.
    long[] networkPixels = {0, 0, 0};
    double[] aloneSeconds = new double[passes];
    Passes folderSeconds =
        timedPasses(
            passes,
            warmUpSeconds,
            pass -> {
              boolean record = pass == 0;
              long t0 = System.nanoTime();
              workers.run(
                  groups,
                  group -> upscaleGroup(perImage, files, group, mode),
                  (group, results) -> {
                    for (int k = 0; k < group.size(); k++) {
                      UpscaleResult r = results.get(k);
                      if (record) {
                        patches[0] += r.grid().size();
                        megapixels[0] += r.canvas().width() * (double) r.canvas().height() / 1e6;
                        int[] c = r.classes();
                        for (int j = 0; j < c.length; j++) {
                          counts[j] += c[j];
                        }
                        if (group.get(k) < compareLimit) {
                          kept.add(r.canvas().data());
                        }
                        networkPixels[0] += perImage.networkPixels(r.grid(), r.subnets());
                        networkPixels[1] += perImageAlone.networkPixels(r.grid(), r.subnets());
                        networkPixels[2] += r.grid().size() - r.classes()[0];
                      }
                    }
                  });
              double seconds = (System.nanoTime() - t0) / 1e9;
              if (pass >= 0) {
                if (engine.windows().shares()) {
                  // The same pass with every patch on its own window, right after, for the ratio.
                  long a0 = System.nanoTime();
                  workers.run(
                      groups,
                      group -> upscaleGroup(perImageAlone, files, group, mode),
                      (g, r) -> {});
                  aloneSeconds[pass] = (System.nanoTime() - a0) / 1e9;
                }
                pairedRaw[pass] =
                    rawParallel(engine, mostUsed(counts), ph, pw, rawRepeats, cores, rawPool);
              }
              return seconds;
            });

    // One image at a time, its batches on the workers (how a single image is upscaled).
    Passes singleSeconds =
        timedPasses(
            passes,
            warmUpSeconds,
            pass -> {
              long t0 = System.nanoTime();
              for (Path file : files) {
                engine.upscale(read(file), mode).image();
              }
              return (System.nanoTime() - t0) / 1e9;
            });

    // The baseline: one patch at a time on one thread, with every core as libtorch threads (as
    // the release's PyTorch process runs) and with one; the faster setting counts. (Batch-1
    // passes on 2 spinning OpenMP threads vary by up to 1.5x from run to run.)
    double[] maxDiff = {0};
    Passes baselineSeconds = null;
    int baselineThreads = cores;
    for (int threads : cores == 1 ? new int[] {1} : new int[] {cores, 1}) {
      Passes seconds;
      EngineThreads.set(threads);
      try {
        boolean compareNow = threads == cores;
        seconds =
            timedPasses(
                passes,
                warmUpSeconds,
                pass -> {
                  boolean compare = pass == 0 && compareNow;
                  return baselinePass(baseline, files, mode, compare ? kept : null, maxDiff);
                });
      } finally {
        EngineThreads.set(ownThreads);
      }
      if (baselineSeconds == null
          || median(seconds.seconds()) < median(baselineSeconds.seconds())) {
        baselineSeconds = seconds;
        baselineThreads = threads;
      }
    }

    double[] parallel = new double[Backbone.SUBNETS];
    double[] intraOp = new double[Backbone.SUBNETS];
    int most = mostUsed(counts);
    for (int j = 0; j < parallel.length; j++) {
      parallel[j] =
          j == most
              ? median(pairedRaw)
              : rawParallel(engine, j, ph, pw, rawRepeats, cores, rawPool);
      EngineThreads.set(cores);
      try {
        intraOp[j] = rawForward(engine, j, ph, pw, rawRepeats);
      } finally {
        EngineThreads.set(ownThreads);
      }
    }
    double sgemm = sgemmGflops(cores, rawPool);
    rawPool.shutdownNow();
    Rates e = rates(folderSeconds, patches[0], files.size(), megapixels[0]);
    Rates single = rates(singleSeconds, patches[0], files.size(), megapixels[0]);
    Rates b = rates(baselineSeconds, patches[0], files.size(), megapixels[0]);
    int chosenThreads = baselineThreads;
    Windows windows = null;
    if (engine.windows().shares()) {
      double[] ratios = new double[passes];
      for (int i = 0; i < passes; i++) {
        ratios[i] = aloneSeconds[i] / folderSeconds.seconds()[i];
      }
      long[] noResident = new long[passes];
      java.util.Arrays.fill(noResident, -1);
      double perPatch = networkPixels[2] == 0 ? 0 : (double) networkPixels[0] / networkPixels[2];
      double alone = networkPixels[2] == 0 ? 0 : (double) networkPixels[1] / networkPixels[2];
      windows =
          new Windows(
              engine.windows().id(),
              perPatch,
              alone,
              rates(new Passes(aloneSeconds, noResident), patches[0], files.size(), megapixels[0]),
              median(ratios));
    }
    return new Result(
        model.backbone().id(),
        mode.label(),
        files.size(),
        (int) patches[0],
        cores,
        e,
        single,
        b,
        chosenThreads,
        batch(engine),
        parallel,
        intraOp,
        Math.max(parallel[most], intraOp[most]),
        e.imagesPerSecond() / b.imagesPerSecond(),
        maxDiff[0],
        sgemm,
        most,
        windows);
  }

  /** Side of the square fp32 matrices of {@link #sgemmGflops}. */
  static final int SGEMM_SIZE = 1024;

  /**
   * This machine's fp32 matrix-multiply rate as the engine's workers see it: {@code threads}
   * threads at once, one libtorch thread each, each multiplying two {@value #SGEMM_SIZE}-square
   * float32 matrices for about half a second after one warm-up product; the sum of their rates in
   * GFLOP/s (2 flops per multiply-add).
   */
  static double sgemmGflops(int threads, ExecutorService pool) {
    try {
      CyclicBarrier ready = new CyclicBarrier(threads);
      List<Future<Double>> rates = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        rates.add(
            pool.submit(
                () -> {
                  int own = EngineThreads.get();
                  EngineThreads.set(1);
                  try (NDManager m = NDManager.newBaseManager()) {
                    Shape square = new Shape(SGEMM_SIZE, SGEMM_SIZE);
                    NDArray a = m.randomUniform(-1, 1, square);
                    NDArray b = m.randomUniform(-1, 1, square);
                    a.matMul(b).close();
                    ready.await();
                    int products = 0;
                    long t0 = System.nanoTime();
                    long elapsed;
                    do {
                      a.matMul(b).close();
                      products++;
                      elapsed = System.nanoTime() - t0;
                    } while (elapsed < 500_000_000L);
                    return 2.0 * SGEMM_SIZE * SGEMM_SIZE * SGEMM_SIZE * products / elapsed;
                  } finally {
                    EngineThreads.set(own);
                  }
                }));
      }
      double sum = 0;
      for (Future<Double> f : rates) {
        sum += f.get();
      }
      return sum;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("sgemm timing failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * Reads and upscales one group of a folder pass as {@code upscale} does ({@link
   * Upscaler#upscaleGroup}): the small images together, each other one alone; each result rounded
   * to 8 bits.
   */
  private static List<UpscaleResult> upscaleGroup(
      Upscaler upscaler, List<Path> files, List<Integer> group, RoutingMode mode) {
    UpscaleResult[] out = new UpscaleResult[group.size()];
    try {
      upscaler.upscaleGroup(
          group.size(),
          k -> Upscaler.GroupImage.of(read(files.get(group.get(k)))),
          List.of(mode),
          new Upscaler.GroupListener<Rgb8Image>() {
            @Override
            public void alone(int k, Upscaler.GroupImage<Rgb8Image> image) {
              out[k] = upscaler.upscale(image.lr(), mode);
            }

            @Override
            public void joined(
                int k,
                Upscaler.GroupImage<Rgb8Image> image,
                List<UpscaleResult> results,
                double seconds) {
              out[k] = results.get(0);
            }

            @Override
            public void failed(int k, Exception error) {
              throw error instanceof RuntimeException r
                  ? r
                  : new UncheckedIOException((IOException) error);
            }
          });
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    for (UpscaleResult r : out) {
      r.image();
    }
    return List.of(out);
  }

  /** The subnet with the most patches (the first on ties). */
  private static int mostUsed(int[] counts) {
    int most = 0;
    for (int j = 1; j < counts.length; j++) {
      if (counts[j] > counts[most]) {
        most = j;
      }
    }
    return most;
  }

  /** The seconds of each timed pass and the resident memory after it. */
  private record Passes(double[] seconds, long[] residentKb) {}

  /**
   * Untimed passes until {@code warmUpSeconds} have gone by (at least one), then {@code passes}
   * timed ones, numbered from 0, the resident memory sampled after each.
   */
  private static Passes timedPasses(
      int passes, double warmUpSeconds, java.util.function.IntToDoubleFunction pass) {
    long start = System.nanoTime();
    do {
      pass.applyAsDouble(-1);
    } while ((System.nanoTime() - start) / 1e9 < warmUpSeconds);
    double[] seconds = new double[passes];
    long[] resident = new long[passes];
    for (int i = 0; i < passes; i++) {
      seconds[i] = pass.applyAsDouble(i);
      resident[i] = residentKb();
    }
    return new Passes(seconds, resident);
  }

  /** This process's resident memory in kB ({@code VmRSS} of /proc/self/status), or -1. */
  static long residentKb() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("VmRSS:")) {
          return Long.parseLong(line.replaceAll("[^0-9]", ""));
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux
    }
    return -1;
  }

  /**
   * One timed pass of the baseline over the folder, in seconds; with {@code kept}, also the largest
   * difference from the engine's canvases into {@code maxDiff[0]} (not timed).
   */
  private static double baselinePass(
      Upscaler baseline, List<Path> files, RoutingMode mode, List<float[]> kept, double[] maxDiff) {
    long t0 = System.nanoTime();
    long compareNanos = 0;
    for (int i = 0; i < files.size(); i++) {
      UpscaleResult r = baseline.upscale(read(files.get(i)), mode);
      r.image();
      if (kept != null && i < kept.size()) {
        long c0 = System.nanoTime();
        float[] a = kept.get(i);
        float[] b = r.canvas().data();
        for (int k = 0; k < a.length; k++) {
          maxDiff[0] = Math.max(maxDiff[0], Math.abs(a[k] - b[k]) / 255.0);
        }
        compareNanos += System.nanoTime() - c0;
      }
    }
    return (System.nanoTime() - t0 - compareNanos) / 1e9;
  }

  private static Rgb8Image read(Path file) {
    try {
      return ImageFiles.read(file);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static double median(double[] v) {
    double[] c = v.clone();
    java.util.Arrays.sort(c);
    return c[c.length / 2];
  }

  private static Rates rates(Passes passes, long patches, int images, double megapixels) {
    double seconds = median(passes.seconds());
    return new Rates(
        seconds,
        patches / seconds,
        images / seconds,
        megapixels / seconds,
        passes.seconds().clone(),
        passes.residentKb().clone());
  }

  /**
   * Patches per second of {@code threads} threads at once, each running one libtorch intra-op
   * thread on its own batches ({@link RawBatches}): all patches over the wall time from the common
   * start (after every thread's warm-up batch) to the last thread's end. (Summing each thread's own
   * rate would overstate it: a thread that finishes first leaves the other to run alone, faster,
   * for its last batches.) The threads are {@code pool}'s, the same for every call, so that a long
   * run does not start new native threads (each with its own allocator caches) every pass.
   */
  static double rawParallel(
      Upscaler engine, int subnet, int h, int w, int repeats, int threads, ExecutorService pool) {
    if (threads == 1) {
      int own = EngineThreads.get();
      EngineThreads.set(1);
      try {
        return rawForward(engine, subnet, h, w, repeats);
      } finally {
        EngineThreads.set(own);
      }
    }
    try {
      CyclicBarrier ready = new CyclicBarrier(threads);
      List<Future<long[]>> spans = new ArrayList<>();
      for (int t = 0; t < threads; t++) {
        spans.add(
            pool.submit(
                () -> {
                  int own = EngineThreads.get();
                  EngineThreads.set(1);
                  try {
                    RawBatches raw = new RawBatches(engine, subnet, h, w);
                    raw.run(1);
                    ready.await();
                    long t0 = System.nanoTime();
                    raw.run(repeats);
                    return new long[] {t0, System.nanoTime()};
                  } finally {
                    EngineThreads.set(own);
                  }
                }));
      }
      long first = Long.MAX_VALUE;
      long last = Long.MIN_VALUE;
      for (Future<long[]> f : spans) {
        long[] span = f.get();
        first = Math.min(first, span[0]);
        last = Math.max(last, span[1]);
      }
      return (double) threads * repeats * batch(engine) / ((last - first) / 1e9);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    } catch (ExecutionException e) {
      throw new IllegalStateException("raw forward failed: " + e.getCause(), e.getCause());
    }
  }

  /**
   * The batch of the raw forward rates: the most patches the engine puts in one pass of this
   * backbone ({@link Backbone#jointBatch}), 64 for FSRCNN.
   */
  static int batch(Upscaler engine) {
    return engine.model().backbone().jointBatch();
  }

  /**
   * Patches per second of one subnet on batches ({@link #batch}) on the calling thread, after one
   * warm-up batch ({@link RawBatches}).
   */
  static double rawForward(Upscaler engine, int subnet, int h, int w, int repeats) {
    RawBatches raw = new RawBatches(engine, subnet, h, w);
    raw.run(1);
    long t0 = System.nanoTime();
    raw.run(repeats);
    return batch(engine) * (double) repeats / ((System.nanoTime() - t0) / 1e9);
  }

  /**
   * Batches ({@link #batch}) of random patches of {@code h x w} LR pixels (plus the engine's
   * margins) through the engine's own network call ({@link Upscaler#forwardOnly}: layout, read-out
   * and copy back as in a real run), without reading, scoring or stitching.
   */
  private static final class RawBatches {
    private final Upscaler engine;
    private final int subnet;
    private final int h;
    private final int w;
    private final int n;
    private final float[] data;

    RawBatches(Upscaler engine, int subnet, int h, int w) {
      this.engine = engine;
      this.subnet = subnet;
      this.h = h;
      this.w = w;
      this.n = batch(engine);
      int m = engine.options().effectiveMargin();
      this.data = new float[n * 3 * (h + 2 * m) * (w + 2 * m)];
      SplittableRandom rnd = new SplittableRandom(3);
      for (int i = 0; i < data.length; i++) {
        data[i] = (float) rnd.nextDouble();
      }
    }

    void run(int batches) {
      for (int r = 0; r < batches; r++) {
        engine.forwardOnly(data, n, h, w, subnet);
      }
    }
  }
}

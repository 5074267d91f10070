package io.armsr.eval;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.armsr.image.Rgb8Image;
import io.armsr.infer.ArmModel;
import io.armsr.infer.PatchGrid;
import io.armsr.infer.UpscaleResult;
import io.armsr.infer.Upscaler;
import io.armsr.io.ImageFiles;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

/**
 * {@code armsr bench}: throughput of the engine against a baseline measured in the same run (issue
 * 4). Over a folder of LR images, each pass reads every image and upscales it (scoring, routing,
 * batched forward passes, stitching, rounding); writing outputs is left out, since encoding a PNG
 * costs more than the network and is the same for both.
 *
 * <ul>
 *   <li>end to end: the engine as {@code upscale} runs it (batched by subnet, pre-sliced weights);
 *   <li>baseline: {@link Upscaler#officialWay}, the release's way of working: one patch at a time,
 *       weights sliced on every call, over the same grid, so the images are the same;
 *   <li>raw forward: batches of 64 random patch windows of the grid's size through each subnet, no
 *       I/O, no scoring, no stitching: the engine's ceiling.
 * </ul>
 */
public final class Bench {

  /** Rates of one pass over the folder. */
  public record Rates(
      double seconds,
      double patchesPerSecond,
      double imagesPerSecond,
      double megapixelsPerSecond) {}

  /**
   * @param endToEnd the engine
   * @param baseline the release's way of working
   * @param rawForward patches per second of subnet j at batch 64, no I/O, for j = 0..3
   * @param rawForwardOfMode raw rate of the subnet the mode uses most
   * @param speedup end-to-end images/s over the baseline's
   * @param maxAbsDiff largest difference between the two paths' canvases before rounding, on the
   *     [0, 1] scale
   */
  public record Result(
      String backbone,
      String mode,
      int images,
      int patches,
      Rates endToEnd,
      Rates baseline,
      double[] rawForward,
      double rawForwardOfMode,
      double speedup,
      double maxAbsDiff) {}

  static final int RAW_BATCH = 64;

  private Bench() {}

  /**
   * Runs the benchmark.
   *
   * @param files LR images
   * @param compareLimit how many images' canvases to keep for the equality check (memory)
   */
  public static Result run(
      ArmModel model,
      Upscaler.Options options,
      RoutingMode mode,
      List<Path> files,
      int compareLimit,
      int rawRepeats)
      throws IOException {
    Upscaler engine = new Upscaler(model, options);
    Upscaler baseline = Upscaler.officialWay(model, options);
    // Warm-up: allocator, kernels, resize matrices.
    Rgb8Image first = ImageFiles.read(files.get(0));
    engine.upscale(first, mode);
    baseline.upscale(first, mode);

    List<float[]> kept = new ArrayList<>();
    int[] counts = new int[Backbone.SUBNETS];
    long patches = 0;
    double megapixels = 0;
    long t0 = System.nanoTime();
    for (int i = 0; i < files.size(); i++) {
      UpscaleResult r = engine.upscale(ImageFiles.read(files.get(i)), mode);
      r.image();
      patches += r.grid().size();
      megapixels += r.canvas().width() * (double) r.canvas().height() / 1e6;
      int[] c = r.classes();
      for (int j = 0; j < c.length; j++) {
        counts[j] += c[j];
      }
      if (i < compareLimit) {
        kept.add(r.canvas().data());
      }
    }
    double engineSeconds = (System.nanoTime() - t0) / 1e9;

    double maxDiff = 0;
    long t1 = System.nanoTime();
    for (int i = 0; i < files.size(); i++) {
      UpscaleResult r = baseline.upscale(ImageFiles.read(files.get(i)), mode);
      r.image();
      if (i < kept.size()) {
        float[] a = kept.get(i);
        float[] b = r.canvas().data();
        for (int k = 0; k < a.length; k++) {
          maxDiff = Math.max(maxDiff, Math.abs(a[k] - b[k]) / 255.0);
        }
      }
    }
    double baselineSeconds = (System.nanoTime() - t1) / 1e9;

    double[] raw = new double[Backbone.SUBNETS];
    PatchGrid grid = PatchGrid.of(options.grid(), first.width(), first.height());
    int side = grid.patchHeight() + 2 * options.effectiveMargin();
    int sideW = grid.patchWidth() + 2 * options.effectiveMargin();
    for (int j = 0; j < raw.length; j++) {
      raw[j] = rawForward(model, j, side, sideW, rawRepeats);
    }
    int most = 0;
    for (int j = 1; j < counts.length; j++) {
      if (counts[j] > counts[most]) {
        most = j;
      }
    }
    Rates e = rates(engineSeconds, patches, files.size(), megapixels);
    Rates b = rates(baselineSeconds, patches, files.size(), megapixels);
    return new Result(
        model.backbone().id(),
        mode.label(),
        files.size(),
        (int) patches,
        e,
        b,
        raw,
        raw[most],
        e.imagesPerSecond() / b.imagesPerSecond(),
        maxDiff);
  }

  private static Rates rates(double seconds, long patches, int images, double megapixels) {
    return new Rates(seconds, patches / seconds, images / seconds, megapixels / seconds);
  }

  /** Patches per second of one subnet on batches of 64 random windows, after one warm-up batch. */
  static double rawForward(ArmModel model, int subnet, int h, int w, int repeats) {
    float[] data = new float[RAW_BATCH * 3 * h * w];
    SplittableRandom rnd = new SplittableRandom(3);
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) rnd.nextDouble();
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray x = m.create(data, new Shape(RAW_BATCH, 3, h, w));
      model.supernet().forward(x, subnet).toFloatArray();
      long t0 = System.nanoTime();
      for (int r = 0; r < repeats; r++) {
        // Copying the output out is part of any real use of it.
        NDArray y = model.supernet().forward(x, subnet);
        y.toFloatArray();
        y.close();
      }
      return RAW_BATCH * (double) repeats / ((System.nanoTime() - t0) / 1e9);
    }
  }
}

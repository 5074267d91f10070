package io.armsr.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.armsr.image.PlanarImage;
import io.armsr.model.AbstractSupernet;
import io.armsr.model.Precision;
import io.armsr.route.Batching;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;

/**
 * Runs the forward passes of a batch plan ({@link Batching#plan}): for each batch it gathers the
 * patches with their context margins from their images, runs the subnet on them and hands the SR
 * patches ({@link SrBatch}) back in plan order, on the calling thread ({@link OrderedWorkers}).
 *
 * <p>Holds no per-call state: the weights are the model's (immutable, pre-sliced per width), every
 * call's arrays are its own, and the worker pool takes tasks from any number of callers, so one
 * runner serves concurrent upscales.
 */
final class BatchRunner {
  private final ArmModel model;
  private final int margin;
  private final Precision precision;
  private final boolean officialWay;
  private final OrderedWorkers workers;

  /**
   * @param margin LR context pixels around each patch (0 in the reference grid)
   * @param workers threads running forward passes
   * @param precision the convolutions' arithmetic (fp32 in the reference grid)
   * @param officialWay the release's way of working: the whole SR patch of every call, weights
   *     sliced during the call
   */
  BatchRunner(ArmModel model, int margin, int workers, Precision precision, boolean officialWay) {
    this.model = model;
    this.margin = margin;
    this.precision = precision;
    this.officialWay = officialWay;
    this.workers = new OrderedWorkers(workers);
  }

  int workers() {
    return workers.workers();
  }

  /**
   * Runs every batch of {@code plan} and passes its SR patches to {@code consume}, in plan order.
   *
   * @param image the input of image {@code i} of the plan: (3, h, w) RGB in [0, 1]
   * @param grid the grid of image {@code i}
   */
  void run(
      List<Batching.Batch> plan,
      IntFunction<PlanarImage> image,
      IntFunction<PatchGrid> grid,
      BiConsumer<Batching.Batch, SrBatch> consume) {
    workers.run(
        plan,
        b ->
            gatherAndRun(
                b.size(),
                k -> image.apply(b.images().get(k)),
                k -> grid.apply(b.images().get(k)).patch(b.patches().get(k)),
                grid.apply(b.images().get(0)),
                b.subnet()),
        consume);
  }

  /**
   * Runs one subnet on patches of one image split evenly over the workers, handing each part's SR
   * patches to {@code consume} on the calling thread, in order. For work whose output may depend on
   * timing anyway ({@link ProgressiveUpscaler}).
   */
  void runSpread(
      PlanarImage lr,
      PatchGrid grid,
      List<Integer> patches,
      int subnet,
      BiConsumer<List<Integer>, SrBatch> consume) {
    int parts = Math.min(workers.workers(), patches.size());
    List<List<Integer>> plan = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      int from = (int) ((long) patches.size() * i / parts);
      int to = (int) ((long) patches.size() * (i + 1) / parts);
      plan.add(patches.subList(from, to));
    }
    workers.run(plan, part -> runBatch(lr, grid, part, subnet), consume);
  }

  /** Runs one subnet on a batch of patches of one image, on the calling thread. */
  SrBatch runBatch(PlanarImage lr, PatchGrid grid, List<Integer> batch, int subnet) {
    return gatherAndRun(batch.size(), k -> lr, k -> grid.patch(batch.get(k)), grid, subnet);
  }

  /**
   * Gathers {@code n} patches, patch {@code k} from image {@code image(k)}, with their context
   * margins, and runs {@code subnet} on them ({@link #forward}).
   *
   * @param sizes a grid whose patch size every patch has
   */
  private SrBatch gatherAndRun(
      int n,
      IntFunction<PlanarImage> image,
      IntFunction<PatchGrid.Patch> patchAt,
      PatchGrid sizes,
      int subnet) {
    int m = margin;
    int inH = sizes.patchHeight() + 2 * m;
    int inW = sizes.patchWidth() + 2 * m;
    boolean channelsLast = subPixel(subnet);
    float[] input = new float[n * 3 * inH * inW];
    int k = 0;
    for (int i = 0; i < n; i++) {
      PlanarImage lr = image.apply(i);
      PatchGrid.Patch patch = patchAt.apply(i);
      int w = lr.width();
      int h = lr.height();
      float[] src = lr.data();
      int plane = w * h;
      // Replicate the image border for the context margin (there is none in the reference grid).
      for (int c = 0; c < (channelsLast ? 1 : 3); c++) {
        for (int y = 0; y < inH; y++) {
          int sy = Math.min(h - 1, Math.max(0, patch.y() - m + y));
          int rowBase = c * plane + sy * w;
          for (int x = 0; x < inW; x++) {
            int sx = rowBase + Math.min(w - 1, Math.max(0, patch.x() - m + x));
            if (channelsLast) {
              input[k++] = src[sx];
              input[k++] = src[sx + plane];
              input[k++] = src[sx + 2 * plane];
            } else {
              input[k++] = src[sx];
            }
          }
        }
      }
    }
    return forward(input, n, inH, inW, subnet, channelsLast);
  }

  /** True if batches of {@code subnet} take the sub-pixel, channels-last path. */
  private boolean subPixel(int subnet) {
    return !officialWay && model.supernet().hasSubPixelReadOut(subnet);
  }

  /**
   * The network call on gathered patches: channels last and read out before the pixel shuffle,
   * centres only ({@link io.armsr.model.Supernet#forwardSubPixel}), where the subnet allows it;
   * else the whole SR patch. The baseline ({@code officialWay}) always takes the whole output, with
   * weights sliced during the call. Every array of the call lives in its own sub-manager, closed
   * before it returns.
   *
   * @param input {@code n} patches with their margins, (n, inH, inW, 3) when {@code subPixel}, else
   *     (n, 3, inH, inW)
   * @param subPixel {@link #subPixel} of {@code subnet}, as the caller laid out {@code input}
   */
  private SrBatch forward(float[] input, int n, int inH, int inW, int subnet, boolean subPixel) {
    try (NDManager batchManager = model.manager().newSubManager()) {
      if (subPixel) {
        NDArray x = batchManager.create(input, new Shape(n, inH, inW, 3)).transpose(0, 3, 1, 2);
        NDArray out = model.supernet().forwardSubPixel(x, subnet, margin, precision);
        // Clamped by libtorch in one vectorised pass: in Java, Math.min/max of floats cost more
        // than the rest of the read-out together.
        return new SrBatch(out.clip(0f, 1f).toFloatArray(), true);
      }
      NDArray x = batchManager.create(input, new Shape(n, 3, inH, inW));
      if (officialWay && model.supernet() instanceof AbstractSupernet net) {
        return new SrBatch(net.forwardFromParameters(x, subnet).toFloatArray(), false);
      }
      return new SrBatch(model.supernet().forward(x, subnet, precision).toFloatArray(), false);
    }
  }

  /**
   * The network call alone, as a batch of {@code n} patches of size {@code patchHeight x
   * patchWidth} (margins are added) runs: {@code bench}'s raw forward rate. The input values do not
   * matter for the speed.
   *
   * @param patches at least {@code n * 3 * (patchHeight + 2m) * (patchWidth + 2m)} values
   * @return the number of output floats read back
   */
  int forwardOnly(float[] patches, int n, int patchHeight, int patchWidth, int subnet) {
    int inH = patchHeight + 2 * margin;
    int inW = patchWidth + 2 * margin;
    float[] input =
        patches.length == n * 3 * inH * inW ? patches : Arrays.copyOf(patches, n * 3 * inH * inW);
    return forward(input, n, inH, inW, subnet, subPixel(subnet)).data().length;
  }
}

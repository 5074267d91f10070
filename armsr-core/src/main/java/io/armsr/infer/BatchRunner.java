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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
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
        b -> {
          int[] imageOf = windowImages(b);
          return gatherAndRun(
              b.windows(), k -> image.apply(imageOf[k]), k -> grid.apply(imageOf[k]), b.subnet());
        },
        consume);
  }

  /** The image of every window of {@code b}. */
  private static int[] windowImages(Batching.Batch b) {
    int[] out = new int[b.windows().size()];
    int k = 0;
    for (int i = 0; i < out.length; i++) {
      out[i] = b.images().get(k);
      k += b.windows().get(i).size();
    }
    return out;
  }

  /**
   * Runs one subnet on windows of one image split evenly over the workers, handing each part's SR
   * patches (with the part's patches, in window order) to {@code consume} on the calling thread, in
   * order. For work whose timing is its own ({@link ProgressiveUpscaler}).
   */
  void runSpread(
      PlanarImage lr,
      PatchGrid grid,
      List<Batching.Window> windows,
      int subnet,
      BiConsumer<List<Integer>, SrBatch> consume) {
    int parts = Math.min(workers.workers(), windows.size());
    List<List<Batching.Window>> plan = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      int from = (int) ((long) windows.size() * i / parts);
      int to = (int) ((long) windows.size() * (i + 1) / parts);
      plan.add(windows.subList(from, to));
    }
    workers.run(
        plan,
        part -> gatherAndRun(part, k -> lr, k -> grid, subnet),
        (part, sr) -> consume.accept(patchesOf(part), sr));
  }

  /** The patches of {@code windows}, window after window. */
  static List<Integer> patchesOf(List<Batching.Window> windows) {
    List<Integer> out = new ArrayList<>();
    for (Batching.Window w : windows) {
      for (int k = 0; k < w.size(); k++) {
        out.add(w.patch(k));
      }
    }
    return out;
  }

  /** Runs one subnet on a batch of patches of one image, each on its own window. */
  SrBatch runBatch(PlanarImage lr, PatchGrid grid, List<Integer> batch, int subnet) {
    return gatherAndRun(
        batch.stream().map(Batching.Window::single).toList(), k -> lr, k -> grid, subnet);
  }

  /**
   * Gathers windows, window {@code k} from image {@code image(k)} of grid {@code grid(k)}, with
   * their context margins, runs {@code subnet} on them ({@link #forward}), one forward pass per
   * window size in pixels, and cuts the output into the windows' patches: the SR patches of all the
   * windows' patches, window after window, each as if it had run alone on its own window (but with
   * the context of its whole window). Every patch must have one size.
   */
  private SrBatch gatherAndRun(
      List<Batching.Window> windows,
      IntFunction<PlanarImage> image,
      IntFunction<PatchGrid> grid,
      int subnet) {
    boolean channelsLast = subPixel(subnet);
    boolean single = windows.stream().allMatch(w -> w.size() == 1);
    if (single) {
      // Each patch on its own window: the window's output is the patch's.
      return forwardGroup(windows, image, grid, subnet, channelsLast, allIndices(windows.size()));
    }
    // Windows by size in pixels, each size one forward pass; patch offsets in the output.
    Map<List<Integer>, List<Integer>> bySize = new LinkedHashMap<>();
    int[] firstPatch = new int[windows.size()];
    int patches = 0;
    for (int k = 0; k < windows.size(); k++) {
      PatchGrid.Patch r = grid.apply(k).window(windows.get(k));
      bySize.computeIfAbsent(List.of(r.height(), r.width()), key -> new ArrayList<>()).add(k);
      firstPatch[k] = patches;
      patches += windows.get(k).size();
    }
    PatchGrid sizes = grid.apply(0);
    int ph = sizes.patchHeight();
    int pw = sizes.patchWidth();
    int m = margin;
    int s = io.armsr.model.Backbone.SCALE;
    int patchFloats = channelsLast ? ph * pw * 48 : 3 * s * (ph + 2 * m) * s * (pw + 2 * m);
    float[] out = new float[patches * patchFloats];
    for (List<Integer> group : bySize.values()) {
      SrBatch sr = forwardGroup(windows, image, grid, subnet, channelsLast, group);
      PatchGrid.Patch size = grid.apply(group.get(0)).window(windows.get(group.get(0)));
      int winH = channelsLast ? size.height() : s * (size.height() + 2 * m);
      int winW = channelsLast ? size.width() : s * (size.width() + 2 * m);
      int depth = channelsLast ? 48 : 1;
      int planes = channelsLast ? 1 : 3;
      int rowsOut = channelsLast ? ph : s * (ph + 2 * m);
      int colsOut = channelsLast ? pw : s * (pw + 2 * m);
      int scale = channelsLast ? 1 : s;
      for (int g = 0; g < group.size(); g++) {
        int k = group.get(g);
        Batching.Window w = windows.get(k);
        PatchGrid pg = grid.apply(k);
        PatchGrid.Patch r = pg.window(w);
        for (int i = 0; i < w.size(); i++) {
          PatchGrid.Patch patch = pg.patch(w.patch(i));
          int dy = (patch.y() - r.y()) * scale;
          int dx = (patch.x() - r.x()) * scale;
          int dst = (firstPatch[k] + i) * patchFloats;
          for (int c = 0; c < planes; c++) {
            int srcPlane = (g * planes + c) * winH * winW;
            for (int y = 0; y < rowsOut; y++) {
              System.arraycopy(
                  sr.data(),
                  (srcPlane + (dy + y) * winW + dx) * depth,
                  out,
                  dst + ((c * rowsOut) + y) * colsOut * depth,
                  colsOut * depth);
            }
          }
        }
      }
    }
    return new SrBatch(out, channelsLast);
  }

  private static List<Integer> allIndices(int n) {
    List<Integer> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(i);
    }
    return out;
  }

  /**
   * Gathers windows {@code which} (all of one size in pixels) with their context margins and runs
   * {@code subnet} on them: the SR output of the whole windows, in the layout of {@link SrBatch}
   * with the window's size for the patch's.
   */
  private SrBatch forwardGroup(
      List<Batching.Window> windows,
      IntFunction<PlanarImage> image,
      IntFunction<PatchGrid> grid,
      int subnet,
      boolean channelsLast,
      List<Integer> which) {
    int m = margin;
    PatchGrid.Patch size = grid.apply(which.get(0)).window(windows.get(which.get(0)));
    int inH = size.height() + 2 * m;
    int inW = size.width() + 2 * m;
    int n = which.size();
    float[] input = new float[n * 3 * inH * inW];
    int k = 0;
    for (int i : which) {
      PlanarImage lr = image.apply(i);
      PatchGrid.Patch r = grid.apply(i).window(windows.get(i));
      if (r.width() != size.width() || r.height() != size.height()) {
        throw new IllegalArgumentException("windows of different sizes in one forward pass");
      }
      int w = lr.width();
      int h = lr.height();
      float[] src = lr.data();
      int plane = w * h;
      // Replicate the image border for the context margin (there is none in the reference grid).
      for (int c = 0; c < (channelsLast ? 1 : 3); c++) {
        for (int y = 0; y < inH; y++) {
          int sy = Math.min(h - 1, Math.max(0, r.y() - m + y));
          int rowBase = c * plane + sy * w;
          for (int x = 0; x < inW; x++) {
            int sx = rowBase + Math.min(w - 1, Math.max(0, r.x() - m + x));
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

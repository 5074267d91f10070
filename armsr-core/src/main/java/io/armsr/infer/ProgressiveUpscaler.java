package io.armsr.infer;

import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.image.TorchResize;
import io.armsr.lut.PsnrTable;
import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import io.armsr.route.BudgetRouter;
import io.armsr.route.RoutingMode;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Any-time upscaling with a deadline: the bicubic image is ready at once, then patches are upgraded
 * to the subnet a target routing chose for them, window by window as the engine runs them ({@link
 * Batching.Windows}), most predicted gain per unit cost first, one batch at a time, until the work
 * is done, the caller stops it, or the next batch would pass the deadline. Whenever it stops the
 * result is a complete image.
 *
 * <p>Gain is the drop in predicted MSE from bicubic to the target subnet (predicted PSNR from the
 * Edge-to-PSNR table, ARM.md 4.3); cost is the table's cost of the target subnet. The time of the
 * next batch is estimated from the batches already run (milliseconds per patch per subnet), so no
 * calibration is needed; the first batches are small to learn it.
 *
 * <p>The canvas keeps the sum of every patch's contribution, starting from the whole-image bicubic
 * (which equals every patch's bicubic output in the full grid, since a 4-pixel margin covers the
 * cubic kernel's reach); upgrading a patch replaces its bicubic share by its SR output. Needs the
 * full grid.
 */
public final class ProgressiveUpscaler {

  /** Decides, between batches, whether to stop. */
  @FunctionalInterface
  public interface Stop {
    /**
     * @param elapsedMs time since the upscale began
     * @param nextBatchMs estimated time of the next batch plus the final assembly
     */
    boolean shouldStop(double elapsedMs, double nextBatchMs);

    /** Never stops early: runs the target routing to completion. */
    static Stop never() {
      return (elapsed, next) -> false;
    }

    /** Stops when the next batch would end after {@code ms} milliseconds. */
    static Stop deadline(double ms) {
      if (!(ms >= 0)) {
        throw new IllegalArgumentException("a deadline must be >= 0 ms, got " + ms);
      }
      return (elapsed, next) -> elapsed + next > ms;
    }
  }

  /** Told after every batch; may call {@link Progress#image()} for the image so far. */
  @FunctionalInterface
  public interface Listener {
    void onBatch(Progress progress);
  }

  /** The state after a batch. */
  public final class Progress {
    private final int upgraded;
    private final int planned;
    private final double elapsedMs;
    private final State state;

    private Progress(int upgraded, int planned, double elapsedMs, State state) {
      this.upgraded = upgraded;
      this.planned = planned;
      this.elapsedMs = elapsedMs;
      this.state = state;
    }

    /** Patches upgraded so far. */
    public int upgraded() {
      return upgraded;
    }

    /** Patches the target routing upgrades in all. */
    public int planned() {
      return planned;
    }

    public double elapsedMs() {
      return elapsedMs;
    }

    /** A complete image of the work so far (costs one pass over the canvas). */
    public Rgb8Image image() {
      return UpscaleResult.toRgb8(state.average());
    }
  }

  /** Batches start this small so that the first time estimates cost little. */
  static final int FIRST_BATCH = 4;

  private final Upscaler upscaler;

  public ProgressiveUpscaler(Upscaler upscaler) {
    this.upscaler = Objects.requireNonNull(upscaler, "upscaler");
    if (upscaler.options().grid() != Grid.FULL || upscaler.options().margin() < 2) {
      throw new IllegalArgumentException(
          "progressive (deadline) upscaling needs the full grid with a margin of at least 2");
    }
  }

  /**
   * Upscales {@code lr}, upgrading patches towards {@code target} until {@code stop} says so.
   *
   * @param listener told after each batch (may be null)
   * @return the result; its subnets say which patches were upgraded (0 = still bicubic)
   */
  public UpscaleResult upscale(Rgb8Image lr, RoutingMode target, Stop stop, Listener listener) {
    long t0 = System.nanoTime();
    ArmModel model = upscaler.model();
    PsnrTable table = model.table();
    double[] costs = table.costs();
    PatchGrid grid = PatchGrid.full(lr.width(), lr.height());
    int n = grid.size();
    PatchScores scored = PatchScores.of(lr, grid, table);
    double[] scores = scored.edge();
    double[][] predicted = scored.predicted();
    int[] goal = target.route(predicted, costs);
    // The target's windows (Batching.Windows), so that the finished image is the engine's.
    List<Batching.Window> order =
        new ArrayList<>(upgradeOrder(goal, predicted, costs, upscaler.windows(), grid.cols()));
    int planned = 0;
    for (Batching.Window w : order) {
      planned += w.size();
    }

    PlanarImage lrPlanar = PlanarImage.fromRgb8(lr);
    long a0 = System.nanoTime();
    State state = new State(grid, lrPlanar);
    // Assembling the final image is one more pass of about the same cost as building the start.
    double assemblyMs = (System.nanoTime() - a0) / 1e6;

    int[] current = new int[n];
    double[] msPerPatch = new double[Backbone.SUBNETS];
    Arrays.fill(msPerPatch, Double.NaN);
    int done = 0;
    int upgraded = 0;
    int batch = Math.min(FIRST_BATCH, upscaler.options().batchSize());
    while (done < order.size()) {
      // The next windows, up to `batch` patches (at least one window).
      int end = done;
      int patches = 0;
      while (end < order.size() && (end == done || patches + order.get(end).size() <= batch)) {
        patches += order.get(end).size();
        end++;
      }
      if (patches > FIRST_BATCH) {
        probe(order.subList(done, end), goal, msPerPatch, lrPlanar, grid);
      }
      double estimate = assemblyMs + estimateMs(order.subList(done, end), goal, msPerPatch);
      boolean stops = stop.shouldStop(elapsedMs(t0), estimate);
      if (stops && end - done > 1) {
        // Perhaps the first window alone still fits.
        end = done + 1;
        patches = order.get(done).size();
        stops =
            stop.shouldStop(
                elapsedMs(t0), assemblyMs + estimateMs(order.subList(done, end), goal, msPerPatch));
      }
      if (stops) {
        if (order.get(done).size() == 1) {
          break;
        }
        // A large window that does not fit: smaller ones further on may (it stays bicubic).
        order.remove(done);
        continue;
      }
      for (int subnet = 1; subnet < Backbone.SUBNETS; subnet++) {
        List<Batching.Window> group = new ArrayList<>();
        int groupPatches = 0;
        for (Batching.Window w : order.subList(done, end)) {
          if (goal[w.first()] == subnet) {
            group.add(w);
            groupPatches += w.size();
          }
        }
        if (group.isEmpty()) {
          continue;
        }
        long b0 = System.nanoTime();
        upscaler
            .runner()
            .runSpread(lrPlanar, grid, group, subnet, (part, sr) -> state.replace(sr, part));
        double perPatch = (System.nanoTime() - b0) / 1e6 / groupPatches;
        msPerPatch[subnet] =
            Double.isNaN(msPerPatch[subnet]) ? perPatch : 0.5 * msPerPatch[subnet] + 0.5 * perPatch;
        for (int p : BatchRunner.patchesOf(group)) {
          current[p] = subnet;
        }
      }
      done = end;
      upgraded += patches;
      batch = Math.min(upscaler.options().batchSize(), batch * 2);
      if (listener != null) {
        listener.onBatch(new Progress(upgraded, planned, elapsedMs(t0), state));
      }
    }
    return new UpscaleResult(target, grid, scores, current, costs.clone(), state.average());
  }

  /**
   * The windows of the patches whose target is not bicubic ({@link Batching.Windows#of}), most
   * predicted MSE saved per unit cost first (summed over each window's patches).
   */
  static List<Batching.Window> upgradeOrder(
      int[] goal, double[][] predicted, double[] costs, Batching.Windows windows, int cols) {
    List<Batching.Window> ups = new ArrayList<>();
    Map<Batching.Window, Double> value = new HashMap<>();
    for (int subnet = 1; subnet < Backbone.SUBNETS; subnet++) {
      for (Batching.Window w : windows.of(goal, subnet, cols)) {
        double gain = 0;
        for (int k = 0; k < w.size(); k++) {
          int p = w.patch(k);
          gain += BudgetRouter.mse(predicted[p][0]) - BudgetRouter.mse(predicted[p][subnet]);
        }
        double cost = costs[subnet] * w.size();
        double v = cost > 0 ? gain / cost : Double.POSITIVE_INFINITY;
        value.put(w, Double.isNaN(v) ? Double.NEGATIVE_INFINITY : v);
        ups.add(w);
      }
    }
    // Highest value first; ties (and NaN predictions, last) in patch order.
    ups.sort(
        Comparator.comparingDouble((Batching.Window w) -> -value.get(w))
            .thenComparingInt(Batching.Window::first));
    return ups;
  }

  /**
   * Times one patch of every subnet of {@code windows} whose time per patch is not known yet, on
   * its own (the output is not used), so that a first window larger than {@link #FIRST_BATCH} is
   * not started blind. A patch alone costs more per patch than a window, so the estimate errs on
   * the safe side.
   */
  private void probe(
      List<Batching.Window> windows,
      int[] goal,
      double[] msPerPatch,
      PlanarImage lr,
      PatchGrid grid) {
    for (Batching.Window w : windows) {
      int subnet = goal[w.first()];
      if (Double.isNaN(msPerPatch[subnet])) {
        long b0 = System.nanoTime();
        upscaler.runner().runBatch(lr, grid, List.of(w.first()), subnet);
        msPerPatch[subnet] = (System.nanoTime() - b0) / 1e6;
      }
    }
  }

  private static double estimateMs(List<Batching.Window> windows, int[] goal, double[] msPerPatch) {
    double known = 0;
    for (double v : msPerPatch) {
      if (!Double.isNaN(v)) {
        known = Math.max(known, v);
      }
    }
    double sum = 0;
    for (Batching.Window w : windows) {
      double v = msPerPatch[goal[w.first()]];
      // A subnet not run yet is assumed as slow as the slowest one seen (0 before any batch).
      sum += (Double.isNaN(v) ? known : v) * w.size();
    }
    return sum;
  }

  private static double elapsedMs(long t0) {
    return (System.nanoTime() - t0) / 1e6;
  }

  /** The canvas: sum of the contributions of every patch, and how many patches cover each pixel. */
  private final class State {
    private final PatchGrid grid;
    private final int outW;
    private final int outH;
    private final float[] sum;
    private final float[] bicubic;
    private final float[] countY;
    private final float[] countX;

    State(PatchGrid grid, PlanarImage lr) {
      this.grid = grid;
      int s = Backbone.SCALE;
      this.outW = grid.coveredWidth() * s;
      this.outH = grid.coveredHeight() * s;
      this.countY = Stitching.coverage(grid.ys(), grid.patchHeight() * s, outH, s);
      this.countX = Stitching.coverage(grid.xs(), grid.patchWidth() * s, outW, s);
      float[] b = TorchResize.upscaleBicubicSparse(lr, s).data();
      this.bicubic = b;
      this.sum = new float[b.length];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < outH; y++) {
          int row = (c * outH + y) * outW;
          for (int x = 0; x < outW; x++) {
            // Clamped and on the 0..255 scale, like every patch output (Stitching.keptCentre).
            b[row + x] = Math.min(1f, Math.max(0f, b[row + x])) * 255f;
            sum[row + x] = b[row + x] * countY[y] * countX[x];
          }
        }
      }
    }

    /** Replaces the bicubic share of each patch in {@code group} by its SR output. */
    void replace(SrBatch sr, List<Integer> group) {
      int s = Backbone.SCALE;
      int ph = grid.patchHeight() * s;
      int pw = grid.patchWidth() * s;
      float[] values = new float[3 * ph * pw];
      for (int b = 0; b < group.size(); b++) {
        upscaler.stitching().keptCentre(sr, b, grid, values);
        PatchGrid.Patch patch = grid.patch(group.get(b));
        for (int c = 0; c < 3; c++) {
          for (int y = 0; y < ph; y++) {
            int to = (c * outH + patch.y() * s + y) * outW + patch.x() * s;
            int from = (c * ph + y) * pw;
            for (int x = 0; x < pw; x++) {
              sum[to + x] += values[from + x] - bicubic[to + x];
            }
          }
        }
      }
    }

    /** The image so far: the sum divided by the coverage, (3, outH, outW) on the 0..255 scale. */
    PlanarImage average() {
      float[] out = new float[sum.length];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < outH; y++) {
          int row = (c * outH + y) * outW;
          for (int x = 0; x < outW; x++) {
            out[row + x] = sum[row + x] / (countY[y] * countX[x]);
          }
        }
      }
      return new PlanarImage(3, outH, outW, out);
    }
  }
}

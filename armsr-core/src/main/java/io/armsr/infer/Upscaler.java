package io.armsr.infer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.armsr.image.EdgeScore;
import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.lut.PsnrTable;
import io.armsr.model.AbstractSupernet;
import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import io.armsr.route.LatencyFeedback;
import io.armsr.route.RoutingMode;
import io.armsr.route.TimeModel;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntFunction;

/**
 * Whole-image ARM inference (ARM-SPEC 5): cut the LR image into patches, score and route each
 * patch, run all patches routed to the same subnet as batches, and stitch the SR patches by overlap
 * averaging.
 *
 * <p>Every patch is scored and predicted first, then each mode routes the whole image: the
 * per-patch modes patch by patch, {@link RoutingMode.Budget} all patches at once.
 *
 * <p>Several routing modes can be evaluated in one pass: each (patch, subnet) pair that any mode
 * needs is computed once, which is how {@code eval} reproduces all the golden modes cheaply.
 */
public final class Upscaler {

  /**
   * @param grid patch grid
   * @param margin LR context pixels around each patch in the full grid (ignored by the reference
   *     grid, which has none)
   * @param batchSize largest number of patches per forward pass
   * @param workers threads running forward passes in parallel ({@link OrderedWorkers}); with
   *     several, each runs libtorch with one intra-op thread (ENGINE.md). The image does not depend
   *     on it.
   */
  public record Options(Grid grid, int margin, int batchSize, int workers) {
    /** Patches per forward pass unless told otherwise. */
    public static final int DEFAULT_BATCH = 8;

    public Options {
      Objects.requireNonNull(grid, "grid");
      if (margin < 0 || margin > 16) {
        throw new IllegalArgumentException("--margin must be 0..16, got " + margin);
      }
      if (batchSize < 1 || batchSize > 4096) {
        throw new IllegalArgumentException("--batch must be 1..4096, got " + batchSize);
      }
      if (workers < 1 || workers > 256) {
        throw new IllegalArgumentException("--threads must be 1..256, got " + workers);
      }
    }

    /** One worker: forward passes on the calling thread. */
    public Options(Grid grid, int margin, int batchSize) {
      this(grid, margin, batchSize, 1);
    }

    /**
     * The full grid, the default margin and batches of {@value #DEFAULT_BATCH}: on one libtorch
     * thread a batch of 8 runs as fast per patch as one of 64 (docs/BENCHMARKS.md), and small
     * batches let several workers share even a small image.
     */
    public static Options defaults() {
      return new Options(Grid.FULL, Grid.DEFAULT_MARGIN, DEFAULT_BATCH);
    }

    public Options withGrid(Grid g) {
      return new Options(g, margin, batchSize, workers);
    }

    public Options withWorkers(int n) {
      return new Options(grid, margin, batchSize, n);
    }

    /** The margin actually used: none in the reference grid. */
    public int effectiveMargin() {
      return grid == Grid.REFERENCE ? 0 : margin;
    }
  }

  private final ArmModel model;
  private final Options options;
  private final boolean officialWay;
  private final OrderedWorkers batches;

  /** Measured against predicted times of this engine's time-budget upscales. */
  private final LatencyFeedback latency = new LatencyFeedback();

  public Upscaler(ArmModel model, Options options) {
    this(model, options, false);
  }

  /**
   * The baseline of {@code armsr bench}: the release's way of working (ARM-SPEC 5.3), one patch at
   * a time (batch 1) with the weights sliced on every call ({@code width_mult} set on every layer,
   * no pre-sliced copies), over the same grid as {@code options}. Produces the same image as the
   * batched engine.
   */
  public static Upscaler officialWay(ArmModel model, Options options) {
    return new Upscaler(model, new Options(options.grid(), options.margin(), 1, 1), true);
  }

  private Upscaler(ArmModel model, Options options, boolean officialWay) {
    this.officialWay = officialWay;
    this.model = Objects.requireNonNull(model, "model");
    this.options = Objects.requireNonNull(options, "options");
    this.batches = new OrderedWorkers(options.workers());
  }

  public Options options() {
    return options;
  }

  public ArmModel model() {
    return model;
  }

  /**
   * How this engine batches the patches of {@code grid} on {@code path}: the plan its run loops
   * follow ({@link Batching#plan}) and the one a time budget predicts with.
   */
  public Batching batching(PatchGrid grid, Batching.Path path) {
    return Batching.of(path, grid.cols(), options.batchSize());
  }

  public UpscaleResult upscale(Rgb8Image lr, RoutingMode mode) {
    return upscale(lr, List.of(mode)).get(0);
  }

  /** Upscales {@code lr} once per mode, computing each needed (patch, subnet) output once. */
  public List<UpscaleResult> upscale(Rgb8Image lr, List<RoutingMode> modes) {
    return upscale(lr, PlanarImage.fromRgb8(lr), modes);
  }

  /**
   * Upscales an image whose samples are finer than 8 bits: patches are scored and routed on the
   * 8-bit view {@code lr} (the edge score is defined on 8-bit gray, ARM-SPEC 4.1), and the networks
   * run on {@code input}, the same image as [0, 1] floats at full precision (e.g. 16-bit samples /
   * 65535). With the full grid the canvas keeps that precision.
   *
   * @param input (3, h, w) RGB in [0, 1], the size of {@code lr}
   */
  public UpscaleResult upscale(Rgb8Image lr, PlanarImage input, RoutingMode mode) {
    return upscale(lr, input, List.of(mode)).get(0);
  }

  /** {@link #upscale(Rgb8Image, PlanarImage, RoutingMode)} for several modes at once. */
  public List<UpscaleResult> upscale(Rgb8Image lr, PlanarImage input, List<RoutingMode> modes) {
    long start = System.nanoTime();
    Job job = new Job(lr, input, corrected(modes));
    run(List.of(job), options.batchSize());
    List<UpscaleResult> results = job.results(modes);
    if (modes.size() == 1 && modes.get(0) instanceof RoutingMode.TimeBudget budget) {
      measured(budget, results.get(0).subnets(), job.grid, Batching.Path.WHOLE, start);
    }
    return results;
  }

  /**
   * How a time budget routes on this engine now: for what the engine has measured against its model
   * so far ({@link LatencyFeedback}); other modes as they are. Only a single budget is corrected,
   * since only a single mode's upscale time is its own.
   */
  private List<RoutingMode> corrected(List<RoutingMode> modes) {
    if (modes.size() == 1 && modes.get(0) instanceof RoutingMode.TimeBudget budget) {
      return List.of(budget.corrected(latency.ratio(budget.model())));
    }
    return modes;
  }

  /** Records the wall time since {@code start} of an upscale routed {@code subnets} by a budget. */
  private void measured(
      RoutingMode.TimeBudget budget,
      int[] subnets,
      PatchGrid grid,
      Batching.Path path,
      long start) {
    double ms = (System.nanoTime() - start) / 1e6;
    latency.record(budget.model(), budget.model().predictedMs(subnets, batching(grid, path)), ms);
  }

  /**
   * The ratio of measured to predicted time of this engine's time-budget upscales on {@code model},
   * by which the next budgets are corrected (1 until one was measured).
   */
  public double latencyRatio(TimeModel model) {
    return latency.ratio(model);
  }

  /**
   * Patches per forward pass when several small images are upscaled together ({@link
   * #upscaleJoint}), unless {@code --batch} asks for more: on one libtorch thread a batch of 64
   * costs about 10% less per patch than the 8 to 15 that one small image offers
   * (docs/BENCHMARKS.md).
   */
  public static final int JOINT_BATCH = 64;

  /**
   * Images a folder run hands to one worker at a time ({@code upscale} on a folder, {@code bench}):
   * eight 120x80 images (15 patches each) fill a joint batch and most of a second.
   */
  public static final int JOINT_IMAGES = 8;

  /**
   * True if an image of this size has fewer patches than a joint batch, so that upscaling it
   * together with others ({@link #upscaleJoint}) fills batches it cannot fill alone.
   */
  public boolean joinable(int width, int height) {
    return PatchGrid.of(options.grid(), width, height).size() < jointBatch();
  }

  private int jointBatch() {
    return Math.max(options.batchSize(), JOINT_BATCH);
  }

  /**
   * Upscales several images together, as {@link #upscale(Rgb8Image, PlanarImage, RoutingMode)} does
   * each: every image is scored and routed alone, and the patches that all of them route to one
   * subnet (and that have the same size) share forward passes of up to {@link #JOINT_BATCH}. For
   * folders of small images, whose own patches cannot fill a batch. The results equal the one-image
   * upscales up to the float rounding of a different batch composition (within 1e-5 of the [0, 1]
   * range, {@code JointUpscaleTest}).
   *
   * @param inputs the images as [0, 1] floats at full precision, each the size of its 8-bit view
   * @return one result per image, in order
   */
  public List<UpscaleResult> upscaleJoint(
      List<Rgb8Image> lrs, List<PlanarImage> inputs, RoutingMode mode) {
    List<UpscaleResult> out = new ArrayList<>();
    for (List<UpscaleResult> results : upscaleJoint(lrs, inputs, List.of(mode))) {
      out.add(results.get(0));
    }
    return out;
  }

  /**
   * The joinable images of a group ({@link #joinable}) upscaled together ({@link
   * #upscaleJoint(List, List, List)}); the caller upscales the others alone, one at a time, so that
   * only one large canvas is held at once. ({@code upscale} on a folder instead upscales and writes
   * each large image as it reads it, so as not to hold several large decoded images either.)
   *
   * @param input the [0, 1] float image of {@code lrs.get(i)}, asked for the joinable images only
   * @return per image, in order: its results (one per mode), or null if it is not joinable
   */
  public List<List<UpscaleResult>> upscaleJoinable(
      List<Rgb8Image> lrs, IntFunction<PlanarImage> input, List<RoutingMode> modes) {
    List<Integer> small = new ArrayList<>();
    List<Rgb8Image> smallLrs = new ArrayList<>();
    List<PlanarImage> inputs = new ArrayList<>();
    for (int i = 0; i < lrs.size(); i++) {
      Rgb8Image lr = lrs.get(i);
      if (joinable(lr.width(), lr.height())) {
        small.add(i);
        smallLrs.add(lr);
        inputs.add(input.apply(i));
      }
    }
    List<List<UpscaleResult>> out = new ArrayList<>(Collections.nCopies(lrs.size(), null));
    if (!small.isEmpty()) {
      List<List<UpscaleResult>> joint = upscaleJoint(smallLrs, inputs, modes);
      for (int k = 0; k < small.size(); k++) {
        out.set(small.get(k), joint.get(k));
      }
    }
    return out;
  }

  /**
   * {@link #upscaleJoint(List, List, RoutingMode)} for several modes at once ({@code eval}): each
   * (patch, subnet) output is computed once however many modes use it.
   *
   * @return per image, in order, one result per mode, in the order given
   */
  public List<List<UpscaleResult>> upscaleJoint(
      List<Rgb8Image> lrs, List<PlanarImage> inputs, List<RoutingMode> modes) {
    if (lrs.size() != inputs.size()) {
      throw new IllegalArgumentException(
          lrs.size() + " images but " + inputs.size() + " float inputs");
    }
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < lrs.size(); i++) {
      jobs.add(new Job(lrs.get(i), inputs.get(i), modes));
    }
    run(jobs, jointBatch());
    List<List<UpscaleResult>> out = new ArrayList<>();
    for (Job job : jobs) {
      out.add(job.results(modes));
    }
    return out;
  }

  /**
   * One image of a whole-image upscale: its grid, scores and routings (one per mode), and the
   * canvases its patches are added to.
   */
  private final class Job {
    final PlanarImage input;
    final PatchGrid grid;
    final Scores scored;
    final int[][] choice;
    final double[] costs;
    final int outH;
    final int outW;
    final Weights weights;
    final float[][] canvases;

    Job(Rgb8Image lr, PlanarImage input, List<RoutingMode> modes) {
      if (input.channels() != 3 || input.width() != lr.width() || input.height() != lr.height()) {
        throw new IllegalArgumentException(
            "the float input must be the RGB image of the 8-bit view");
      }
      this.input = input;
      grid = PatchGrid.of(options.grid(), lr.width(), lr.height());
      PsnrTable table = model.table();
      costs = table.costs();
      scored = score(lr, grid, table);
      // Per-patch modes decide each patch alone; a budget mode needs every patch's predictions.
      Batching batching = batching(grid, Batching.Path.WHOLE);
      choice = new int[modes.size()][];
      for (int m = 0; m < modes.size(); m++) {
        choice[m] = modes.get(m).route(scored.predicted(), costs, batching);
      }
      int s = Backbone.SCALE;
      outH = grid.coveredHeight() * s;
      outW = grid.coveredWidth() * s;
      canvases = new float[modes.size()][3 * outH * outW];
      weights = Weights.of(grid);
    }

    /** Adds SR patch {@code b} of a batch of {@code subnet}, patch {@code p} of this image. */
    void add(SrBatch sr, int b, int p, int subnet) {
      PatchGrid.Patch patch = grid.patch(p);
      for (int mode = 0; mode < choice.length; mode++) {
        if (choice[mode][p] == subnet) {
          addWeighted(sr, b, grid, canvases[mode], patch, outW, outH * outW, 0, weights);
        }
      }
    }

    /** The finished canvases (after every batch was added), one result per mode. */
    List<UpscaleResult> results(List<RoutingMode> modes) {
      List<UpscaleResult> results = new ArrayList<>(modes.size());
      for (int m = 0; m < modes.size(); m++) {
        float[] canvas = canvases[m];
        if (weights.divides()) {
          for (int c = 0; c < 3; c++) {
            for (int y = 0; y < outH; y++) {
              weights.divideRow(canvas, (c * outH + y) * outW, y, canvas, (c * outH + y) * outW);
            }
          }
        }
        results.add(
            new UpscaleResult(
                modes.get(m),
                grid,
                scored.edge(),
                choice[m].clone(),
                costs.clone(),
                new PlanarImage(3, outH, outW, canvas)));
      }
      return results;
    }
  }

  /**
   * One forward pass of a whole-image upscale: patch {@code patches[k]} of image {@code images[k]},
   * all run by one subnet and all of one size.
   */
  record JointBatch(int subnet, int[] images, int[] patches) {
    int size() {
      return patches.length;
    }
  }

  /**
   * The forward passes of {@code jobs}: each subnet in turn (bicubic first), and within it each
   * patch size, the images' patches that any of their routings sent there, image by image and in
   * index order, in chunks of at most {@code batchSize}. For one image this is {@link
   * Batching#plan} of the whole-image path, so the time model counts the batches run.
   */
  static List<JointBatch> jointPlan(List<int[][]> choices, List<PatchGrid> grids, int batchSize) {
    int subnets = 0;
    for (int[][] c : choices) {
      for (int[] routing : c) {
        for (int j : routing) {
          subnets = Math.max(subnets, j + 1);
        }
      }
    }
    List<JointBatch> plan = new ArrayList<>();
    for (int subnet = 0; subnet < subnets; subnet++) {
      // Patch size (height, width) to the (image, patch) pairs of that size, in order.
      Map<List<Integer>, List<int[]>> bySize = new LinkedHashMap<>();
      for (int i = 0; i < choices.size(); i++) {
        PatchGrid grid = grids.get(i);
        List<int[]> refs =
            bySize.computeIfAbsent(
                List.of(grid.patchHeight(), grid.patchWidth()), k -> new ArrayList<>());
        for (int p = 0; p < grid.size(); p++) {
          for (int[] routing : choices.get(i)) {
            if (routing[p] == subnet) {
              refs.add(new int[] {i, p});
              break;
            }
          }
        }
      }
      for (List<int[]> refs : bySize.values()) {
        for (int from = 0; from < refs.size(); from += batchSize) {
          int to = Math.min(refs.size(), from + batchSize);
          int[] images = new int[to - from];
          int[] patches = new int[to - from];
          for (int k = from; k < to; k++) {
            images[k - from] = refs.get(k)[0];
            patches[k - from] = refs.get(k)[1];
          }
          plan.add(new JointBatch(subnet, images, patches));
        }
      }
    }
    return plan;
  }

  /** Runs the plan of {@code jobs} on the workers and adds every SR patch to its image. */
  private void run(List<Job> jobs, int batchSize) {
    List<int[][]> choices = new ArrayList<>();
    List<PatchGrid> grids = new ArrayList<>();
    for (Job job : jobs) {
      choices.add(job.choice);
      grids.add(job.grid);
    }
    batches.run(
        jointPlan(choices, grids, batchSize),
        b ->
            gatherAndRun(
                b.size(),
                k -> jobs.get(b.images()[k]).input,
                k -> jobs.get(b.images()[k]).grid.patch(b.patches()[k]),
                grids.get(b.images()[0]),
                b.subnet()),
        (b, sr) -> {
          for (int k = 0; k < b.size(); k++) {
            jobs.get(b.images()[k]).add(sr, k, b.patches()[k], b.subnet());
          }
        });
  }

  /**
   * Edge score (ARM-SPEC 4.1) and predicted PSNR of every subnet (4.3) for every patch of a grid.
   *
   * @param edge {@code [patch]}
   * @param predicted {@code [patch][subnet]}
   */
  record Scores(double[] edge, double[][] predicted) {}

  static Scores score(Rgb8Image lr, PatchGrid grid, PsnrTable table) {
    int n = grid.size();
    double[] scores = new double[n];
    double[][] predicted = new double[n][];
    for (int p = 0; p < n; p++) {
      PatchGrid.Patch patch = grid.patch(p);
      scores[p] = EdgeScore.of(lr, patch.x(), patch.y(), patch.width(), patch.height());
      predicted[p] = table.predict(scores[p]);
    }
    return new Scores(scores, predicted);
  }

  /**
   * The factors each output sample of a patch is multiplied by as it is added to the canvas, for
   * the overlap average (ARM-SPEC 5.4), which divides each sum by the number of patches covering
   * the sample. That count is 1, 2 or 4 in the default grids; a power-of-two weight {@code 1 /
   * count} scales floats exactly, so adding every sample already weighted gives the same floats as
   * dividing the sums afterwards, and saves a pass over the canvas. When some count is not a power
   * of two (the full grid's last patches can overlap three deep), every factor is 1 and the sums
   * are divided at the end ({@link #divideRow}); multiplying by 1 is exact, so both cases give
   * exactly the floats of the plain average.
   *
   * @param rows {@code [outH]} the row factors
   * @param cols {@code [outW]} the column factors
   * @param countY {@code [outH]} patches covering each row, or null when the factors are exact
   * @param countX {@code [outW]} patches covering each column, or null when the factors are exact
   */
  record Weights(float[] rows, float[] cols, float[] countY, float[] countX) {
    /** The weights of the canvas that {@code grid}'s patches cover. */
    static Weights of(PatchGrid grid) {
      int s = Backbone.SCALE;
      return of(
          coverage(grid.ys(), grid.patchHeight() * s, grid.coveredHeight() * s, s),
          coverage(grid.xs(), grid.patchWidth() * s, grid.coveredWidth() * s, s));
    }

    private static Weights of(float[] countY, float[] countX) {
      if (powersOfTwo(countY) && powersOfTwo(countX)) {
        return new Weights(reciprocals(countY), reciprocals(countX), null, null);
      }
      return new Weights(ones(countY.length), ones(countX.length), countY, countX);
    }

    /** Whether the sums still need dividing by the counts. */
    boolean divides() {
      return countY != null;
    }

    /**
     * Writes output row {@code y}'s sums, {@code from[from0 .. from0 + outW)}, divided by their
     * counts, to {@code to[to0 ..]} (which may be the same place).
     */
    void divideRow(float[] from, int from0, int y, float[] to, int to0) {
      float cy = countY[y];
      for (int x = 0; x < countX.length; x++) {
        to[to0 + x] = from[from0 + x] / (cy * countX[x]);
      }
    }

    private static float[] reciprocals(float[] counts) {
      float[] r = new float[counts.length];
      for (int i = 0; i < r.length; i++) {
        r[i] = 1f / counts[i];
      }
      return r;
    }

    private static float[] ones(int n) {
      float[] r = new float[n];
      java.util.Arrays.fill(r, 1f);
      return r;
    }
  }

  private static boolean powersOfTwo(float[] counts) {
    for (float c : counts) {
      int n = (int) c;
      if (n != c || n < 1 || Integer.bitCount(n) != 1) {
        return false;
      }
    }
    return true;
  }

  /** Number of patches covering each output row (or column): 1, 2 or, in the full grid, more. */
  static float[] coverage(int[] origins, int patchOut, int outSize, int scale) {
    float[] count = new float[outSize];
    for (int o : origins) {
      for (int i = 0; i < patchOut; i++) {
        count[o * scale + i]++;
      }
    }
    return count;
  }

  /**
   * Runs one subnet on a group of patches split evenly over the workers, handing each part's SR
   * patches ({@link #runBatch}) to {@code consume} on the calling thread, in order. For work whose
   * output may depend on timing anyway ({@link ProgressiveUpscaler}).
   */
  void runSpread(
      PlanarImage lr,
      PatchGrid grid,
      List<Integer> patches,
      int subnet,
      java.util.function.BiConsumer<List<Integer>, SrBatch> consume) {
    int parts = Math.min(options.workers(), patches.size());
    List<List<Integer>> plan = new ArrayList<>();
    for (int i = 0; i < parts; i++) {
      int from = (int) ((long) patches.size() * i / parts);
      int to = (int) ((long) patches.size() * (i + 1) / parts);
      plan.add(patches.subList(from, to));
    }
    batches.run(plan, part -> runBatch(lr, grid, part, subnet), consume);
  }

  /**
   * Runs one subnet on a batch of patches: gathers them with their context margins and runs {@link
   * #forward}.
   */
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
    int m = options.effectiveMargin();
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
   * else the whole SR patch. The baseline ({@link #officialWay}) always takes the whole output,
   * with weights sliced during the call.
   *
   * @param input {@code n} patches with their margins, (n, inH, inW, 3) when {@code subPixel}, else
   *     (n, 3, inH, inW)
   * @param subPixel {@link #subPixel} of {@code subnet}, as the caller laid out {@code input}
   */
  private SrBatch forward(float[] input, int n, int inH, int inW, int subnet, boolean subPixel) {
    try (NDManager batchManager = model.manager().newSubManager()) {
      if (subPixel) {
        NDArray x = batchManager.create(input, new Shape(n, inH, inW, 3)).transpose(0, 3, 1, 2);
        NDArray out = model.supernet().forwardSubPixel(x, subnet, options.effectiveMargin());
        // Clamped by libtorch in one vectorised pass: in Java, Math.min/max of floats cost more
        // than the rest of the read-out together.
        return new SrBatch(out.clip(0f, 1f).toFloatArray(), true);
      }
      NDArray x = batchManager.create(input, new Shape(n, 3, inH, inW));
      if (officialWay && model.supernet() instanceof AbstractSupernet net) {
        return new SrBatch(net.forwardFromParameters(x, subnet).toFloatArray(), false);
      }
      return new SrBatch(model.supernet().forward(x, subnet).toFloatArray(), false);
    }
  }

  /**
   * The engine's network call alone, as it runs a batch of {@code n} patches of this engine's grid
   * with patch size {@code patchHeight x patchWidth} (margins are added): {@code bench}'s raw
   * forward rate. The input values do not matter for the speed.
   *
   * @param patches at least {@code n * 3 * (patchHeight + 2m) * (patchWidth + 2m)} values
   * @return the number of output floats read back
   */
  public int forwardOnly(float[] patches, int n, int patchHeight, int patchWidth, int subnet) {
    int m = options.effectiveMargin();
    int inH = patchHeight + 2 * m;
    int inW = patchWidth + 2 * m;
    float[] input =
        patches.length == n * 3 * inH * inW
            ? patches
            : java.util.Arrays.copyOf(patches, n * 3 * inH * inW);
    return forward(input, n, inH, inW, subnet, subPixel(subnet)).data().length;
  }

  /**
   * The SR patches of one batch as they come out of the network.
   *
   * @param data (B, 3, 4(H + 2m), 4(W + 2m)) with the margins, unclamped; or with {@code subPixel}
   *     (B, H, W, 48): the centres only, before the x4 pixel shuffle, channels last, clamped to [0,
   *     1] (H, W: the patch in LR pixels, m: the margin)
   */
  record SrBatch(float[] data, boolean subPixel) {}

  /**
   * Adds the kept centre of SR patch {@code b}, on the 0..255 scale and times the overlap weight of
   * each output sample, to the canvas at the patch's place: output sample (c, y, x) is {@code out[c
   * * plane + (y - lo) * outW + x]}, so that a band of rows from {@code lo} can be the canvas (the
   * streamed upscale); the reference grid rounds each patch to 8 bits first ({@link #kept}). The
   * full grid's sub-pixel stitching is the hot loop: the 48 read-out channels of one LR position
   * are read together (Y, c, i, X order), four samples per LR column.
   */
  private void addWeighted(
      SrBatch batch,
      int b,
      PatchGrid grid,
      float[] out,
      PatchGrid.Patch patch,
      int outW,
      int plane,
      int lo,
      Weights weights) {
    int s = Backbone.SCALE;
    boolean reference = options.grid() == Grid.REFERENCE;
    float[] sr = batch.data();
    float[] wy = weights.rows();
    float[] wx = weights.cols();
    int oy = patch.y() * s;
    int ox = patch.x() * s;
    int rows = grid.patchHeight();
    int cols = grid.patchWidth();
    if (!batch.subPixel()) {
      int m = options.effectiveMargin() * s;
      int ph = rows * s;
      int pw = cols * s;
      int srH = ph + 2 * m;
      int srW = pw + 2 * m;
      int base = b * 3 * srH * srW;
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < ph; y++) {
          float w = wy[oy + y];
          int from = base + (c * srH + y + m) * srW + m;
          int to = c * plane + (oy + y - lo) * outW + ox;
          for (int x = 0; x < pw; x++) {
            out[to + x] += kept(sr[from + x], reference) * (w * wx[ox + x]);
          }
        }
      }
      return;
    }
    // (B, H, W, 48), centres only, already clamped: SR sample (c, 4Y + i, 4X + k) of the centre is
    // channel 16c + 4i + k at (Y, X).
    for (int y = 0; y < rows; y++) {
      int from = (b * rows + y) * cols * 48;
      for (int c = 0; c < 3; c++) {
        for (int i = 0; i < s; i++) {
          int yo = oy + s * y + i;
          float w = wy[yo];
          int to = c * plane + (yo - lo) * outW + ox;
          int f = from + c * 16 + i * 4;
          if (reference) {
            // The reference grid rounds every patch to 8 bits, as the release's tensor2img.
            for (int x = 0, xo = ox; x < cols; x++, f += 48, to += 4, xo += 4) {
              for (int k = 0; k < s; k++) {
                out[to + k] += PlanarImage.toByte(sr[f + k]) * (w * wx[xo + k]);
              }
            }
            continue;
          }
          for (int x = 0, xo = ox; x < cols; x++, f += 48, to += 4, xo += 4) {
            out[to] += sr[f] * 255f * (w * wx[xo]);
            out[to + 1] += sr[f + 1] * 255f * (w * wx[xo + 1]);
            out[to + 2] += sr[f + 2] * 255f * (w * wx[xo + 2]);
            out[to + 3] += sr[f + 3] * 255f * (w * wx[xo + 3]);
          }
        }
      }
    }
  }

  /**
   * Writes the kept centre of SR patch {@code b} of a batch from {@link #runBatch} to {@code out}
   * as 0..255 floats (3, 4ph, 4pw): the margin is cut away; the reference grid rounds it to 8 bits
   * as the release's {@code tensor2img} does, the full grid keeps floats and rounds once, at the
   * end. Reads either layout of {@link SrBatch}, doing the pixel shuffle of a sub-pixel batch as it
   * reads.
   */
  void keptCentre(SrBatch batch, int b, PatchGrid grid, float[] out) {
    int s = Backbone.SCALE;
    int m = options.effectiveMargin() * s;
    int ph = grid.patchHeight() * s;
    int pw = grid.patchWidth() * s;
    boolean reference = options.grid() == Grid.REFERENCE;
    float[] sr = batch.data();
    if (!batch.subPixel()) {
      int srH = ph + 2 * m;
      int srW = pw + 2 * m;
      int base = b * 3 * srH * srW;
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < ph; y++) {
          int from = base + (c * srH + y + m) * srW + m;
          int to = (c * ph + y) * pw;
          for (int x = 0; x < pw; x++) {
            out[to + x] = kept(sr[from + x], reference);
          }
        }
      }
      return;
    }
    // (B, H, W, 48), centres only, already clamped: SR sample (c, 4Y + i, 4X + k) of the centre is
    // channel 16c + 4i + k at (Y, X).
    int rows = grid.patchHeight();
    int cols = grid.patchWidth();
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < ph; y++) {
        int to = (c * ph + y) * pw;
        int from = ((b * rows + (y >> 2)) * cols) * 48 + c * 16 + (y & 3) * 4;
        for (int x = 0; x < cols; x++, from += 48) {
          for (int k = 0; k < s; k++) {
            float v = sr[from + k];
            out[to + x * s + k] = reference ? PlanarImage.toByte(v) : v * 255f;
          }
        }
      }
    }
  }

  /** One SR sample on the 0..255 scale: rounded to 8 bits in the reference grid, else clamped. */
  private static float kept(float v, boolean reference) {
    return reference ? PlanarImage.toByte(v) : Math.min(1f, Math.max(0f, v)) * 255f;
  }

  /** Receives the finished rows of a streamed upscale, top to bottom, each exactly once. */
  @FunctionalInterface
  public interface RowSink {
    /**
     * @param y output row
     * @param row the row as (3, outW) planar floats on the 0..255 scale, not rounded; reused after
     *     the call returns
     */
    void row(int y, float[] row);
  }

  /**
   * The routing of a streamed upscale: everything {@link UpscaleResult} holds but the canvas, which
   * went to the {@link RowSink} row by row.
   */
  public record Routed(
      RoutingMode mode, PatchGrid grid, double[] edgeScores, int[] subnets, double[] costs)
      implements RoutedPatches {
    /** The result with the canvas assembled by the caller from the rows. */
    public UpscaleResult withCanvas(PlanarImage canvas) {
      return new UpscaleResult(mode, grid, edgeScores, subnets, costs, canvas);
    }
  }

  /**
   * Upscales one image in horizontal bands: the patches of one grid row run (batched by subnet),
   * and every output row no later patch can touch is finished and handed to {@code sink}. Only a
   * band of about 4 x 32 output rows is held in floats, so the memory is bounded by the image's
   * width, not its area. The rows equal those of {@link #upscale(Rgb8Image, PlanarImage,
   * RoutingMode)} up to the order of float additions.
   */
  public Routed upscaleStreaming(Rgb8Image lr, PlanarImage input, RoutingMode mode, RowSink sink) {
    if (input.channels() != 3 || input.width() != lr.width() || input.height() != lr.height()) {
      throw new IllegalArgumentException("the float input must be the RGB image of the 8-bit view");
    }
    long start = System.nanoTime();
    PatchGrid grid = PatchGrid.of(options.grid(), lr.width(), lr.height());
    PsnrTable table = model.table();
    double[] costs = table.costs();
    Scores scored = score(lr, grid, table);
    Batching batching = batching(grid, Batching.Path.STREAMING);
    int[] choice = corrected(List.of(mode)).get(0).route(scored.predicted(), costs, batching);
    List<Batching.Batch> plan = batching.plan(grid.size(), new int[][] {choice});

    int s = Backbone.SCALE;
    int outH = grid.coveredHeight() * s;
    int outW = grid.coveredWidth() * s;
    int ph = grid.patchHeight() * s;
    Weights weights = Weights.of(grid);
    // band[c][y - lo][x] holds the sums of output rows lo .. lo + ph - 1.
    float[] band = new float[3 * ph * outW];
    float[] row = new float[3 * outW];
    // lo: the first output row not yet handed out; the grid row being stitched.
    int[] state = {0, -1};
    batches.run(
        plan,
        b -> runBatch(input, grid, b.patches(), b.subnet()),
        (b, sr) -> {
          if (b.group() != state[1]) {
            // Rows above this grid row's first output row are final: no later patch reaches them.
            // (Every grid row has patches, so every row starts a group of batches.)
            state[0] = emit(band, row, state[0], grid.ys()[b.group()] * s, outW, ph, weights, sink);
            state[1] = b.group();
          }
          List<Integer> patches = b.patches();
          for (int k = 0; k < patches.size(); k++) {
            PatchGrid.Patch patch = grid.patch(patches.get(k));
            addWeighted(sr, k, grid, band, patch, outW, ph * outW, state[0], weights);
          }
        });
    emit(band, row, state[0], outH, outW, ph, weights, sink);
    if (mode instanceof RoutingMode.TimeBudget budget) {
      measured(budget, choice, grid, Batching.Path.STREAMING, start);
    }
    return new Routed(mode, grid, scored.edge(), choice, costs.clone());
  }

  /** Hands rows {@code lo .. to - 1} to the sink and shifts the band up; returns the new lo. */
  private static int emit(
      float[] band, float[] row, int lo, int to, int outW, int ph, Weights weights, RowSink sink) {
    if (to <= lo) {
      return lo;
    }
    int done = to - lo;
    for (int y = lo; y < to; y++) {
      for (int c = 0; c < 3; c++) {
        int from = (c * ph + (y - lo)) * outW;
        if (weights.divides()) {
          weights.divideRow(band, from, y, row, c * outW);
        } else {
          System.arraycopy(band, from, row, c * outW, outW);
        }
      }
      sink.row(y, row);
    }
    for (int c = 0; c < 3; c++) {
      int base = c * ph * outW;
      System.arraycopy(band, base + done * outW, band, base, (ph - done) * outW);
      java.util.Arrays.fill(band, base + (ph - done) * outW, base + ph * outW, 0f);
    }
    return to;
  }
}

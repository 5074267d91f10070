package io.armsr.infer;

import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.lut.PsnrTable;
import io.armsr.model.Backbone;
import io.armsr.model.Precision;
import io.armsr.route.Batching;
import io.armsr.route.RoutingMode;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * The ARM engine (ARM.md 5): cuts an LR image into patches, scores and routes each patch to a
 * subnet, runs all patches routed to the same subnet as batches, and stitches the SR patches by
 * overlap averaging into the x4 image.
 *
 * <p>Every patch is scored and predicted first ({@link PatchScores}), then each mode routes the
 * whole image: the per-patch modes patch by patch, the budgets all patches at once. Several routing
 * modes can be evaluated in one pass: each (patch, subnet) pair that any mode needs is computed
 * once, which is how {@code eval} reproduces all the golden modes cheaply.
 *
 * <p>The parts: {@link Batching#plan} plans the forward passes, {@link BatchRunner} runs them
 * (gather, forward, copy out), {@link Stitching} puts the SR patches together, {@link
 * StreamingUpscale} does so in bands; {@link #upscaleGroup} is the one entry point for a group of
 * images (a folder, a dataset, a benchmark pass).
 *
 * <p><b>Thread safety.</b> An engine holds no mutable per-call state: one instance over one loaded
 * model serves concurrent callers from many threads, each getting exactly the result of a
 * sequential call. What time budgets learn at run time lives in a {@link
 * io.armsr.route.LatencyFeedback} that the caller owns and passes with the mode ({@link
 * RoutingMode.TimeBudget#withFeedback}).
 */
public final class Upscaler {

  /**
   * @param grid patch grid
   * @param margin LR context pixels around each patch in the full grid (ignored by the reference
   *     grid, which has none)
   * @param batchSize largest number of patches per forward pass
   * @param workers threads running forward passes in parallel ({@link OrderedWorkers}); with
   *     several, each runs libtorch with one intra-op thread (docs/ENGINE.md). The image does not
   *     depend on it.
   * @param precision the convolutions' arithmetic in the full grid ({@link Precision}); the
   *     reference grid, the official pipeline, is always fp32 ({@link #effectivePrecision})
   */
  public record Options(Grid grid, int margin, int batchSize, int workers, Precision precision) {
    /** Patches per forward pass unless told otherwise. */
    public static final int DEFAULT_BATCH = 8;

    /** The largest margin (LR pixels). */
    public static final int MAX_MARGIN = 16;

    /** The largest batch size. */
    public static final int MAX_BATCH = 4096;

    /** The most worker threads. */
    public static final int MAX_WORKERS = 256;

    public Options {
      Objects.requireNonNull(grid, "grid");
      Objects.requireNonNull(precision, "precision");
      if (margin < 0 || margin > MAX_MARGIN) {
        throw new IllegalArgumentException(
            "margin must be 0.." + MAX_MARGIN + " LR pixels, got " + margin);
      }
      if (batchSize < 1 || batchSize > MAX_BATCH) {
        throw new IllegalArgumentException(
            "batch size must be 1.." + MAX_BATCH + " patches, got " + batchSize);
      }
      if (workers < 1 || workers > MAX_WORKERS) {
        throw new IllegalArgumentException(
            "workers must be 1.." + MAX_WORKERS + " threads, got " + workers);
      }
    }

    /** fp32. */
    public Options(Grid grid, int margin, int batchSize, int workers) {
      this(grid, margin, batchSize, workers, Precision.FP32);
    }

    /** One worker, fp32: forward passes on the calling thread. */
    public Options(Grid grid, int margin, int batchSize) {
      this(grid, margin, batchSize, 1);
    }

    /**
     * The full grid, the default margin and batches of {@value #DEFAULT_BATCH}: on one libtorch
     * thread a batch of 8 costs only 5-15% more per patch than one of 64 (docs/BENCHMARKS.md), and
     * small batches let several workers share even a small image.
     */
    public static Options defaults() {
      return new Options(Grid.FULL, Grid.DEFAULT_MARGIN, DEFAULT_BATCH);
    }

    /**
     * The options that the flags {@code --grid}, {@code --margin}, {@code --batch} and {@code
     * --precision} ask for, on one worker: the command line and the Spark job take the same flags
     * and check them here, so that a bad value is reported by its flag's name.
     *
     * @throws IllegalArgumentException naming the flag for a value out of range
     */
    public static Options fromFlags(String grid, int margin, int batch, String precision) {
      Grid g;
      try {
        g = Grid.parse(grid);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--grid must be 'full' or 'reference', got '" + grid + "'");
      }
      if (margin < 0 || margin > MAX_MARGIN) {
        throw new IllegalArgumentException("--margin must be 0.." + MAX_MARGIN + ", got " + margin);
      }
      if (batch < 1 || batch > MAX_BATCH) {
        throw new IllegalArgumentException("--batch must be 1.." + MAX_BATCH + ", got " + batch);
      }
      Precision p;
      try {
        p = Precision.parse(precision);
      } catch (IllegalArgumentException e) {
        throw new IllegalArgumentException(
            "--precision must be fp32, bf16 or auto, got '" + precision + "'");
      }
      return new Options(g, margin, batch).withPrecision(p);
    }

    public Options withGrid(Grid g) {
      return new Options(g, margin, batchSize, workers, precision);
    }

    public Options withWorkers(int n) {
      return new Options(grid, margin, batchSize, n, precision);
    }

    public Options withPrecision(Precision p) {
      return new Options(grid, margin, batchSize, workers, p);
    }

    /** The precision actually used: fp32 in the reference grid. */
    public Precision effectivePrecision() {
      return grid == Grid.REFERENCE ? Precision.FP32 : precision;
    }

    /** The margin actually used: none in the reference grid. */
    public int effectiveMargin() {
      return grid == Grid.REFERENCE ? 0 : margin;
    }
  }

  /**
   * Images a folder run hands to one worker at a time ({@code upscale} on a folder, {@code bench}):
   * eight 120x80 images (15 patches each) fill a joint batch and most of a second.
   */
  public static final int JOINT_IMAGES = 8;

  private final ArmModel model;
  private final Options options;
  private final BatchRunner runner;
  private final Stitching stitching;
  private final Batching.Windows windows;

  public Upscaler(ArmModel model, Options options) {
    this(model, options, false, null);
  }

  /**
   * An engine whose full grid runs {@code windows} ({@link #windows}) instead of the default: for
   * measuring what windows save, and for tests. The reference grid never shares windows.
   */
  public Upscaler(ArmModel model, Options options, Batching.Windows windows) {
    this(model, options, false, Objects.requireNonNull(windows, "windows"));
  }

  /**
   * The baseline of {@code armsr bench}: the release's way of working (ARM.md 5.3), one patch at a
   * time (batch 1) with the weights sliced on every call ({@code width_mult} set on every layer, no
   * pre-sliced copies), over the same grid as {@code options}. Produces the same image as the
   * batched engine.
   */
  public static Upscaler officialWay(ArmModel model, Options options) {
    return new Upscaler(model, new Options(options.grid(), options.margin(), 1, 1), true, null);
  }

  private Upscaler(ArmModel model, Options options, boolean officialWay, Batching.Windows windows) {
    this.model = Objects.requireNonNull(model, "model");
    this.options = Objects.requireNonNull(options, "options");
    this.runner =
        new BatchRunner(
            model,
            options.effectiveMargin(),
            options.workers(),
            officialWay ? Precision.FP32 : options.effectivePrecision(),
            officialWay);
    this.stitching = new Stitching(options.grid(), options.effectiveMargin());
    // The release runs every patch alone; so do the reference grid and the baseline.
    this.windows =
        options.grid() != Grid.FULL || officialWay
            ? Batching.Windows.NONE
            : windows != null ? windows : defaultWindows(model.backbone());
  }

  /**
   * The full grid's windows unless told otherwise: as large as 4 x 8 patches while a window holds
   * no more patches than the backbone's joint batch ({@link Backbone#jointBatch}, what its memory
   * per forward pass allows): 4 x 8 for FSRCNN, 2 x 4 for CARN-M and MSRResNet, whose activations
   * are many times larger; or what the system property {@value Batching.Windows#PROPERTY} says.
   */
  public static Batching.Windows defaultWindows(Backbone backbone) {
    return Batching.Windows.configured(Batching.Windows.within(backbone.jointBatch()));
  }

  public Options options() {
    return options;
  }

  public ArmModel model() {
    return model;
  }

  BatchRunner runner() {
    return runner;
  }

  Stitching stitching() {
    return stitching;
  }

  /**
   * How neighbouring patches routed to one subnet share forward pass windows ({@link
   * Batching.Windows}): {@link #defaultWindows} in the full grid (or what the system property
   * {@value Batching.Windows#PROPERTY} says), none in the reference grid and the baseline.
   */
  public Batching.Windows windows() {
    return windows;
  }

  /**
   * How a time budget counts this engine's forward passes over {@code grid} on {@code path}: its
   * patches in batches, each patch on its own window. The engine's windows ({@link #windows}) run
   * fewer, larger passes than that, which the time model's calibration and its latency feedback
   * absorb.
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
   * 8-bit view {@code lr} (the edge score is defined on 8-bit gray, ARM.md 4.1), and the networks
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
    if (modes.size() == 1) {
      measured(modes.get(0), job.choice[0], job.grid, Batching.Path.WHOLE, start);
    }
    return results;
  }

  /**
   * How a time budget routes now: corrected by its feedback for what was measured against its model
   * so far ({@link io.armsr.route.LatencyFeedback}); other modes as they are. Only a single budget
   * is corrected, since only a single mode's upscale time is its own.
   */
  private static List<RoutingMode> corrected(List<RoutingMode> modes) {
    if (modes.size() == 1
        && modes.get(0) instanceof RoutingMode.TimeBudget budget
        && budget.feedback() != null) {
      return List.of(budget.corrected(budget.feedback().ratio(budget.model())));
    }
    return modes;
  }

  /**
   * Records in a time budget's feedback the wall time since {@code start} of an upscale it routed
   * as {@code subnets}.
   */
  private void measured(
      RoutingMode mode, int[] subnets, PatchGrid grid, Batching.Path path, long start) {
    if (mode instanceof RoutingMode.TimeBudget budget && budget.feedback() != null) {
      double ms = (System.nanoTime() - start) / 1e6;
      budget
          .feedback()
          .record(budget.model(), budget.model().predictedMs(subnets, batching(grid, path)), ms);
    }
  }

  /**
   * True if an image of this size has fewer patches than a joint batch, so that upscaling it
   * together with others ({@link #upscaleJoint}) fills batches it cannot fill alone.
   */
  public boolean joinable(int width, int height) {
    return PatchGrid.of(options.grid(), width, height).size() < jointBatch();
  }

  private int jointBatch() {
    return Math.max(options.batchSize(), model.backbone().jointBatch());
  }

  /**
   * Upscales several images together, as {@link #upscale(Rgb8Image, PlanarImage, RoutingMode)} does
   * each: every image is scored and routed alone, and the patches that all of them route to one
   * subnet (and that have the same size) share forward passes of up to {@link Backbone#jointBatch}
   * (or the batch size, if more). For folders of small images, whose own patches cannot fill a
   * batch. The results equal the one-image upscales up to the float rounding of a different batch
   * composition (within 1e-5 of the [0, 1] range, {@code JointUpscaleTest}).
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
   * One image of a group ({@link #upscaleGroup}): the caller's own view of it, the 8-bit view it is
   * routed on, and its full-precision input, made only if the image is upscaled jointly.
   *
   * @param <T> what the caller reads (a decoded file, an 8-bit image, ...)
   */
  public record GroupImage<T>(T value, Rgb8Image lr, Supplier<PlanarImage> input) {
    public GroupImage {
      Objects.requireNonNull(lr, "lr");
      Objects.requireNonNull(input, "input");
    }

    /** An 8-bit image as its own full-precision input. */
    public static GroupImage<Rgb8Image> of(Rgb8Image lr) {
      return new GroupImage<>(lr, lr, () -> PlanarImage.fromRgb8(lr));
    }
  }

  /** Reads image {@code index} of a group. */
  @FunctionalInterface
  public interface GroupSource<T> {
    GroupImage<T> read(int index) throws IOException;
  }

  /** What the caller does with each image of a group. */
  public interface GroupListener<T> {
    /**
     * Image {@code index} has too many patches to share batches with the others: upscale it as the
     * caller wishes (whole, streamed, ...), now, before the next image is read, so that only one
     * large image is held at once.
     */
    void alone(int index, GroupImage<T> image) throws IOException;

    /**
     * The results of jointly upscaled image {@code index}, one per mode, with its share (by
     * patches) of the joint upscale's seconds. Called in index order, after every image was read.
     */
    void joined(int index, GroupImage<T> image, List<UpscaleResult> results, double seconds)
        throws IOException;

    /**
     * Reading, upscaling or handling image {@code index} failed; the group goes on with the others
     * unless this throws.
     */
    void failed(int index, Exception error) throws IOException;
  }

  /**
   * Upscales a group of images the way a folder is upscaled ({@code upscale} on a folder, {@code
   * eval}, {@code bench}): each image is read in turn; the small ones ({@link #joinable}) are kept
   * and upscaled together ({@link #upscaleJoint(List, List, List)}) once all are read, each other
   * one is handed to {@link GroupListener#alone} as soon as it is read. A failure of one image
   * (reading it, or what the listener does with it) is handed to {@link GroupListener#failed} and
   * fails that image only.
   *
   * @param size the number of images in the group
   * @param modes the routing modes every joined image is upscaled with
   */
  public <T> void upscaleGroup(
      int size, GroupSource<T> source, List<RoutingMode> modes, GroupListener<T> listener)
      throws IOException {
    List<Integer> joined = new ArrayList<>();
    List<GroupImage<T>> images = new ArrayList<>();
    for (int i = 0; i < size; i++) {
      try {
        GroupImage<T> image = source.read(i);
        if (joinable(image.lr().width(), image.lr().height())) {
          joined.add(i);
          images.add(image);
        } else {
          listener.alone(i, image);
        }
      } catch (IOException | RuntimeException e) {
        listener.failed(i, e);
      }
    }
    if (joined.isEmpty()) {
      return;
    }
    List<Rgb8Image> lrs = new ArrayList<>();
    List<PlanarImage> inputs = new ArrayList<>();
    for (GroupImage<T> image : images) {
      lrs.add(image.lr());
      inputs.add(image.input().get());
    }
    long t0 = System.nanoTime();
    List<List<UpscaleResult>> results = upscaleJoint(lrs, inputs, modes);
    double seconds = (System.nanoTime() - t0) / 1e9;
    int patches = 0;
    for (List<UpscaleResult> r : results) {
      patches += r.get(0).grid().size();
    }
    for (int k = 0; k < joined.size(); k++) {
      List<UpscaleResult> r = results.get(k);
      try {
        listener.joined(
            joined.get(k), images.get(k), r, seconds * r.get(0).grid().size() / patches);
      } catch (IOException | RuntimeException e) {
        listener.failed(joined.get(k), e);
      }
    }
  }

  /**
   * One image of a whole-image upscale: its grid, scores and routings (one per mode), and the
   * canvases its patches are added to. Lives for one call.
   */
  private final class Job {
    final PlanarImage input;
    final PatchGrid grid;
    final PatchScores scored;
    final int[][] choice;
    final double[] costs;
    final int outH;
    final int outW;
    final Stitching.Weights weights;
    final float[][] canvases;

    /** {@code [mode][patch]}: the window of its subnet that holds the patch in that routing. */
    final Batching.Window[][] windowOf;

    Job(Rgb8Image lr, PlanarImage input, List<RoutingMode> modes) {
      if (input.channels() != 3 || input.width() != lr.width() || input.height() != lr.height()) {
        throw new IllegalArgumentException(
            "the float input must be the RGB image of the 8-bit view");
      }
      this.input = input;
      grid = PatchGrid.of(options.grid(), lr.width(), lr.height());
      PsnrTable table = model.table();
      costs = table.costs();
      scored = PatchScores.of(lr, grid, table);
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
      weights = Stitching.Weights.of(grid);
      windowOf = new Batching.Window[modes.size()][];
      for (int m = 0; m < modes.size(); m++) {
        windowOf[m] = windows.windowOf(choice[m], grid.cols());
      }
    }

    /**
     * Adds SR patch {@code b} of a batch of {@code subnet}, patch {@code p} of this image, run on
     * {@code window}, to the canvas of every mode that routed it there on that window.
     */
    void add(SrBatch sr, int b, int p, int subnet, Batching.Window window) {
      PatchGrid.Patch patch = grid.patch(p);
      for (int mode = 0; mode < choice.length; mode++) {
        if (choice[mode][p] == subnet && sameWindow(windowOf[mode][p], window)) {
          stitching.addWeighted(sr, b, grid, canvases[mode], patch, outW, outH * outW, 0, weights);
        }
      }
    }

    /** Whether a routing's window of a patch is the window a batch ran it on. */
    private boolean sameWindow(Batching.Window mine, Batching.Window ran) {
      return !windows.shares()
          || (mine.first() == ran.first()
              && mine.rows() == ran.rows()
              && mine.cols() == ran.cols());
    }

    /** The finished canvases (after every batch was added), one result per mode. */
    List<UpscaleResult> results(List<RoutingMode> modes) {
      List<UpscaleResult> results = new ArrayList<>(modes.size());
      for (int m = 0; m < modes.size(); m++) {
        float[] canvas = canvases[m];
        weights.finish(canvas, outH, outW);
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

  /** Plans the forward passes of {@code jobs} and adds every SR patch to its image. */
  private void run(List<Job> jobs, int batchSize) {
    List<Batching.ImageRoutings> routed = new ArrayList<>();
    for (Job job : jobs) {
      routed.add(imageRoutings(job.choice, job.grid));
    }
    List<Batching.Batch> plan = new Batching(Integer.MAX_VALUE, batchSize, windows).plan(routed);
    runner.run(
        plan,
        i -> jobs.get(i).input,
        i -> jobs.get(i).grid,
        (b, sr) -> {
          int k = 0;
          for (Batching.Window w : b.windows()) {
            for (int i = 0; i < w.size(); i++, k++) {
              jobs.get(b.images().get(k)).add(sr, k, b.patches().get(k), b.subnet(), w);
            }
          }
        });
  }

  /**
   * The forward passes this engine runs for one image of grid {@code grid} on {@code path} with
   * routings {@code choices} ({@link Batching#plan}, with its windows).
   */
  public List<Batching.Batch> plan(PatchGrid grid, Batching.Path path, int[][] choices) {
    return Batching.of(path, grid.cols(), options.batchSize(), windows)
        .plan(List.of(imageRoutings(choices, grid)));
  }

  /**
   * The LR pixels this engine's networks run on to upscale an image of grid {@code grid} routed
   * {@code subnets}: the area of every window with its margins, the bicubic branch not counted.
   * With every patch on its own window it is {@code (32 + 2m)^2} per patch; shared windows make it
   * smaller ({@code bench} prints both).
   */
  public long networkPixels(PatchGrid grid, int[] subnets) {
    int m = options.effectiveMargin();
    long sum = 0;
    for (Batching.Batch b : plan(grid, Batching.Path.WHOLE, new int[][] {subnets})) {
      if (b.subnet() == 0) {
        continue;
      }
      for (Batching.Window w : b.windows()) {
        PatchGrid.Patch r = grid.window(w);
        sum += (long) (r.width() + 2 * m) * (r.height() + 2 * m);
      }
    }
    return sum;
  }

  /** An image's routings and patch layout, for the planner. */
  private static Batching.ImageRoutings imageRoutings(int[][] choices, PatchGrid grid) {
    return new Batching.ImageRoutings(
        choices, grid.patchHeight(), grid.patchWidth(), grid.xs(), grid.ys());
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
    return runner.forwardOnly(patches, n, patchHeight, patchWidth, subnet);
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
   * Upscales one image in horizontal bands ({@link StreamingUpscale}): the patches of one band of
   * grid rows (the windows' height, {@link #windows}) run (batched by subnet), and every output row
   * no later patch can touch is finished and handed to {@code sink}. Only a band of at most about 4
   * x (28 x 4 + 4) output rows is held in floats, so the memory is bounded by the image's width,
   * not its area. The rows equal those of {@link #upscale(Rgb8Image, PlanarImage, RoutingMode)} up
   * to the order of float additions.
   */
  public Routed upscaleStreaming(Rgb8Image lr, PlanarImage input, RoutingMode mode, RowSink sink) {
    if (input.channels() != 3 || input.width() != lr.width() || input.height() != lr.height()) {
      throw new IllegalArgumentException("the float input must be the RGB image of the 8-bit view");
    }
    long start = System.nanoTime();
    PatchGrid grid = PatchGrid.of(options.grid(), lr.width(), lr.height());
    PsnrTable table = model.table();
    double[] costs = table.costs();
    PatchScores scored = PatchScores.of(lr, grid, table);
    Batching batching = batching(grid, Batching.Path.STREAMING);
    int[] choice = corrected(List.of(mode)).get(0).route(scored.predicted(), costs, batching);
    List<Batching.Batch> plan = plan(grid, Batching.Path.STREAMING, new int[][] {choice});
    StreamingUpscale band = new StreamingUpscale(grid, stitching, sink, windows.rows());
    runner.run(plan, i -> input, i -> grid, band::add);
    band.finish();
    measured(mode, choice, grid, Batching.Path.STREAMING, start);
    return new Routed(mode, grid, scored.edge(), choice, costs.clone());
  }
}

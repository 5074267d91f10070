package io.armsr.server;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageFormat;
import io.armsr.imagefile.ImageHeader;
import io.armsr.imagefile.ImageMetadata;
import io.armsr.imagefile.ImageReadException;
import io.armsr.imagefile.ReadLimits;
import io.armsr.infer.Grid;
import io.armsr.infer.ImageUpscale;
import io.armsr.infer.OutputSize;
import io.armsr.infer.PatchGrid;
import io.armsr.infer.ProgressiveUpscaler;
import io.armsr.infer.RoutedPatches;
import io.armsr.infer.RoutingMask;
import io.armsr.infer.UpscaleMemory;
import io.armsr.infer.UpscaleResult;
import io.armsr.infer.Upscaler;
import io.armsr.lut.PsnrTable;
import io.armsr.model.Backbone;
import io.armsr.model.EngineThreads;
import io.armsr.route.Batching;
import io.armsr.route.LatencyFeedback;
import io.armsr.route.RoutingChoice;
import io.armsr.route.RoutingMode;
import io.armsr.route.TimeModel;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.Supplier;

/**
 * Image bytes in, image bytes out, with the core engine, exactly as {@code armsr upscale} does it
 * for a file of those bytes ({@link ImageUpscale}): the same pixels, metadata and encoded bytes. No
 * HTTP here: {@link ArmServer} hands a request's body and parameters in and writes what comes back.
 *
 * <p>One {@link Upscaler} over one model serves every request; it holds no per-call state, so
 * concurrent requests get exactly the results of sequential ones. Each request runs on its own
 * (request) thread with one libtorch intra-op thread (docs/ENGINE.md: libtorch's spinning threads
 * and Java threads on the same cores slow each other many times over); {@link Admission} lets
 * {@code workers} of them run at once. Decoding, upscaling and encoding all happen while the
 * request holds its worker, so that at most {@code workers} decoded images and outputs are in
 * memory, and nothing is written to disk.
 */
public final class UpscaleService {

  /** What messages call the uploaded image, in place of a file name. */
  static final String UPLOAD = "upload";

  private final Map<Grid, Upscaler> engines = new EnumMap<>(Grid.class);
  private final Map<Grid, LatencyFeedback> feedback = new EnumMap<>(Grid.class);
  private final Upscaler upscaler;
  private final Admission admission;
  private final ServerOptions options;
  private volatile TimeModel time;

  /**
   * @param upscaler the shared engine, with one worker (forward passes on the calling thread); a
   *     request for the other grid gets an engine of the same options over the same model
   */
  public UpscaleService(Upscaler upscaler, Admission admission, ServerOptions options) {
    this.upscaler = Objects.requireNonNull(upscaler, "upscaler");
    this.admission = Objects.requireNonNull(admission, "admission");
    this.options = Objects.requireNonNull(options, "options");
    if (upscaler.options().workers() != 1) {
      throw new IllegalArgumentException(
          "the service runs each request on one thread: the engine must have 1 worker, not "
              + upscaler.options().workers());
    }
    for (Grid g : Grid.values()) {
      engines.put(
          g,
          g == upscaler.options().grid()
              ? upscaler
              : new Upscaler(upscaler.model(), upscaler.options().withGrid(g)));
      feedback.put(g, new LatencyFeedback());
    }
  }

  public Upscaler upscaler() {
    return upscaler;
  }

  /** The time model budgets are routed on, or null while there is none. */
  public TimeModel time() {
    return time;
  }

  /**
   * Sets the machine's time model ({@link io.armsr.infer.Calibrator}, or a device profile's):
   * {@code auto} under an SLO and {@code budget-ms} route on it, corrected from then on by the
   * requests served ({@link LatencyFeedback}).
   */
  public void time(TimeModel model) {
    this.time = Objects.requireNonNull(model, "model");
  }

  /** The correction of the time model learnt from the requests served on the default grid. */
  public double timeRatio() {
    TimeModel t = time;
    return t == null ? 1 : feedback.get(upscaler.options().grid()).ratio(t);
  }

  /**
   * A response: the encoded image and how it was made.
   *
   * @param aboveBicubic patches run by a network
   * @param flopsShare the routing's FLOPs as a share of running every patch at full width
   * @param psnrGain the mean predicted PSNR gain of the patches over bicubic, dB (the table's)
   * @param budgetMs the time budget the routing was given (auto, budget-ms), or NaN
   * @param timings milliseconds: waiting for a worker, decoding, upscaling, encoding
   */
  public record Upscaled(
      byte[] body,
      ImageFormat format,
      int width,
      int height,
      String routing,
      int[] classes,
      int aboveBicubic,
      double meanFlops,
      double flopsShare,
      double psnrGain,
      double budgetMs,
      boolean anytime,
      double queueMs,
      double decodeMs,
      double upscaleMs,
      double encodeMs,
      List<String> warnings) {}

  /**
   * Upscales the image file {@code body}.
   *
   * @param arrivedNanos {@link System#nanoTime} when the request arrived: its deadline counts from
   *     there
   * @throws ApiError for a bad image (415, 422), one over the limits (413), a size or deadline the
   *     image or engine cannot give (400), or when refused for load (503)
   */
  public Upscaled upscale(byte[] body, UpscaleRequest request, long arrivedNanos)
      throws InterruptedException, IOException {
    return upscale(body, request, arrivedNanos, null);
  }

  /** Told during a progressive upscale, after every batch of patches. */
  @FunctionalInterface
  public interface Progress {
    /**
     * @param upgraded patches upgraded so far
     * @param planned patches the routing upgrades in all
     * @param elapsedMs since the upscale began
     * @param image the x4 image so far, 8-bit (each call costs a pass over the canvas)
     * @throws java.io.UncheckedIOException to stop the upscale (e.g. the client has gone); it is
     *     passed on to the caller, the worker given back
     */
    void batch(int upgraded, int planned, double elapsedMs, Supplier<Rgb8Image> image);
  }

  /**
   * {@link #upscale(byte[], UpscaleRequest, long)}, progressively when {@code progress} is given:
   * the any-time mode, run to completion (or to its deadline), telling {@code progress} after every
   * batch.
   *
   * @param progress null for a plain upscale
   */
  public Upscaled upscale(byte[] body, UpscaleRequest request, long arrivedNanos, Progress progress)
      throws InterruptedException, IOException {
    if (body.length == 0) {
      throw new ApiError(400, ApiError.EMPTY_BODY, "the request body is empty: send an image file");
    }
    Upscaler engine =
        engines.get(request.grid() != null ? request.grid() : upscaler.options().grid());
    LatencyFeedback fb = feedback.get(engine.options().grid());
    TimeModel model = time;
    if (request.deadlineMs() != null && !anytime(engine)) {
      throw ApiError.badParameter("deadline-ms " + anytimeProblem(engine));
    }
    if (progress != null && !anytime(engine)) {
      throw ApiError.badParameter("progress events " + anytimeProblem(engine));
    }
    RoutingChoice choice = request.named() ? request.routing() : options.routing();
    boolean timed = choice != null ? choice.timed() : options.sloMs() > 0;
    if (timed && model == null) {
      throw ApiError.badParameter(
          "budget-ms needs this machine's time model, and this server has none (armsr serve"
              + " measures one at start-up)");
    }
    boolean auto = choice == null && options.sloMs() > 0;
    double slo = options.sloMs();
    Double deadline =
        request.deadlineMs() != null
            ? Double.valueOf(slo > 0 ? Math.min(slo, request.deadlineMs()) : request.deadlineMs())
            : slo > 0 ? Double.valueOf(slo) : null;
    // The any-time mode: asked for with deadline-ms, or followed as events (then stopped at the
    // SLO, if any).
    // The header alone, before anything waits: no image at all (415), over the limits (413), and
    // the sizes that predict this request's least time.
    ImageHeader header = peek(body, engine, !request.size().isX4());
    PatchGrid peeked = PatchGrid.of(engine.options().grid(), header.width(), header.height());
    long inPixels = (long) header.width() * header.height();
    long outPixels = (long) peeked.coveredWidth() * peeked.coveredHeight() * 16;
    double bicubic = 0;
    double fullWidth = Double.POSITIVE_INFINITY;
    if (model != null) {
      Batching batching = engine.batching(peeked, Batching.Path.STREAMING);
      double ratio = fb.ratio(model);
      int n = peeked.size();
      bicubic = ratio * model.uniformMs(n, model.fastestUniform(n, batching), batching);
      fullWidth = ratio * model.uniformMs(n, Backbone.SUBNETS - 1, batching);
    }
    double encodeMs = admission.encodeMs(outPixels);
    double floor = admission.decodeMs(inPixels) + bicubic + encodeMs;
    boolean toDeadline = request.deadlineMs() != null || (progress != null && deadline != null);
    boolean progressive = toDeadline || progress != null;
    // Under the SLO a request is admitted only if it can end within the share of it routings aim
    // at: the rest is kept for what the predictions cannot see.
    Double left =
        deadline == null
            ? null
            : (slo > 0 ? SloPolicy.TARGET : 1) * deadline - sinceMs(arrivedNanos);
    try (Admission.Permit permit = admission.enter(left, slo > 0, floor)) {
      if (EngineThreads.get() != 1) {
        EngineThreads.set(1);
      }
      long t0 = System.nanoTime();
      String[] inputFormat = new String[1];
      ReadLimits limits =
          limits(
              h -> {
                inputFormat[0] = h.format();
                checkMemory(engine, h, progressive, !request.size().isX4());
              });
      DecodedImage image;
      try {
        image = ImageFiles.readImage(body, UPLOAD, limits);
      } catch (ImageReadException e) {
        throw readError(e);
      }
      if (request.stripMetadata()) {
        image = image.withMetadata(ImageMetadata.NONE);
      }
      PatchGrid covered = PatchGrid.of(engine.options().grid(), image.width(), image.height());
      try {
        request
            .size()
            .target(
                covered.coveredWidth() * Backbone.SCALE, covered.coveredHeight() * Backbone.SCALE);
      } catch (IllegalArgumentException e) {
        throw ApiError.badParameter(e.getMessage());
      }
      long t1 = System.nanoTime();
      admission.recordDecodeMs((t1 - t0) / 1e6, inPixels);
      double budgetMs = Double.NaN;
      RoutingMode mode;
      if (auto) {
        double spent = sinceMs(arrivedNanos);
        budgetMs =
            Math.min(
                permit.budgetMs(SloPolicy.TARGET * slo - spent, encodeMs, SloPolicy.TARGET * slo),
                admission.policy().rateCapMs(admission.arrivalRate(), floor - bicubic));
        permit.expectEnd(Math.min(budgetMs, fullWidth) + encodeMs);
      }
      if (auto) {
        mode =
            new RoutingMode.TimeBudget(Math.max(budgetMs, MIN_BUDGET_MS), model).withFeedback(fb);
      } else if (choice != null && choice.timed()) {
        budgetMs = choice.budgetMs();
        mode = new RoutingMode.TimeBudget(budgetMs, model).withFeedback(fb);
      } else {
        mode = (choice != null ? choice : RoutingChoice.DEFAULT).mode();
      }
      ProgressiveUpscaler.Stop stop =
          toDeadline
              ? ProgressiveUpscaler.Stop.deadline(
                  Math.max(0, deadline - sinceMs(arrivedNanos) - encodeMs))
              : progress != null ? ProgressiveUpscaler.Stop.never() : null;
      ProgressiveUpscaler.Listener listener =
          progress == null
              ? null
              : p -> progress.batch(p.upgraded(), p.planned(), p.elapsedMs(), p::image);
      ImageUpscale up = ImageUpscale.of(engine, image, mode, stop, listener, request.size());
      long t2 = System.nanoTime();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageFormat format;
      List<String> warnings;
      DecodedImage output = up.output();
      if (request.mask()) {
        format = ImageFormat.PNG;
        Rgb8Image overlay =
            RoutingMask.withLegend(up.sr(), up.routing(), engine.model().backbone());
        output = DecodedImage.of(overlay);
        warnings = ImageFiles.writeImage(output, format, request.quality(), UPLOAD, out);
      } else {
        format = request.format() != null ? request.format() : formatOf(inputFormat[0]);
        warnings = ImageFiles.writeImage(output, format, request.quality(), UPLOAD, out);
      }
      long t3 = System.nanoTime();
      admission.recordEncodeMs((t3 - t2) / 1e6, (long) output.width() * output.height());
      RoutedPatches routing = up.routing();
      int[] classes = routing.classes();
      double[] costs = routing.costs();
      return new Upscaled(
          out.toByteArray(),
          format,
          output.width(),
          output.height(),
          (auto ? "auto:" : "") + routing.mode().label(),
          classes,
          routing.subnets().length - classes[0],
          routing.meanFlops(),
          routing.meanFlops() / costs[costs.length - 1],
          psnrGain(engine, routing),
          budgetMs,
          progressive,
          permit.waitedMs(),
          (t1 - t0) / 1e6,
          (t2 - t1) / 1e6,
          (t3 - t2) / 1e6,
          warnings);
    }
  }

  /** The server's pixel limit, and {@code check} on every header before decoding. */
  private ReadLimits limits(ImageHeader.Check check) {
    return new ReadLimits(
            Math.min(options.maxPixels(), UpscaleMemory.MAX_UPSCALE_PIXELS), "the server's limit")
        .withHeaderCheck(check);
  }

  /** Carries the header out of a read that stops there. */
  private static final class HeaderOnly extends RuntimeException {
    private static final long serialVersionUID = 1L;
    final transient ImageHeader header;

    HeaderOnly(ImageHeader header) {
      super(null, null, false, false);
      this.header = header;
    }
  }

  /**
   * The image's header, read without decoding a pixel, and checked against the limits (the pixel
   * count, the heap): a body that is no image, or too large, is refused before it waits.
   */
  private ImageHeader peek(byte[] body, Upscaler engine, boolean resized) {
    ReadLimits limits =
        limits(
            header -> {
              checkMemory(engine, header, true, resized);
              throw new HeaderOnly(header);
            });
    try {
      ImageFiles.readImage(body, UPLOAD, limits);
    } catch (HeaderOnly h) {
      return h.header;
    } catch (ImageReadException e) {
      throw readError(e);
    }
    throw new IllegalStateException("an image was decoded past its header check");
  }

  /** The smallest time budget routed: less routes every patch to the fastest (bicubic) branch. */
  static final double MIN_BUDGET_MS = 1e-3;

  /** A reader's refusal as the API's: 415 for what is no image at all, 413, or 422. */
  static ApiError readError(ImageReadException e) {
    String problem = e.getMessage().replaceFirst("^cannot read image " + UPLOAD + ": ", "");
    if (problem.contains("is over the limit of")) {
      return new ApiError(413, ApiError.TOO_LARGE, "the image is too large: " + problem);
    }
    if (problem.contains("(unrecognised content)")) {
      return new ApiError(
          415,
          ApiError.NOT_AN_IMAGE,
          "the body is not an image this server reads (PNG, JPEG, BMP, TIFF or WebP, told by"
              + " its first bytes)");
    }
    return new ApiError(422, ApiError.BAD_IMAGE, "the body is not a readable image: " + problem);
  }

  /**
   * The mean predicted PSNR gain over bicubic of the patches as routed, from the model's
   * Edge-to-PSNR table at each patch's edge score (empty bins skipped).
   */
  static double psnrGain(Upscaler engine, RoutedPatches routing) {
    double[] edge =
        routing instanceof Upscaler.Routed r
            ? r.edgeScores()
            : routing instanceof UpscaleResult u ? u.edgeScores() : null;
    if (edge == null) {
      return Double.NaN;
    }
    PsnrTable table = engine.model().table();
    int[] subnets = routing.subnets();
    double sum = 0;
    int n = 0;
    for (int p = 0; p < subnets.length; p++) {
      double[] predicted = table.predict(edge[p]);
      double gain = predicted[subnets[p]] - predicted[0];
      if (Double.isFinite(gain)) {
        sum += gain;
        n++;
      }
    }
    return n == 0 ? 0 : sum / n;
  }

  /**
   * Runs {@code rounds} upscales of a small synthetic image through the whole path (decode, the
   * streamed and the any-time upscale, encode), outside the admission, so that the first requests
   * do not pay for the JIT: on a cold JVM the first request of the example image took 530 ms, most
   * of it compiling, and under an SLO it would have been answered nearly bicubic.
   */
  public void warmUp(int rounds) throws IOException {
    int w = 96;
    int h = 72;
    byte[] pixels = new byte[w * h * 3];
    for (int i = 0; i < pixels.length; i++) {
      int x = (i / 3) % w;
      int y = (i / 3) / w;
      pixels[i] = (byte) (((x * 7) ^ (y * 13)) + 40 * (i % 3)); // edges, so networks run
    }
    DecodedImage image = DecodedImage.of(new Rgb8Image(w, h, pixels));
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    ImageFiles.writeImage(image, ImageFormat.PNG, 95, UPLOAD, file);
    for (int r = 0; r < rounds; r++) {
      DecodedImage in = ImageFiles.readImage(file.toByteArray(), UPLOAD, ReadLimits.DEFAULT);
      ImageUpscale streamed =
          ImageUpscale.of(upscaler, in, new RoutingMode.Tradeoff(4), null, OutputSize.X4);
      ImageFiles.writeImage(
          streamed.output(), ImageFormat.PNG, 95, UPLOAD, OutputStream.nullOutputStream());
      TimeModel model = time;
      if (model != null) {
        ImageUpscale.of(
            upscaler,
            in,
            new RoutingMode.TimeBudget(10, model).withFeedback(new LatencyFeedback()),
            null,
            OutputSize.X4);
      }
      if (anytime(upscaler)) {
        ImageUpscale.of(
            upscaler,
            in,
            new RoutingMode.Tradeoff(4),
            ProgressiveUpscaler.Stop.never(),
            OutputSize.X4);
      }
    }
  }

  /**
   * Runs the time-budget router (the knapsack) a few thousand times on a small made-up image, so
   * that it is compiled before the calibration times it: interpreted, it took milliseconds per
   * patch, which the time model then charged to every request.
   */
  public void warmUpRouting() {
    PsnrTable table = upscaler.model().table();
    double[] centres = table.binCentres()[table.subnets() - 1];
    java.util.SplittableRandom random = new java.util.SplittableRandom(1);
    int n = 16;
    double[][] predicted = new double[n][];
    for (int p = 0; p < n; p++) {
      predicted[p] =
          table.predict(
              centres[0] + (centres[centres.length - 1] - centres[0]) * random.nextDouble());
    }
    int s = Backbone.SUBNETS;
    double[] perPatch = new double[s];
    double[] perBatch = new double[s];
    for (int j = 0; j < s; j++) {
      perPatch[j] = 0.1 + j;
      perBatch[j] = 0.5;
    }
    TimeModel made =
        new TimeModel(
            Batching.Path.STREAMING, upscaler.options().batchSize(), 1, 0.05, perPatch, perBatch);
    Batching batching = Batching.of(Batching.Path.STREAMING, 4, upscaler.options().batchSize());
    for (int i = 0; i < 3000; i++) {
      new RoutingMode.TimeBudget(2 + (i % 40), made).route(predicted, table.costs(), batching);
    }
  }

  /**
   * Refuses, from the header alone, an image whose upscale cannot fit this server's share of the
   * heap per worker ({@link UpscaleMemory}): every worker may hold such an image at once.
   */
  private void checkMemory(
      Upscaler engine, ImageHeader header, boolean progressive, boolean resized) {
    PatchGrid covered = PatchGrid.of(engine.options().grid(), header.width(), header.height());
    long need =
        UpscaleMemory.leastBytes(
            covered, header.bitDepth() == 16, header.alpha(), progressive, resized);
    long share = Runtime.getRuntime().maxMemory() / options.workers();
    if (need > share) {
      throw new ApiError(
          413,
          ApiError.TOO_LARGE,
          String.format(
              Locale.ROOT,
              "the image is too large: upscaling its %dx%d pixels needs at least %,d MB of Java"
                  + " heap, more than the %,d MB this server has per worker",
              header.width(),
              header.height(),
              (need + (1 << 20) - 1) >> 20,
              share >> 20));
    }
  }

  /** The output format for an input of ImageIO format {@code name}: itself, WebP as PNG. */
  static ImageFormat formatOf(String name) {
    ImageFormat f = name == null ? null : ImageFormat.ofExtension(name.toLowerCase(Locale.ROOT));
    return f != null ? f : ImageFormat.PNG;
  }

  /** Whether the engine can run the any-time mode ({@link ProgressiveUpscaler}). */
  private static boolean anytime(Upscaler engine) {
    return engine.options().grid() == Grid.FULL && engine.options().margin() >= 2;
  }

  private static String anytimeProblem(Upscaler engine) {
    Upscaler.Options o = engine.options();
    return "(the any-time mode) needs the full grid with a margin of at least 2; this server runs"
        + " the "
        + o.grid().id()
        + " grid with margin "
        + o.effectiveMargin();
  }

  private static double sinceMs(long nanos) {
    return (System.nanoTime() - nanos) / 1e6;
  }
}

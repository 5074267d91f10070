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
import io.armsr.infer.RoutingMask;
import io.armsr.infer.UpscaleMemory;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.model.EngineThreads;
import io.armsr.route.RoutingMode;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.util.List;
import java.util.Locale;
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
 * {@code concurrency} of them run at once. Decoding, upscaling and encoding all happen while the
 * request holds its slot, so that at most {@code concurrency} decoded images and outputs are in
 * memory, and nothing is written to disk.
 */
public final class UpscaleService {

  /** What messages call the uploaded image, in place of a file name. */
  static final String UPLOAD = "upload";

  private final Upscaler upscaler;
  private final Admission admission;
  private final ServerOptions options;

  /**
   * @param upscaler the shared engine, with one worker (forward passes on the calling thread)
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
    if (options.sloMs() > 0 && !anytime()) {
      throw new IllegalArgumentException("--slo-ms " + anytimeProblem());
    }
  }

  public Upscaler upscaler() {
    return upscaler;
  }

  /**
   * A response: the encoded image and how it was made.
   *
   * @param aboveBicubic patches run by a network
   * @param timings milliseconds: waiting for a slot, decoding, upscaling, encoding
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
   * @throws ApiError for a bad image (422), one over the limits (413), a size or deadline the image
   *     or engine cannot give (400), or when refused for load (503)
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
     *     passed on to the caller, the engine slot given back
     */
    void batch(int upgraded, int planned, double elapsedMs, Supplier<Rgb8Image> image);
  }

  /**
   * {@link #upscale(byte[], UpscaleRequest, long)}, progressively when {@code progress} is given:
   * the any-time mode, run to completion without a deadline, telling {@code progress} after every
   * batch.
   *
   * @param progress null for a plain upscale
   */
  public Upscaled upscale(byte[] body, UpscaleRequest request, long arrivedNanos, Progress progress)
      throws InterruptedException, IOException {
    if (body.length == 0) {
      throw new ApiError(400, ApiError.EMPTY_BODY, "the request body is empty: send an image file");
    }
    Double deadline =
        request.deadlineMs() != null
            ? request.deadlineMs()
            : options.sloMs() > 0 ? Double.valueOf(options.sloMs()) : null;
    if (request.deadlineMs() != null && !anytime()) {
      throw ApiError.badParameter("deadline-ms " + anytimeProblem());
    }
    if (progress != null && !anytime()) {
      throw ApiError.badParameter("progress events " + anytimeProblem());
    }
    boolean progressive = deadline != null || progress != null;
    Double left = deadline == null ? null : Math.max(0, deadline - sinceMs(arrivedNanos));
    try (Admission.Permit permit = admission.enter(left)) {
      if (EngineThreads.get() != 1) {
        EngineThreads.set(1);
      }
      long t0 = System.nanoTime();
      String[] inputFormat = new String[1];
      ReadLimits limits =
          new ReadLimits(
                  Math.min(options.maxPixels(), UpscaleMemory.MAX_UPSCALE_PIXELS),
                  "the server's limit")
              .withHeaderCheck(
                  header -> {
                    inputFormat[0] = header.format();
                    checkMemory(header, progressive, !request.size().isX4());
                  });
      DecodedImage image;
      try {
        image = ImageFiles.readImage(body, UPLOAD, limits);
      } catch (ImageReadException e) {
        String problem = e.getMessage().replaceFirst("^cannot read image " + UPLOAD + ": ", "");
        boolean over = problem.contains("is over the limit of");
        throw new ApiError(
            over ? 413 : 422,
            over ? ApiError.TOO_LARGE : ApiError.BAD_IMAGE,
            (over ? "the image is too large: " : "the body is not a readable image: ") + problem);
      }
      if (request.stripMetadata()) {
        image = image.withMetadata(ImageMetadata.NONE);
      }
      PatchGrid covered = PatchGrid.of(upscaler.options().grid(), image.width(), image.height());
      try {
        request
            .size()
            .target(
                covered.coveredWidth() * Backbone.SCALE, covered.coveredHeight() * Backbone.SCALE);
      } catch (IllegalArgumentException e) {
        throw ApiError.badParameter(e.getMessage());
      }
      long t1 = System.nanoTime();
      admission.recordDecodeMs((t1 - t0) / 1e6);
      ProgressiveUpscaler.Stop stop =
          deadline != null
              ? ProgressiveUpscaler.Stop.deadline(
                  SloPolicy.upscaleBudgetMs(deadline, sinceMs(arrivedNanos), admission.encodeMs()))
              : progress != null ? ProgressiveUpscaler.Stop.never() : null;
      ProgressiveUpscaler.Listener listener =
          progress == null
              ? null
              : p -> progress.batch(p.upgraded(), p.planned(), p.elapsedMs(), p::image);
      ImageUpscale up =
          ImageUpscale.of(
              upscaler, image, request.routing().mode(), stop, listener, request.size());
      long t2 = System.nanoTime();
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageFormat format;
      List<String> warnings;
      DecodedImage output = up.output();
      if (request.mask()) {
        format = ImageFormat.PNG;
        Rgb8Image overlay =
            RoutingMask.withLegend(up.sr(), up.routing(), upscaler.model().backbone());
        output = DecodedImage.of(overlay);
        warnings = ImageFiles.writeImage(output, format, request.quality(), UPLOAD, out);
      } else {
        format = request.format() != null ? request.format() : formatOf(inputFormat[0]);
        warnings = ImageFiles.writeImage(output, format, request.quality(), UPLOAD, out);
      }
      long t3 = System.nanoTime();
      admission.recordEncodeMs((t3 - t2) / 1e6);
      int[] classes = up.routing().classes();
      return new Upscaled(
          out.toByteArray(),
          format,
          output.width(),
          output.height(),
          up.routing().mode().label(),
          classes,
          up.routing().subnets().length - classes[0],
          up.routing().meanFlops(),
          progressive,
          permit.waitedMs(),
          (t1 - t0) / 1e6,
          (t2 - t1) / 1e6,
          (t3 - t2) / 1e6,
          warnings);
    }
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
      if (anytime()) {
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
   * Refuses, from the header alone, an image whose upscale cannot fit this server's share of the
   * heap per engine slot ({@link UpscaleMemory}): every slot may hold such an image at once.
   */
  private void checkMemory(ImageHeader header, boolean progressive, boolean resized) {
    PatchGrid covered = PatchGrid.of(upscaler.options().grid(), header.width(), header.height());
    long need =
        UpscaleMemory.leastBytes(
            covered, header.bitDepth() == 16, header.alpha(), progressive, resized);
    long share = Runtime.getRuntime().maxMemory() / options.concurrency();
    if (need > share) {
      throw new ApiError(
          413,
          ApiError.TOO_LARGE,
          String.format(
              Locale.ROOT,
              "the image is too large: upscaling its %dx%d pixels needs at least %,d MB of Java"
                  + " heap, more than the %,d MB this server has per engine slot",
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
  private boolean anytime() {
    return upscaler.options().grid() == Grid.FULL && upscaler.options().margin() >= 2;
  }

  private String anytimeProblem() {
    Upscaler.Options o = upscaler.options();
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

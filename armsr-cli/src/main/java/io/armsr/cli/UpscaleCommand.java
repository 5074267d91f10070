package io.armsr.cli;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageExtensions;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageFormat;
import io.armsr.imagefile.ImageFrames;
import io.armsr.imagefile.ImageHeader;
import io.armsr.imagefile.ImageMetadata;
import io.armsr.imagefile.ImageReadException;
import io.armsr.imagefile.ReadLimits;
import io.armsr.infer.ArmModel;
import io.armsr.infer.FolderJob;
import io.armsr.infer.ImageUpscale;
import io.armsr.infer.OutputSize;
import io.armsr.infer.PatchGrid;
import io.armsr.infer.ProgressiveUpscaler;
import io.armsr.infer.RoutedPatches;
import io.armsr.infer.RoutingMask;
import io.armsr.infer.UpscaleMemory;
import io.armsr.infer.UpscaleResult;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code armsr upscale IN OUT}: x4 super-resolution of one image, or of every image of a folder IN
 * into a folder OUT ({@link FolderJob}).
 */
@Command(
    name = "upscale",
    mixinStandardHelpOptions = true,
    description = {
      "Upscale an image x4, routing each 32x32 patch to a sub-network (--scale, --width and"
          + " --height give smaller outputs, resized from the x4 result).",
      "When IN is a folder, every image in it is upscaled into the folder OUT (created if"
          + " missing); existing outputs are skipped (--overwrite to redo), failures are reported"
          + " and the run goes on; the exit code is 3 if any image failed. --recursive mirrors"
          + " the sub-folders too."
    })
final class UpscaleCommand implements Callable<Integer> {

  /** The largest input whose x4 output the upscaler can hold ({@link UpscaleMemory}). */
  static final long MAX_UPSCALE_PIXELS = UpscaleMemory.MAX_UPSCALE_PIXELS;

  @Parameters(
      index = "0",
      paramLabel = "IN",
      description =
          "input image (PNG, JPEG, BMP, TIFF, WebP; gray, alpha and 16-bit kept), or a folder of"
              + " them")
  Path input;

  @Parameters(
      index = "1",
      paramLabel = "OUT",
      description =
          "output image; the format follows the extension (png, jpg, jpeg, bmp, tif, tiff); a"
              + " folder when IN is one")
  Path output;

  @Option(
      names = "--format",
      paramLabel = "EXT",
      description =
          "folders: output format png, jpg, bmp or tif (default: the input's, WebP as png)")
  String format;

  @Option(
      names = "--overwrite",
      description = "folders: redo images whose output exists (default: skip them)")
  boolean overwrite;

  @Option(
      names = "--recursive",
      description =
          "folders: also upscale the images of every sub-folder, mirroring the tree under OUT;"
              + " links leading out of IN are not followed, nor OUT when it lies inside IN")
  boolean recursive;

  @Mixin ThreadOptions threads;

  @Mixin ModelOptions model;

  @Mixin GridOptions grid;

  @Mixin RoutingOptions routing;

  @Option(names = "--mask", paramLabel = "F", description = "also write the routing overlay to F")
  Path mask;

  @Option(
      names = "--quality",
      paramLabel = "Q",
      defaultValue = "95",
      description = "JPEG output quality, 1..100 (default: ${DEFAULT-VALUE})")
  int quality;

  @Option(
      names = "--max-pixels",
      paramLabel = "N",
      defaultValue = "100000000",
      description =
          "refuse inputs of more than N pixels, checked from the header before decoding"
              + " (default: ${DEFAULT-VALUE})")
  long maxPixels;

  @Option(
      names = "--deadline-ms",
      paramLabel = "T",
      description =
          "any-time mode: start from bicubic and upgrade patches (most predicted gain per cost"
              + " first) until the next batch would end after T ms; the routing options choose"
              + " each patch's target")
  Double deadlineMs;

  @Option(
      names = "--scale",
      paramLabel = "S",
      description =
          "output S times the input, 1 < S <= 4 (e.g. 2, 3, 2.5; each side ceil(S x side)): the"
              + " x4 result resized with MATLAB's antialiased bicubic")
  BigDecimal scale;

  @Option(
      names = "--width",
      paramLabel = "W",
      description =
          "output W pixels wide, the height following the aspect (rounded half up); with --height"
              + " the output fits inside W x H; at most x4 of the input")
  Integer width;

  @Option(
      names = "--height",
      paramLabel = "H",
      description =
          "output H pixels high, the width following the aspect; with --width the output fits"
              + " inside W x H; at most x4 of the input")
  Integer height;

  /** The output size asked for (checked first in {@link #call}). */
  private OutputSize outputSize = OutputSize.X4;

  @Option(
      names = "--force",
      description = "allow OUT to be the input file (it is still replaced atomically)")
  boolean force;

  @Option(
      names = "--strip-metadata",
      description =
          "write no ICC profile, EXIF or XMP (by default they are copied from the input where the"
              + " output format holds them)")
  boolean stripMetadata;

  /** Reads an input, its metadata dropped under {@code --strip-metadata}. */
  private DecodedImage read(Path file, ReadLimits limits) throws IOException {
    DecodedImage image = ImageFiles.readImage(file, limits);
    return stripMetadata ? image.withMetadata(ImageMetadata.NONE) : image;
  }

  @Override
  public Integer call() throws IOException {
    int workers = threads.workers(); // checked first; sets libtorch to one intra-op thread
    // Every check that needs no pixels comes first, so a bad option costs nothing and writes
    // nothing.
    if (quality < 1 || quality > 100) {
      throw new IllegalArgumentException("--quality must be 1..100, got " + quality);
    }
    if (maxPixels < 1) {
      throw new IllegalArgumentException("--max-pixels must be at least 1, got " + maxPixels);
    }
    if (deadlineMs != null && !(deadlineMs >= 0)) {
      throw new IllegalArgumentException("--deadline-ms must be >= 0, got " + deadlineMs);
    }
    outputSize = new OutputSize(scale, width, height);
    if (Files.isDirectory(input)) {
      return folder();
    }
    if (format != null || overwrite || recursive) {
      throw new IllegalArgumentException(
          (format != null ? "--format" : overwrite ? "--overwrite" : "--recursive")
              + " is for folders (a single OUT takes its format from its extension and is always"
              + " replaced)");
    }
    ImageFormat.forOutput(output);
    if (mask != null) {
      ImageFormat.forOutput(mask);
      refuseSameFile(mask, input, "--mask", "the input file");
      if (mask.toAbsolutePath().normalize().equals(output.toAbsolutePath().normalize())) {
        throw new IllegalArgumentException("--mask " + mask + " is the same file as OUT");
      }
    }
    if (!force) {
      refuseSameFile(output, input, "OUT", "the input file; refusing to overwrite it (--force)");
    }
    Upscaler.Options options = grid.options().withWorkers(workers);
    var mode = routing.mode(model.backbone, options);
    long start = System.nanoTime();
    DecodedImage in = read(input, limits(options));
    Rgb8Image lr = in.rgb();
    checkSize(options, in, input); // before the model is loaded
    try (ArmModel m = model.load()) {
      ImageUpscale up = upscaleOne(new Upscaler(m, options), in, mode);
      if (!up.routing().withinBudget()) {
        System.err.println(
            "armsr: warning: "
                + mode.label()
                + " cannot be met: the cheapest subnet of every patch costs more; used those");
      }
      for (String warning :
          withFrameNote(input, ImageFiles.writeImage(up.output(), output, quality))) {
        System.err.println("armsr: warning: " + Printable.of(warning));
      }
      if (mask != null) {
        Rgb8Image overlay = RoutingMask.withLegend(up.sr(), up.routing(), m.backbone());
        ImageFiles.writeImage(DecodedImage.of(overlay), mask, quality);
      }
      double seconds = (System.nanoTime() - start) / 1e9;
      System.out.println(
          summary(
              m.backbone(),
              lr,
              up.output().width(),
              up.output().height(),
              up.routing(),
              options.grid().id(),
              seconds));
    }
    return 0;
  }

  /** The x4 result brought to the output size asked for ({@link ImageUpscale#sized}). */
  private DecodedImage sized(DecodedImage x4) {
    return ImageUpscale.sized(x4, outputSize);
  }

  /**
   * Refuses, before any upscaling, an output size that the x4 result of {@code image} cannot give.
   */
  private void checkSize(Upscaler.Options options, DecodedImage image, Path file) {
    PatchGrid covered = PatchGrid.of(options.grid(), image.width(), image.height());
    outputSize.target(
        covered.coveredWidth() * Backbone.SCALE, covered.coveredHeight() * Backbone.SCALE);
  }

  /**
   * Refuses an image whose upscale cannot fit the heap ({@link UpscaleMemory}), from its header
   * alone: before its pixels are decoded, so that even a small file of a huge strip costs nothing.
   */
  private void checkMemory(Upscaler.Options options, ImageHeader header) throws ImageReadException {
    UpscaleMemory.check(
        options.grid(),
        header,
        deadlineMs != null,
        !outputSize.isX4(),
        "give it more with ARMSR_JAVA_OPTS=-Xmx<size>");
  }

  /** One image: streamed, or progressively within {@code --deadline-ms} ({@link ImageUpscale}). */
  private ImageUpscale upscaleOne(Upscaler upscaler, DecodedImage image, RoutingMode mode) {
    return ImageUpscale.of(
        upscaler,
        image,
        mode,
        deadlineMs == null ? null : ProgressiveUpscaler.Stop.deadline(deadlineMs),
        outputSize);
  }

  /**
   * One group of a folder run ({@link Upscaler#upscaleGroup}): each image is read, the small ones
   * are upscaled together and the others one by one ({@link #upscaleOne}); every output is written
   * as soon as it is ready. A failure (unreadable input, unwritable output) fails that image only.
   * Each image's time is its own reading and writing plus its share, by patches, of the joint
   * upscale.
   */
  private List<FolderJob.ItemResult> upscaleGroup(
      Upscaler upscaler, List<FolderJob.Item> items, RoutingMode mode, ReadLimits limits) {
    FolderJob.ItemResult[] results = new FolderJob.ItemResult[items.size()];
    double[] seconds = new double[items.size()];
    long[] started = new long[items.size()];
    try {
      upscaler.upscaleGroup(
          items.size(),
          k -> {
            started[k] = System.nanoTime();
            DecodedImage image = read(items.get(k).input(), limits);
            checkSize(upscaler.options(), image, items.get(k).input());
            seconds[k] = (System.nanoTime() - started[k]) / 1e9;
            return new Upscaler.GroupImage<>(image, image.rgb(), image::toPlanar);
          },
          List.of(mode),
          new Upscaler.GroupListener<DecodedImage>() {
            @Override
            public void alone(int k, Upscaler.GroupImage<DecodedImage> image) throws IOException {
              List<String> warnings =
                  withFrameNote(
                      items.get(k).input(),
                      ImageFiles.writeImage(
                          upscaleOne(upscaler, image.value(), mode).output(),
                          items.get(k).output(),
                          quality));
              results[k] =
                  FolderJob.ItemResult.done(warnings, (System.nanoTime() - started[k]) / 1e9);
            }

            @Override
            public void joined(
                int k,
                Upscaler.GroupImage<DecodedImage> image,
                List<UpscaleResult> upscaled,
                double share)
                throws IOException {
              long t1 = System.nanoTime();
              seconds[k] += share;
              UpscaleResult r = upscaled.get(0);
              DecodedImage output =
                  sized(image.value().upscaled(r.canvas(), r.image(), Backbone.SCALE));
              List<String> warnings =
                  withFrameNote(
                      items.get(k).input(),
                      ImageFiles.writeImage(output, items.get(k).output(), quality));
              seconds[k] += (System.nanoTime() - t1) / 1e9;
              results[k] = FolderJob.ItemResult.done(warnings, seconds[k]);
            }

            @Override
            public void failed(int k, Exception error) {
              results[k] =
                  FolderJob.ItemResult.failed(error, (System.nanoTime() - started[k]) / 1e9);
            }
          });
    } catch (IOException e) {
      // Every failure goes to the listener's failed(), which throws nothing.
      throw new UncheckedIOException(e);
    }
    return List.of(results);
  }

  /**
   * {@code warnings}, and first a note when {@code input} has more frames (TIFF pages, APNG or
   * animated WebP frames) than the one upscaled.
   */
  private static List<String> withFrameNote(Path input, List<String> warnings) {
    int frames = ImageFrames.count(input);
    if (frames <= 1) {
      return warnings;
    }
    List<String> out = new ArrayList<>();
    out.add(
        input.getFileName()
            + " has "
            + frames
            + " frames (pages or animation); only the first is upscaled");
    out.addAll(warnings);
    return out;
  }

  /**
   * The pixel limit, and the heap check of {@link #checkMemory} for upscales with {@code options}.
   */
  private ReadLimits limits(Upscaler.Options options) {
    ReadLimits limits =
        maxPixels <= MAX_UPSCALE_PIXELS
            ? new ReadLimits(maxPixels, "--max-pixels")
            : new ReadLimits(MAX_UPSCALE_PIXELS, "the largest input armsr can upscale x4");
    return limits.withHeaderCheck(header -> checkMemory(options, header));
  }

  /** Folder mode: every image of the folder IN into the folder OUT. */
  private int folder() throws IOException {
    if (mask != null) {
      throw new IllegalArgumentException("--mask is for single images, not folders");
    }
    if (force) {
      throw new IllegalArgumentException("--force is for single images (see --overwrite)");
    }
    String ext = null;
    if (format != null) {
      ext = format.toLowerCase(Locale.ROOT);
      if (!ImageExtensions.WRITABLE.contains(ext)) {
        throw new IllegalArgumentException(
            "--format must be png, jpg, bmp or tif, got '" + format + "'");
      }
    }
    if (Files.exists(output) && !Files.isDirectory(output)) {
      throw new IllegalArgumentException(
          "IN " + input + " is a folder, so OUT must be one too, but " + output + " is a file");
    }
    if (!Files.exists(output) && ImageExtensions.isReadable(output)) {
      // Most likely a mistake (a folder given for an image); a folder of that name can be made
      // first.
      throw new IllegalArgumentException(
          "IN "
              + input
              + " is a folder, so OUT must be a folder too, but "
              + output
              + " names an image file (create the folder first to use that name)");
    }
    if (Files.isDirectory(output) && sameFile(input, output)) {
      throw new IllegalArgumentException(
          "OUT " + output + " is the input folder; choose another folder for the results");
    }
    int workers = threads.workers();
    var mode = routing.mode(model.backbone, grid.options().withWorkers(workers));
    // A folder keeps the cores busy with whole images, each on one core, so no image waits on
    // another's serial work (reading, scoring, encoding). Time limits (--budget-ms, --deadline-ms)
    // are per image and were calibrated for the whole machine: those images go one at a time.
    // Each image in flight holds its 8-bit output and the encoder's copy (about 300 MB for a
    // 7680x4320 result): with a small heap (-Xmx1g) the images go one at a time too.
    boolean timed = deadlineMs != null || mode instanceof RoutingMode.TimeBudget;
    long heapPerImage = 1L << 30;
    int fits =
        (int) Math.max(1, Math.min(workers, Runtime.getRuntime().maxMemory() / heapPerImage));
    int concurrentImages = timed ? 1 : fits;
    Upscaler.Options options = grid.options().withWorkers(concurrentImages == 1 ? workers : 1);
    FolderJob job = FolderJob.plan(input, output, ext, overwrite, recursive);
    if (job.linksNotFollowed() > 0) {
      System.err.printf(
          "armsr: note: not following %d link(s) that leave %s%n", job.linksNotFollowed(), input);
    }
    if (job.outputSkipped()) {
      System.err.printf("armsr: note: skipping %s inside %s (the output folder)%n", output, input);
    }
    Instant runStart = Instant.now();
    Files.createDirectories(output);
    List<Path> stale = job.removeStaleTemporaries(runStart);
    if (!stale.isEmpty()) {
      System.err.printf(
          "armsr: removed %d temporary file(s) left by an interrupted run in %s%n",
          stale.size(), output);
    }
    ReadLimits limits = limits(options);
    FolderJob.Summary summary;
    // The model is loaded once, and not at all when every output exists already.
    try (ArmModel m = job.hasWork() ? model.load() : null) {
      Upscaler upscaler = m == null ? null : new Upscaler(m, options);
      FolderProgress progress = new FolderProgress(System.err, System.console() != null);
      if (timed) {
        FolderJob.Task task =
            (in, out) -> {
              DecodedImage image = read(in, limits);
              checkSize(upscaler.options(), image, in);
              return withFrameNote(
                  in,
                  ImageFiles.writeImage(upscaleOne(upscaler, image, mode).output(), out, quality));
            };
        summary = job.run(task, progress, concurrentImages);
      } else {
        // Each worker takes a few images at a time, so that small ones share forward passes.
        summary =
            job.run(
                items -> upscaleGroup(upscaler, items, mode, limits),
                progress,
                concurrentImages,
                Upscaler.JOINT_IMAGES);
      }
    }
    PrintStream out = System.out;
    out.printf(
        Locale.ROOT,
        "done %d, skipped %d, failed %d (%d images in %s, %.1f s)%n",
        summary.done(),
        summary.skipped(),
        summary.failed(),
        summary.total(),
        input,
        summary.seconds());
    Main.ExitCode code = Main.ExitCode.OK;
    for (FolderJob.Outcome f : summary.failures()) {
      out.println("failed: " + Printable.of(f.item().name()) + ": " + Printable.of(f.reason()));
      Main.ExitCode c = f.error() == null ? Main.ExitCode.BAD_INPUT : Main.classify(f.error());
      code = worse(code, c == Main.ExitCode.USAGE ? Main.ExitCode.BAD_INPUT : c);
    }
    return code.code;
  }

  /** The exit code of a run with failures: internal errors first, then write failures. */
  private static Main.ExitCode worse(Main.ExitCode a, Main.ExitCode b) {
    List<Main.ExitCode> order =
        List.of(
            Main.ExitCode.OK,
            Main.ExitCode.BAD_INPUT,
            Main.ExitCode.BAD_MODEL,
            Main.ExitCode.WRITE_FAILED,
            Main.ExitCode.INTERNAL);
    return order.indexOf(a) >= order.indexOf(b) ? a : b;
  }

  /** The summary line of one image: sizes (the output's final one), routing, FLOPs and time. */
  static String summary(
      Backbone b,
      Rgb8Image lr,
      int outWidth,
      int outHeight,
      RoutedPatches r,
      String gridId,
      double seconds) {
    int[] n = r.classes();
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            "%dx%d -> %dx%d, %s, %s grid, %d patches [bicubic %d",
            lr.width(),
            lr.height(),
            outWidth,
            outHeight,
            r.mode().label(),
            gridId,
            r.grid().size(),
            n[0]));
    for (int j = 1; j < n.length; j++) {
      sb.append(", w").append(b.width(j)).append(' ').append(n[j]);
    }
    double full = b.paperFlops(Backbone.SUBNETS - 1);
    sb.append(
        String.format(
            "], %.1f MFLOPs/patch (%.1f%% of full width; %.1f M true multiply-adds), %.2f s",
            r.meanFlops() / 1e6, 100 * r.meanFlops() / full, r.meanMultiplyAdds(b) / 1e6, seconds));
    return sb.toString();
  }

  private static void refuseSameFile(Path target, Path in, String what, String problem) {
    if (Files.exists(target) && sameFile(in, target)) {
      throw new IllegalArgumentException(what + " " + target + " is " + problem);
    }
  }

  private static boolean sameFile(Path a, Path b) {
    try {
      return Files.isSameFile(a, b);
    } catch (java.io.IOException e) {
      return false;
    }
  }
}

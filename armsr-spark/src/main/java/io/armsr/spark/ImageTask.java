package io.armsr.spark;

import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageFormat;
import io.armsr.imagefile.ImageHeader;
import io.armsr.imagefile.ImageMetadata;
import io.armsr.imagefile.ImageReadException;
import io.armsr.imagefile.ReadLimits;
import io.armsr.infer.ImageUpscale;
import io.armsr.infer.PatchGrid;
import io.armsr.infer.PatchScores;
import io.armsr.infer.UpscaleMemory;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.route.BudgetRouter;
import io.armsr.route.RoutingMode;
import io.armsr.torch.CheckpointFormatException;
import java.io.IOException;
import java.io.Serializable;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.hadoop.conf.Configuration;

/**
 * What an executor does with one image, as {@code armsr upscale IN OUT} does with one file: the
 * same reader and limits (the pixel limit and the heap check from the header, before any pixel is
 * decoded), the same engine options, routing and output size, the same encoder; then the output is
 * written atomically ({@link HadoopFiles}). A failure fails this image only, with its one-line
 * reason and the command line's exit code for it.
 */
final class ImageTask implements Serializable {
  private static final long serialVersionUID = 1L;

  private final JobOptions options;
  private final InputPlan plan;
  private final CorpusBudget.Routing threshold;

  /**
   * @param threshold the corpus budget's routing, or null for the per-image routing
   */
  ImageTask(JobOptions options, InputPlan plan, CorpusBudget.Routing threshold) {
    this.options = options;
    this.plan = plan;
    this.threshold = threshold;
  }

  /** The name messages give an image: its path relative to the input. */
  String name(String path) {
    return plan.relative(path);
  }

  /** Upscales the image {@code path} of bytes {@code content} and writes its output. */
  Manifest process(String path, byte[] content, int workers, Configuration conf) {
    long t0 = System.nanoTime();
    String output = plan.outputOf(path);
    String mode = options.modeLabel();
    String clash = plan.clash(path);
    if (clash != null) {
      return Manifest.failed(path, output, mode, 0, clash, 3);
    }
    try {
      if (!options.overwrite() && HadoopFiles.exists(output, conf)) {
        return Manifest.skipped(path, output, mode);
      }
    } catch (IOException e) {
      return Manifest.failed(path, output, mode, ms(t0), oneLine(e), 5);
    }
    try {
      Prepared prepared = prepare(path, content, workers, conf);
      Upscaler upscaler = prepared.upscaler();
      DecodedImage in = prepared.image();
      PatchGrid grid = prepared.grid();
      double[] costs = upscaler.model().table().costs();
      PatchScores scores = prepared.scores();
      RoutingMode routing =
          threshold == null
              ? options.mode()
              : new RoutingMode.Given(
                  CorpusBudget.ImageHulls.of(
                          CorpusBudget.key(name(path)), scores.predicted(), costs)
                      .choices(threshold));
      ImageUpscale up =
          ImageUpscale.of(upscaler, in, routing, options.anytime(), options.outputSize());
      String outName = new org.apache.hadoop.fs.Path(output).getName();
      ImageFormat format = ImageFormat.forOutput(java.nio.file.Path.of(outName));
      AtomicReference<List<String>> warnings = new AtomicReference<>(List.of());
      try {
        HadoopFiles.write(
            output,
            options.overwrite(),
            conf,
            out ->
                warnings.set(
                    ImageFiles.writeImage(up.output(), format, options.quality(), outName, out)));
      } catch (IOException e) {
        return Manifest.failed(path, output, mode, ms(t0), oneLine(e), 5);
      }
      int[] subnets = up.routing().subnets();
      double mse = 0;
      int counted = 0;
      for (int p = 0; p < subnets.length; p++) {
        double m = BudgetRouter.mse(scores.predicted()[p][subnets[p]]);
        if (Double.isFinite(m)) {
          mse += m;
          counted++;
        }
      }
      double predicted = counted == 0 ? Double.NaN : 10 * Math.log10(255.0 * 255 * counted / mse);
      return new Manifest(
          path,
          output,
          Manifest.DONE,
          in.width(),
          in.height(),
          up.output().width(),
          up.output().height(),
          up.routing().classes(),
          up.routing().meanFlops() / costs[costs.length - 1],
          predicted,
          mode,
          ms(t0),
          null,
          0,
          List.copyOf(warnings.get()));
    } catch (ImageReadException | IllegalArgumentException e) {
      return Manifest.failed(path, output, mode, ms(t0), oneLine(e), 3);
    } catch (CheckpointFormatException e) {
      return Manifest.failed(path, output, mode, ms(t0), oneLine(e), 4);
    } catch (IOException | UncheckedIOException e) {
      return Manifest.failed(path, output, mode, ms(t0), oneLine(e), 5);
    } catch (RuntimeException e) {
      return Manifest.failed(path, output, mode, ms(t0), "internal error: " + oneLine(e), 1);
    }
  }

  /**
   * The image's hulls for the corpus budget's first pass (no network), or null if it cannot be
   * upscaled (it fails again, with its reason, in the second pass).
   */
  CorpusBudget.ImageHulls hulls(String path, byte[] content, int workers, Configuration conf) {
    if (plan.clash(path) != null) {
      return null;
    }
    try {
      Prepared prepared = prepare(path, content, workers, conf);
      return CorpusBudget.ImageHulls.of(
          CorpusBudget.key(name(path)),
          prepared.scores().predicted(),
          prepared.upscaler().model().table().costs());
    } catch (IOException | RuntimeException e) {
      return null;
    }
  }

  /**
   * An image read and scored: this executor's engine, the decoded image, its grid and every patch's
   * edge score and predictions.
   */
  private record Prepared(
      Upscaler upscaler, DecodedImage image, PatchGrid grid, PatchScores scores) {}

  /**
   * Reads and scores an image as both passes need it: decoded as the command line does, its output
   * size checked against the x4 result, every patch scored and predicted (no network).
   */
  private Prepared prepare(String path, byte[] content, int workers, Configuration conf)
      throws IOException {
    Upscaler upscaler = ExecutorModels.upscaler(options, workers, conf);
    DecodedImage in = read(path, content, upscaler.options());
    PatchGrid grid = PatchGrid.of(upscaler.options().grid(), in.width(), in.height());
    options
        .outputSize()
        .target(grid.coveredWidth() * Backbone.SCALE, grid.coveredHeight() * Backbone.SCALE);
    return new Prepared(
        upscaler, in, grid, PatchScores.of(in.rgb(), grid, upscaler.model().table()));
  }

  /** Decodes as the command line does: pixel limit and heap check on the header first. */
  private DecodedImage read(String path, byte[] content, Upscaler.Options engine)
      throws ImageReadException {
    ReadLimits limits = options.pixelLimit().withHeaderCheck(h -> checkMemory(engine, h));
    DecodedImage image = ImageFiles.readImage(content, name(path), limits);
    return options.stripMetadata() ? image.withMetadata(ImageMetadata.NONE) : image;
  }

  private void checkMemory(Upscaler.Options engine, ImageHeader header) throws ImageReadException {
    UpscaleMemory.check(
        engine.grid(),
        header,
        options.deadlineMs() != null,
        !options.outputSize().isX4(),
        "give the executors more with spark.executor.memory");
  }

  private static long ms(long t0) {
    return (System.nanoTime() - t0) / 1_000_000;
  }

  static String oneLine(Throwable e) {
    String m = e.getMessage();
    String text = m == null || m.isBlank() ? e.getClass().getSimpleName() : m;
    return text.replaceAll("\\s*[\\r\\n]+\\s*", " ").strip();
  }
}

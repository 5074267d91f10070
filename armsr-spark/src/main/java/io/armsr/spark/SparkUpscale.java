package io.armsr.spark;

import io.armsr.imagefile.ImageReadException;
import io.armsr.infer.Grid;
import io.armsr.infer.Upscaler;
import io.armsr.torch.CheckpointFormatException;
import java.io.IOException;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.util.Locale;
import java.util.concurrent.Callable;
import org.apache.spark.SparkConf;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code armsr-spark IN OUT [options]}: the Spark job's command line, with the flags of {@code
 * armsr upscale DIR OUTDIR} and {@code --corpus-budget}. Run by {@code spark-submit} (the master
 * comes from there) or by {@code bin/armsr-spark} ({@code --master local[N]}).
 */
@Command(
    name = "armsr-spark",
    mixinStandardHelpOptions = true,
    description = {
      "Upscale every image under IN (a path or glob of any Hadoop file system, recursively) x4"
          + " into OUT, mirroring the relative paths, as a Spark job; outputs that exist are"
          + " skipped, so a failed job is resumed by running it again. A manifest (Parquet and JSON"
          + " lines) gets one row per image. Exit code 3 if any image failed."
    })
public final class SparkUpscale implements Callable<Integer> {

  @Parameters(index = "0", paramLabel = "IN", description = "input folder or glob")
  String input;

  @Parameters(index = "1", paramLabel = "OUT", description = "output folder")
  String output;

  @Option(
      names = "--master",
      paramLabel = "URL",
      description = "Spark master when not given by spark-submit (default: local[*])")
  String master;

  @Option(
      names = "--manifest",
      paramLabel = "DIR",
      description = "manifest folder (default: OUT/_manifest)")
  String manifest;

  @Option(names = "--backbone", defaultValue = "fsrcnn", description = "fsrcnn, carn or srresnet")
  String backbone;

  @Option(names = "--weights", paramLabel = "F", description = "weights (any Hadoop path)")
  String weights;

  @Option(names = "--lut", paramLabel = "F", description = "Edge-to-PSNR table (any Hadoop path)")
  String lut;

  @Option(names = "--grid", defaultValue = "full", description = "full or reference")
  String grid;

  @Option(
      names = "--margin",
      defaultValue = "" + Grid.DEFAULT_MARGIN,
      description = "LR context pixels around each patch (default: ${DEFAULT-VALUE})")
  int margin;

  @Option(
      names = "--batch",
      defaultValue = "" + Upscaler.Options.DEFAULT_BATCH,
      description = "patches per forward pass (default: ${DEFAULT-VALUE})")
  int batch;

  @Option(names = "--precision", defaultValue = "fp32", description = "fp32, bf16 or auto")
  String precision;

  @Option(names = "--subnet", paramLabel = "J", description = "run subnet J on every patch")
  Integer subnet;

  @Option(names = "--best", description = "route each patch to its best predicted PSNR")
  boolean best;

  @Option(names = "--k", paramLabel = "K", description = "ARM's trade-off (default: 4)")
  Double k;

  @Option(
      names = "--budget",
      paramLabel = "F",
      description = "spend at most F (0 < F <= 1) of the full-width cost on each image")
  Double budget;

  @Option(
      names = "--corpus-budget",
      paramLabel = "F",
      description =
          "spend at most F (0 < F <= 1) of the full-width cost on the whole corpus, where it"
              + " lowers the corpus's predicted error most (a first pass scores every image)")
  BigDecimal corpusBudget;

  @Option(
      names = "--corpus-objective",
      defaultValue = "psnr",
      paramLabel = "O",
      description =
          "what --corpus-budget optimises: psnr (default), the images' mean predicted PSNR (a"
              + " few reweighted searches), or mse, the corpus's total predicted squared error"
              + " (one search; its pooled PSNR)")
  String corpusObjective;

  @Option(
      names = "--deadline-ms",
      paramLabel = "T",
      description = "any-time mode per image: upgrade patches until the next batch ends after T ms")
  Double deadlineMs;

  @Option(names = "--format", paramLabel = "EXT", description = "png, jpg, bmp or tif")
  String format;

  @Option(names = "--overwrite", description = "redo images whose output exists")
  boolean overwrite;

  @Option(names = "--quality", defaultValue = "95", description = "JPEG quality, 1..100")
  int quality;

  @Option(
      names = "--max-pixels",
      defaultValue = "100000000",
      description = "refuse inputs of more than N pixels (default: ${DEFAULT-VALUE})")
  long maxPixels;

  @Option(names = "--strip-metadata", description = "write no ICC profile, EXIF or XMP")
  boolean stripMetadata;

  @Option(names = "--scale", paramLabel = "S", description = "output S times the input, 1 < S <= 4")
  BigDecimal scale;

  @Option(names = "--width", paramLabel = "W", description = "output width")
  Integer width;

  @Option(names = "--height", paramLabel = "H", description = "output height")
  Integer height;

  @Option(
      names = "--images-per-task",
      defaultValue = "4",
      description = "about how many images one Spark task upscales (default: ${DEFAULT-VALUE})")
  int imagesPerTask;

  @Option(
      names = "--progress-seconds",
      defaultValue = "60",
      description = "how often the driver logs the images done (default: ${DEFAULT-VALUE})")
  int progressSeconds;

  /** The job's options, checked. */
  JobOptions options() {
    if (progressSeconds < 1) {
      throw new IllegalArgumentException(
          "--progress-seconds must be at least 1, got " + progressSeconds);
    }
    return new JobOptions(
        input,
        output,
        manifest,
        backbone,
        weights,
        lut,
        grid,
        margin,
        batch,
        precision,
        subnet,
        best,
        k,
        budget,
        corpusBudget,
        corpusObjective,
        deadlineMs,
        format,
        overwrite,
        quality,
        maxPixels,
        stripMetadata,
        scale,
        width,
        height,
        imagesPerTask);
  }

  @Override
  public Integer call() throws IOException {
    JobOptions o = options();
    SparkConf conf = new SparkConf();
    SparkSession.Builder builder = SparkSession.builder().appName("armsr-spark");
    if (master != null) {
      builder.master(master);
    } else if (!conf.contains("spark.master")) {
      builder.master("local[*]");
    }
    SparkSession spark = builder.getOrCreate();
    try {
      return report(new UpscaleJob(spark, o, System.err, progressSeconds).run(), System.out);
    } finally {
      spark.stop();
    }
  }

  /** Prints the summary the command line's folder mode prints, and returns the exit code. */
  static int report(UpscaleJob.Summary s, PrintStream out) {
    out.printf(
        Locale.ROOT,
        "done %d, skipped %d, failed %d (%d images, %.1f s)%n",
        s.done(),
        s.skipped(),
        s.failed(),
        s.done() + s.skipped() + s.failed(),
        s.seconds());
    for (String f : s.failures()) {
      out.println("failed: " + f.replaceAll("\\p{Cntrl}", "?"));
    }
    return s.exitCode();
  }

  /** The exit code of an error that stopped the job, as the command line's. */
  static int classify(Throwable e) {
    Throwable t = e;
    while (t instanceof UncheckedIOException && t.getCause() != null) {
      t = t.getCause();
    }
    if (t instanceof ImageReadException) {
      return 3;
    }
    if (t instanceof CheckpointFormatException) {
      return 4;
    }
    if (t instanceof IllegalArgumentException) {
      return 2;
    }
    if (t instanceof IOException) {
      return 5;
    }
    return 1;
  }

  /** Runs the command; returns the exit code (errors are one line on stderr). */
  public static int run(String... args) {
    CommandLine cl = new CommandLine(new SparkUpscale());
    cl.setExecutionExceptionHandler(
        (e, c, p) -> {
          int code = classify(e);
          String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
          c.getErr()
              .println(
                  "armsr-spark: "
                      + (code == 1 ? "internal error: " : "")
                      + m.replaceAll("\\s*[\\r\\n]+\\s*", " "));
          if (code == 1) {
            e.printStackTrace(c.getErr());
          }
          return code;
        });
    cl.setParameterExceptionHandler(
        (e, a) -> {
          e.getCommandLine().getErr().println("armsr-spark: " + e.getMessage());
          return 2;
        });
    return cl.execute(args);
  }

  public static void main(String[] args) {
    System.exit(run(args));
  }
}

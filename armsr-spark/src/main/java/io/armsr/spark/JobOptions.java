package io.armsr.spark;

import io.armsr.imagefile.ImageExtensions;
import io.armsr.imagefile.ReadLimits;
import io.armsr.infer.Grid;
import io.armsr.infer.OutputSize;
import io.armsr.infer.ProgressiveUpscaler;
import io.armsr.infer.UpscaleMemory;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingChoice;
import io.armsr.route.RoutingMode;
import java.io.Serializable;
import java.math.BigDecimal;
import java.util.Locale;

/**
 * Everything a job is asked to do, as the command line spelt it: shipped to every executor, where
 * it builds the same engine options, routing mode and output size as {@code armsr upscale} does
 * from the same flags, so that an image upscaled by the job is the file the command line writes.
 *
 * @param input a path or glob any Hadoop file system reads ({@code /data/in}, {@code
 *     hdfs://nn/photos/*}, {@code s3a://bucket/in})
 * @param output the folder the outputs go to, mirroring the input's relative paths
 * @param manifest the folder of the manifest table ({@code parquet/} and {@code json/} under it)
 * @param weights a Hadoop path of weights, or null (with {@code lut} null: the embedded default)
 * @param subnet {@code --subnet}, or null
 * @param k {@code --k}, or null
 * @param budget {@code --budget} (per image), or null
 * @param corpusBudget {@code --corpus-budget} (the whole corpus), or null
 * @param corpusObjective {@code --corpus-objective}: {@code psnr} (default) or {@code mse}
 * @param deadlineMs {@code --deadline-ms} (per image, any-time), or null
 * @param format {@code --format}: the outputs' extension, or null for the input's (WebP as png)
 * @param scale {@code --scale}, or null; {@code width}, {@code height} likewise
 * @param imagesPerTask about how many images one Spark task upscales
 */
public record JobOptions(
    String input,
    String output,
    String manifest,
    String backbone,
    String weights,
    String lut,
    String grid,
    int margin,
    int batch,
    String precision,
    Integer subnet,
    boolean best,
    Double k,
    Double budget,
    BigDecimal corpusBudget,
    String corpusObjective,
    Double deadlineMs,
    String format,
    boolean overwrite,
    int quality,
    long maxPixels,
    boolean stripMetadata,
    BigDecimal scale,
    Integer width,
    Integer height,
    int imagesPerTask)
    implements Serializable {

  private static final long serialVersionUID = 1L;

  /**
   * Checks every option that needs no file, so that a bad one costs nothing and writes nothing.
   *
   * @throws IllegalArgumentException naming the option
   */
  public JobOptions {
    if (input == null || input.isBlank() || output == null || output.isBlank()) {
      throw new IllegalArgumentException("IN and OUT are required");
    }
    Backbone.parse(backbone);
    if ((weights == null) != (lut == null)) {
      throw new IllegalArgumentException(
          "--weights and --lut go together (give both, or neither for the embedded default)");
    }
    Upscaler.Options.fromFlags(grid, margin, batch, precision);
    routing(subnet, best, k, budget).check("--");
    if (corpusBudget != null) {
      if (subnet != null || best || k != null || budget != null) {
        throw new IllegalArgumentException(
            "--corpus-budget replaces the per-image routing options (give one of them)");
      }
      if (corpusBudget.signum() <= 0 || corpusBudget.compareTo(BigDecimal.ONE) > 0) {
        throw new IllegalArgumentException(
            "--corpus-budget must be in (0, 1], got " + corpusBudget.toPlainString());
      }
      if (deadlineMs != null) {
        throw new IllegalArgumentException("--corpus-budget and --deadline-ms exclude each other");
      }
    }
    CorpusBudget.Objective.parse(corpusObjective);
    if (deadlineMs != null && !(deadlineMs >= 0 && Double.isFinite(deadlineMs))) {
      throw new IllegalArgumentException("--deadline-ms must be >= 0, got " + deadlineMs);
    }
    if (deadlineMs != null && !grid.equalsIgnoreCase(Grid.FULL.id())) {
      throw new IllegalArgumentException("--deadline-ms needs --grid full");
    }
    if (format != null) {
      format = format.toLowerCase(Locale.ROOT);
      if (!ImageExtensions.WRITABLE.contains(format)) {
        throw new IllegalArgumentException(
            "--format must be png, jpg, bmp or tif, got '" + format + "'");
      }
    }
    if (quality < 1 || quality > 100) {
      throw new IllegalArgumentException("--quality must be 1..100, got " + quality);
    }
    if (maxPixels < 1) {
      throw new IllegalArgumentException("--max-pixels must be at least 1, got " + maxPixels);
    }
    new OutputSize(scale, width, height);
    if (imagesPerTask < 1) {
      throw new IllegalArgumentException(
          "--images-per-task must be at least 1, got " + imagesPerTask);
    }
  }

  private static RoutingChoice routing(Integer subnet, boolean best, Double k, Double budget) {
    return new RoutingChoice(subnet, best, k, budget, null);
  }

  /** The engine options, with {@code workers} engine workers (one libtorch thread each). */
  public Upscaler.Options engine(int workers) {
    return Upscaler.Options.fromFlags(grid, margin, batch, precision).withWorkers(workers);
  }

  public Backbone backboneId() {
    return Backbone.parse(backbone);
  }

  /** The per-image routing mode (ARM-L when none is given); not used under a corpus budget. */
  public RoutingMode mode() {
    return routing(subnet, best, k, budget).mode();
  }

  public CorpusBudget.Objective objective() {
    return CorpusBudget.Objective.parse(corpusObjective);
  }

  /** What the manifest and the summary call the routing. */
  public String modeLabel() {
    if (corpusBudget == null) {
      return mode().label();
    }
    return "corpus-budget"
        + corpusBudget.toPlainString()
        + (objective() == CorpusBudget.Objective.MSE ? "" : "-psnr");
  }

  public OutputSize outputSize() {
    return new OutputSize(scale, width, height);
  }

  /** The any-time stop of {@code --deadline-ms}, or null to run every image to completion. */
  public ProgressiveUpscaler.Stop anytime() {
    return deadlineMs == null ? null : ProgressiveUpscaler.Stop.deadline(deadlineMs);
  }

  /** The pixel limit as the command line applies it. */
  public ReadLimits pixelLimit() {
    return maxPixels <= UpscaleMemory.MAX_UPSCALE_PIXELS
        ? new ReadLimits(maxPixels, "--max-pixels")
        : new ReadLimits(
            UpscaleMemory.MAX_UPSCALE_PIXELS, "the largest input armsr can upscale x4");
  }
}

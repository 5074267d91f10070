package io.armsr.spark;

import static org.apache.spark.sql.functions.col;
import static org.apache.spark.sql.functions.lower;

import io.armsr.imagefile.ImageExtensions;
import io.armsr.infer.Upscaler;
import io.armsr.torch.CheckpointFormatException;
import java.io.IOException;
import java.io.PrintStream;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.spark.TaskContext;
import org.apache.spark.api.java.JavaRDD;
import org.apache.spark.api.java.JavaSparkContext;
import org.apache.spark.broadcast.Broadcast;
import org.apache.spark.sql.Dataset;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SaveMode;
import org.apache.spark.sql.SparkSession;
import org.apache.spark.storage.StorageLevel;
import org.apache.spark.util.LongAccumulator;
import org.apache.spark.util.SerializableConfiguration;

/**
 * The Spark job: every image of the input upscaled into the output folder, as {@code armsr upscale
 * DIR OUTDIR --recursive} does on one machine (the same outputs, byte for byte, and the same
 * skipping of finished outputs), on as many executors as the cluster gives.
 *
 * <ol>
 *   <li>The driver lists the input with Spark's {@code binaryFile} source (recursively; Spark
 *       leaves out names starting with {@code .} or {@code _}), keeps the image extensions, plans
 *       every output ({@link InputPlan}) and deletes temporaries a killed job left.
 *   <li>Under {@code --corpus-budget}, a first pass decodes and scores every image (no network) and
 *       keeps its hulls; the driver finds the corpus's threshold by aggregations over them ({@link
 *       CorpusBudget#search}).
 *   <li>The second pass upscales: each task takes a few images (their bytes from {@code
 *       binaryFile}), and each executor's tasks share one engine ({@link ExecutorModels}). Each
 *       image becomes one manifest row; the manifest is written as Parquet, then read back and
 *       written as JSON lines.
 * </ol>
 *
 * The exit code is the command line's folder one: 0 when no image failed, else the worst of 3 (an
 * input), 5 (an output not written), 1 (internal).
 */
public final class UpscaleJob {

  /** What a run did. */
  public record Summary(
      long done,
      long skipped,
      long failed,
      int exitCode,
      CorpusBudget.Result budget,
      List<String> failures,
      double seconds) {}

  /** The failures the summary names; the manifest has them all. */
  static final int MAX_FAILURES_LISTED = 1000;

  private final SparkSession spark;
  private final JobOptions options;
  private final PrintStream log;
  private final int progressSeconds;

  /**
   * @param log where progress and notes go (the driver's stderr)
   * @param progressSeconds how often the driver logs the images done
   */
  public UpscaleJob(SparkSession spark, JobOptions options, PrintStream log, int progressSeconds) {
    this.spark = spark;
    this.options = options;
    this.log = log;
    this.progressSeconds = progressSeconds;
  }

  /** Runs the job. */
  public Summary run() throws IOException {
    long start = System.currentTimeMillis();
    Configuration conf = spark.sparkContext().hadoopConfiguration();
    double[] costs = checkModel(conf);

    Path outRoot = new Path(options.output());
    String outBase = HadoopFiles.fileSystem(outRoot, conf).makeQualified(outRoot).toString();
    String base = InputPlan.baseOf(options.input());
    Path baseRoot = new Path(base);
    String qualifiedBase =
        HadoopFiles.fileSystem(baseRoot, conf).makeQualified(baseRoot).toString();
    String pattern =
        qualifiedBase
            + options.input().substring(Math.min(options.input().length(), trimmed(base).length()));
    if (outBase.equals(qualifiedBase)) {
      throw new IllegalArgumentException(
          "OUT "
              + options.output()
              + " is the input folder; choose another folder for the results");
    }
    Dataset<Row> files = images(pattern, outBase);
    List<Row> listing = files.select("path", "length").collectAsList();
    if (listing.isEmpty()) {
      throw new IllegalArgumentException(
          options.input() + ": no images (" + ImageExtensions.describeReadable() + ")");
    }
    List<String> paths = new ArrayList<>();
    long bytes = 0;
    for (Row r : listing) {
      paths.add(r.getString(0));
      bytes += r.getLong(1);
    }
    log.printf(
        Locale.ROOT,
        "armsr-spark: %d images listed, %.1f s after the start%n",
        paths.size(),
        (System.currentTimeMillis() - start) / 1e3);
    InputPlan plan = InputPlan.of(qualifiedBase, outBase, options.format(), paths);
    Set<String> outputs = new HashSet<>();
    for (String p : paths) {
      outputs.add(plan.outputOf(p));
    }
    int stale = HadoopFiles.removeStaleTemporaries(outBase, outputs, start, conf);
    if (stale > 0) {
      log.printf(
          "armsr-spark: removed %d temporary file(s) left by an interrupted run in %s%n",
          stale, outBase);
    }
    // A few images per task: each image is seconds of work, so tasks are cut by count, not bytes.
    long average = Math.max(1, bytes / paths.size());
    String openCost = spark.conf().get("spark.sql.files.openCostInBytes");
    String maxBytes = spark.conf().get("spark.sql.files.maxPartitionBytes");
    spark.conf().set("spark.sql.files.openCostInBytes", Long.toString(average));
    spark
        .conf()
        .set(
            "spark.sql.files.maxPartitionBytes",
            Long.toString(2 * average * options.imagesPerTask()));
    try {
      SerializableConfiguration sconf = new SerializableConfiguration(conf);
      CorpusBudget.Result budget = null;
      if (options.corpusBudget() != null) {
        budget = corpusBudget(files, plan, costs, sconf);
      }
      return upscale(files, plan, budget, sconf, paths.size(), start);
    } finally {
      spark.conf().set("spark.sql.files.openCostInBytes", openCost);
      spark.conf().set("spark.sql.files.maxPartitionBytes", maxBytes);
    }
  }

  private static String trimmed(String s) {
    return s.length() > 1 && s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
  }

  /** The image files of the input, outputs inside it left out, as {@code binaryFile} rows. */
  private Dataset<Row> images(String pattern, String outBase) {
    String extensions = String.join("|", ImageExtensions.READABLE);
    return spark
        .read()
        .format("binaryFile")
        .option("recursiveFileLookup", "true")
        .load(pattern)
        .filter(lower(col("path")).rlike("\\.(" + extensions + ")$"))
        .filter(col("path").startsWith(outBase + "/").unary_$bang());
  }

  /**
   * Loads the model on the driver (a bad model stops the job before any task, exit 4) and ships
   * {@code --weights}/{@code --lut} to the executors.
   *
   * @return the table's cost of every subnet
   */
  private double[] checkModel(Configuration conf) throws IOException {
    if (options.weights() != null) {
      for (String[] f :
          new String[][] {{options.weights(), "--weights"}, {options.lut(), "--lut"}}) {
        Path p = new Path(f[0]);
        FileSystem fs = HadoopFiles.fileSystem(p, conf);
        if (!fs.isFile(p)) {
          throw new CheckpointFormatException(
              java.nio.file.Path.of(f[0]),
              (fs.exists(p) ? "is a folder, not a file (" : "no such file (") + f[1] + ")");
        }
      }
    }
    Upscaler upscaler = ExecutorModels.upscaler(options, 1, conf);
    if (options.weights() != null) {
      spark.sparkContext().addFile(options.weights());
      spark.sparkContext().addFile(options.lut());
    }
    return upscaler.model().table().costs();
  }

  /** The corpus budget's first pass and the search for its threshold. */
  private CorpusBudget.Result corpusBudget(
      Dataset<Row> files, InputPlan plan, double[] costs, SerializableConfiguration sconf) {
    long t0 = System.nanoTime();
    ImageTask task = new ImageTask(options, plan, null);
    JavaRDD<CorpusBudget.ImageHulls> hulls =
        files
            .select("path", "content")
            .javaRDD()
            .mapPartitions(rows -> hulls(rows, task, sconf))
            .persist(StorageLevel.MEMORY_AND_DISK_SER());
    try {
      long patches = hulls.map(h -> (long) h.patches()).fold(0L, Long::sum);
      BigDecimal total = CorpusBudget.budget(options.corpusBudget(), patches, costs);
      int subnets = costs.length;
      CorpusBudget.Result r =
          CorpusBudget.solve(
              (rounds, candidates) -> {
                List<CorpusBudget.Threshold> prior = new ArrayList<>(rounds);
                List<CorpusBudget.Threshold> list = new ArrayList<>(candidates);
                return hulls.treeAggregate(
                    new long[list.size()][subnets],
                    (acc, h) -> CorpusBudget.add(acc, h, prior, list),
                    CorpusBudget::sum);
              },
              costs,
              total,
              options.objective());
      log.printf(
          Locale.ROOT,
          "armsr-spark: corpus budget %s (%s): %d patches, %.4f of full width (budget %.4f),"
              + " lambda %s, %d aggregations, %.1f s%n",
          options.corpusBudget().toPlainString(),
          options.objective().name().toLowerCase(Locale.ROOT),
          patches,
          share(r.cost(), patches, costs),
          options.corpusBudget().doubleValue(),
          r.threshold().lambda(),
          r.passes(),
          (System.nanoTime() - t0) / 1e9);
      if (!r.withinBudget()) {
        log.println(
            "armsr-spark: warning: the corpus budget cannot be met: the cheapest subnet of every"
                + " patch costs more; used those");
      }
      return r;
    } finally {
      hulls.unpersist(false);
    }
  }

  /** The hulls of one partition's images that can be upscaled. */
  private static Iterator<CorpusBudget.ImageHulls> hulls(
      Iterator<Row> rows, ImageTask task, SerializableConfiguration sconf) {
    List<CorpusBudget.ImageHulls> out = new ArrayList<>();
    int workers = TaskContext.get().cpus();
    while (rows.hasNext()) {
      Row r = rows.next();
      CorpusBudget.ImageHulls h = task.hulls(r.getString(0), r.getAs(1), workers, sconf.value());
      if (h != null) {
        out.add(h);
      }
    }
    return out.iterator();
  }

  /** The cost as a share of running {@code patches} at full width. */
  static double share(BigDecimal cost, long patches, double[] costs) {
    return patches == 0 ? 0 : cost.doubleValue() / ((double) patches * costs[costs.length - 1]);
  }

  /** The second pass: upscale, write, manifest. */
  private Summary upscale(
      Dataset<Row> files,
      InputPlan plan,
      CorpusBudget.Result budget,
      SerializableConfiguration sconf,
      int total,
      long start)
      throws IOException {
    ImageTask task = new ImageTask(options, plan, budget == null ? null : budget.routing());
    JavaSparkContext jsc = JavaSparkContext.fromSparkContext(spark.sparkContext());
    Broadcast<ImageTask> shared = jsc.broadcast(task);
    LongAccumulator processed = spark.sparkContext().longAccumulator("armsr images");
    JavaRDD<Row> rows =
        files
            .select("path", "content")
            .javaRDD()
            .mapPartitions(in -> manifestRows(in, shared.value(), sconf, processed));
    String manifest = manifestFolder();
    ScheduledExecutorService progress = Executors.newSingleThreadScheduledExecutor();
    long t0 = System.nanoTime();
    progress.scheduleAtFixedRate(
        () -> {
          long n = processed.value();
          double minutes = (System.nanoTime() - t0) / 6e10;
          log.printf(
              Locale.ROOT,
              "armsr-spark: %d of %d images (%.1f per minute)%n",
              n,
              total,
              minutes > 0 ? n / minutes : 0);
        },
        progressSeconds,
        progressSeconds,
        TimeUnit.SECONDS);
    try {
      spark
          .createDataFrame(rows, Manifest.SCHEMA)
          .write()
          .mode(SaveMode.Overwrite)
          .parquet(manifest + "/parquet");
    } finally {
      progress.shutdownNow();
      shared.destroy();
    }
    log.printf(
        Locale.ROOT,
        "armsr-spark: upscale pass over %d images: %.1f s%n",
        total,
        (System.nanoTime() - t0) / 1e9);
    // The rows as written, not recomputed: a second evaluation would find the outputs done.
    Dataset<Row> written = spark.read().parquet(manifest + "/parquet");
    written.coalesce(1).write().mode(SaveMode.Overwrite).json(manifest + "/json");
    long done = 0;
    long skipped = 0;
    long failed = 0;
    for (Row r : written.groupBy("status").count().collectAsList()) {
      switch (r.getString(0)) {
        case Manifest.DONE -> done = r.getLong(1);
        case Manifest.SKIPPED -> skipped = r.getLong(1);
        default -> failed += r.getLong(1);
      }
    }
    int code = 0;
    List<String> failures = new ArrayList<>();
    for (Row r :
        written
            .filter(col("status").equalTo(Manifest.FAILED))
            .select("input", "error", "exitCode")
            .orderBy("input")
            .limit(MAX_FAILURES_LISTED)
            .collectAsList()) {
      failures.add(plan.relative(r.getString(0)) + ": " + r.getString(1));
      code = worse(code, r.getInt(2));
    }
    if (failed > MAX_FAILURES_LISTED) {
      failures.add("... and " + (failed - MAX_FAILURES_LISTED) + " more (see the manifest)");
      for (Row r : written.groupBy("exitCode").count().collectAsList()) {
        code = worse(code, r.getInt(0));
      }
    }
    return new Summary(
        done, skipped, failed, code, budget, failures, (System.currentTimeMillis() - start) / 1e3);
  }

  /** The manifest rows of one partition's images, each upscaled when its row is asked for. */
  private static Iterator<Row> manifestRows(
      Iterator<Row> in, ImageTask task, SerializableConfiguration sconf, LongAccumulator done) {
    int workers = TaskContext.get().cpus();
    return new Iterator<Row>() {
      @Override
      public boolean hasNext() {
        return in.hasNext();
      }

      @Override
      public Row next() {
        Row r = in.next();
        Manifest m = task.process(r.getString(0), r.getAs(1), workers, sconf.value());
        done.add(1);
        return m.toRow();
      }
    };
  }

  /** The manifest's folder: {@code --manifest}, or {@code _manifest} in the output folder. */
  private String manifestFolder() {
    return options.manifest() != null
        ? options.manifest()
        : trimmed(options.output()) + "/_manifest";
  }

  /** The worse of two exit codes: internal errors first, then write failures, then inputs. */
  static int worse(int a, int b) {
    List<Integer> order = List.of(0, 3, 4, 5, 1);
    return order.indexOf(a) >= order.indexOf(b) ? a : b;
  }
}

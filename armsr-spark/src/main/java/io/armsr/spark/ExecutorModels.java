package io.armsr.spark;

import io.armsr.infer.ArmModel;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.model.EngineThreads;
import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.Map;
import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.Path;
import org.apache.spark.SparkFiles;

/**
 * The engines of one JVM (an executor, or the driver in {@code local[N]}): each model is loaded
 * once, on first use, and shared by every task the JVM runs, since an {@link Upscaler} over one
 * model serves concurrent callers with exactly the results of sequential ones. Each task drives
 * libtorch with one intra-op thread per core it holds ({@code spark.task.cpus}, 1 by default), so
 * the executor's cores are its tasks' cores.
 *
 * <p>Weights and tables given by {@code --weights}/{@code --lut} are any Hadoop file system's
 * paths: the driver ships them with {@code SparkContext.addFile}, and an executor loads its local
 * copy ({@link SparkFiles#get}).
 */
final class ExecutorModels {

  private static final Map<String, ArmModel> MODELS = new HashMap<>();
  private static final Map<String, Upscaler> ENGINES = new HashMap<>();

  private ExecutorModels() {}

  /**
   * The engine for {@code options} with {@code workers} workers, loading its model on first use.
   */
  static synchronized Upscaler upscaler(JobOptions options, int workers, Configuration conf)
      throws IOException {
    String modelKey = options.backbone() + "|" + options.weights() + "|" + options.lut();
    Upscaler.Options engine = options.engine(workers);
    String key = modelKey + "|" + engine;
    Upscaler u = ENGINES.get(key);
    if (u == null) {
      ArmModel m = MODELS.get(modelKey);
      if (m == null) {
        m = load(options, conf);
        MODELS.put(modelKey, m);
      }
      u = new Upscaler(m, engine);
      ENGINES.put(key, u);
    }
    return u;
  }

  private static ArmModel load(JobOptions options, Configuration conf) throws IOException {
    // libtorch reads its intra-op thread count once, when the engine starts: one per worker.
    if (System.getProperty(EngineThreads.PROPERTY) == null) {
      System.setProperty(EngineThreads.PROPERTY, "1");
    }
    Backbone b = options.backboneId();
    if (options.weights() == null) {
      return ArmModel.loadDefault(b);
    }
    return ArmModel.load(b, local(options.weights(), conf), local(options.lut(), conf));
  }

  /**
   * A local copy of the model file {@code path}: the one {@code addFile} shipped, else (the driver
   * before the job starts) a copy read through the path's file system.
   */
  static java.nio.file.Path local(String path, Configuration conf) throws IOException {
    Path p = new Path(path);
    try {
      File shipped = new File(SparkFiles.get(p.getName()));
      if (shipped.isFile()) {
        return shipped.toPath();
      }
    } catch (RuntimeException e) {
      // no SparkContext here (a plain library call): read the path directly
    }
    if ("file".equals(HadoopFiles.fileSystem(p, conf).getUri().getScheme())
        || p.toUri().getScheme() == null) {
      return java.nio.file.Path.of(p.toUri().getPath());
    }
    java.nio.file.Path tmp = Files.createTempFile("armsr-model-", "-" + p.getName());
    tmp.toFile().deleteOnExit();
    try {
      HadoopFiles.fileSystem(p, conf).copyToLocalFile(false, p, new Path(tmp.toUri()), true);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + path + ": " + e.getMessage(), e);
    }
    return tmp;
  }
}

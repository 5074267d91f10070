package io.armsr.spark;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.apache.spark.sql.SparkSession;
import picocli.CommandLine;

/** The tests' Spark: one {@code local[2]} session for the whole test JVM, and job helpers. */
final class LocalSpark {
  private static SparkSession spark;

  private LocalSpark() {}

  static synchronized SparkSession session() {
    if (spark == null) {
      spark =
          SparkSession.builder()
              .master("local[2]")
              .appName("armsr-spark-test")
              .config("spark.ui.enabled", "false")
              .config("spark.ui.showConsoleProgress", "false")
              .config("spark.sql.shuffle.partitions", "2")
              .config("spark.driver.host", "127.0.0.1")
              .config("spark.driver.bindAddress", "127.0.0.1")
              .getOrCreate();
      spark.sparkContext().setLogLevel("ERROR");
    }
    return spark;
  }

  /** The job's options from its command line, exactly as {@code armsr-spark} parses them. */
  static JobOptions options(String... args) {
    SparkUpscale command = new SparkUpscale();
    new CommandLine(command).parseArgs(args);
    return command.options();
  }

  /** Runs the job with these command-line arguments on the shared session. */
  static UpscaleJob.Summary run(String... args) throws IOException {
    return new UpscaleJob(
            session(), options(args), new PrintStream(PrintStream.nullOutputStream()), 60)
        .run();
  }

  /** The manifest rows of a run, by input path. */
  static List<Row> manifest(Path out) {
    return session()
        .read()
        .parquet(out.resolve("_manifest/parquet").toString())
        .orderBy("input")
        .collectAsList();
  }

  /** The image files under {@code dir}, relative, sorted; hidden and manifest files left out. */
  static List<String> files(Path dir) throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).sorted().toList()) {
        String rel = dir.relativize(p).toString();
        if (!rel.startsWith("_manifest")) {
          out.add(rel);
        }
      }
    }
    return out;
  }

  /** A crop of the repository's example photograph, written in the format of {@code file}. */
  static void example(Path file, int x, int y, int w, int h) throws IOException {
    Rgb8Image photo = ImageFiles.read(io.armsr.testing.Shared.inRepo("examples/kodim23-lr.png"));
    Files.createDirectories(file.toAbsolutePath().getParent());
    ImageFiles.writeImage(DecodedImage.of(photo.crop(x, y, w, h)), file, 95);
  }
}

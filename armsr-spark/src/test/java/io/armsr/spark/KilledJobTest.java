package io.armsr.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.cli.Main;
import io.armsr.imagefile.ImageFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A job killed part-way (SIGKILL of a real {@code local[2]} job in a child JVM: no shutdown hook,
 * no cleanup) leaves only complete outputs, and running it again finishes the rest, keeps what was
 * done and removes the killed writes' temporaries.
 */
class KilledJobTest {
  @TempDir Path dir;

  @Test
  void aKilledJobRunAgainEndsWithEveryOutputComplete() throws Exception {
    Path in = dir.resolve("in");
    Path out = dir.resolve("out");
    int n = 12;
    List<String> names = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      String name = String.format("part%d/img%02d.png", i % 2, i);
      LocalSpark.example(in.resolve(name), 3 * i, 2 * i, 140 - 2 * i, 100 - i);
      names.add(name);
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command = new ArrayList<>(List.of(java.toString()));
    command.addAll(Arrays.asList(System.getProperty("armsr.spark.javaOptions", "").split("\\s+")));
    command.addAll(
        List.of(
            "-Dai.djl.offline=true",
            "-Dai.djl.pytorch.num_threads=1",
            "-Xmx2g",
            "-cp",
            System.getProperty("java.class.path"),
            "io.armsr.spark.SparkUpscale",
            "--master",
            "local[2]",
            in.toString(),
            out.toString(),
            "--subnet",
            "3",
            "--images-per-task",
            "1"));
    command.removeIf(String::isEmpty);
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.redirectOutput(dir.resolve("child.out").toFile());
    pb.redirectError(dir.resolve("child.err").toFile());
    Process child = pb.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(240);
      while (finals(out).isEmpty()) {
        assertTrue(child.isAlive(), () -> "child ended early: " + read(dir.resolve("child.err")));
        assertTrue(System.nanoTime() < deadline, "no output within 240 s");
        Thread.sleep(5);
      }
    } finally {
      child.destroyForcibly();
      child.waitFor(60, TimeUnit.SECONDS);
    }
    List<String> done = finals(out);
    assertTrue(done.size() < n, "the kill came too late to interrupt the job: " + done);
    System.out.println("KilledJobTest: " + done.size() + " of " + n + " outputs before the kill");
    Map<String, FileTime> times = new HashMap<>();
    for (String name : done) {
      assertEquals(
          4 * ImageFiles.read(in.resolve(name)).width(),
          ImageFiles.read(out.resolve(name)).width(),
          name); // throws if partial
      times.put(name, Files.getLastModifiedTime(out.resolve(name)));
    }
    // What a kill during a write leaves: a temporary of an output not yet done.
    String pending = names.stream().filter(x -> !done.contains(x)).findFirst().orElseThrow();
    Path stale =
        out.resolve(pending).resolveSibling("." + Path.of(pending).getFileName() + ".5eed.tmp");
    Files.createDirectories(stale.getParent());
    Files.write(stale, new byte[] {1, 2});
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(5)));

    UpscaleJob.Summary rerun =
        LocalSpark.run(in.toString(), out.toString(), "--subnet", "3", "--images-per-task", "1");
    assertEquals(n - done.size(), rerun.done());
    assertEquals(done.size(), rerun.skipped());
    assertEquals(0, rerun.exitCode());
    assertEquals(names.stream().sorted().toList(), LocalSpark.files(out), "temporaries left");
    for (String name : names) {
      Path ref = dir.resolve("ref").resolve(name);
      Files.createDirectories(ref.getParent());
      assertEquals(
          0, Main.run("upscale", in.resolve(name).toString(), ref.toString(), "--subnet", "3"));
      assertArrayEquals(Files.readAllBytes(ref), Files.readAllBytes(out.resolve(name)), name);
    }
    for (String name : done) {
      assertEquals(times.get(name), Files.getLastModifiedTime(out.resolve(name)), name);
    }
  }

  /** The finished outputs: image files, no temporaries. */
  private static List<String> finals(Path out) throws IOException {
    if (!Files.isDirectory(out)) {
      return List.of();
    }
    return LocalSpark.files(out).stream()
        .filter(f -> !Path.of(f).getFileName().toString().startsWith("."))
        .toList();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return e.toString();
    }
  }
}

package io.armsr.hostile;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The command line run in a child JVM through {@link MeasuredMain}, as a user (or a service) would
 * start it: its exit code, stdout, stderr, wall time (JVM start included) and peak resident memory.
 * The child is kept lean (1 GB heap, client compiler, serial collector) so that its start costs
 * well under a second; a hostile input must not make it cost more than the bounds the caller
 * asserts.
 */
public record ChildRun(int exitCode, String stdout, String stderr, long wallMillis, long peakKb) {

  /** Heap of the child: the memory bound the suites assert is 1 GB of resident memory. */
  static final String HEAP = "-Xmx1g";

  /** The wall time a hostile input may cost, JVM start included. */
  static final long MAX_WALL_MILLIS = 5_000;

  /** The peak resident memory a hostile input may cost: 1 GB. */
  static final long MAX_PEAK_KB = 1L << 20;

  /** A generous limit after which the child is killed (the suites assert far less). */
  private static final long KILL_AFTER_SECONDS = 60;

  /**
   * Runs {@code armsr args...} in a child JVM, its scratch files in {@code work}.
   *
   * @throws IllegalStateException if the child had to be killed
   */
  public static ChildRun run(Path work, String... args) {
    return runWithHeap(work, HEAP, args);
  }

  /** {@link #run} with another heap option, e.g. {@code -Xmx256m}. */
  public static ChildRun runWithHeap(Path work, String heap, String... args) {
    try {
      Files.createDirectories(work);
      Path out = work.resolve("child.stdout");
      Path err = work.resolve("child.stderr");
      Path peak = work.resolve("child.peak");
      Files.deleteIfExists(peak);
      List<String> cmd = new ArrayList<>();
      cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
      cmd.add(heap);
      cmd.add("-XX:TieredStopAtLevel=1");
      cmd.add("-XX:+UseSerialGC");
      cmd.add("-Xss1m");
      cmd.add("-Dai.djl.offline=true");
      cmd.add("-D" + MeasuredMain.PEAK_FILE_PROPERTY + "=" + peak);
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(MeasuredMain.class.getName());
      cmd.addAll(List.of(args));
      ProcessBuilder pb = new ProcessBuilder(cmd);
      pb.redirectOutput(out.toFile()).redirectError(err.toFile());
      pb.environment().put("OMP_NUM_THREADS", "1");
      long start = System.nanoTime();
      Process p = pb.start();
      if (!p.waitFor(KILL_AFTER_SECONDS, TimeUnit.SECONDS)) {
        p.destroyForcibly().waitFor();
        throw new IllegalStateException(
            "armsr " + String.join(" ", args) + " still ran after " + KILL_AFTER_SECONDS + " s");
      }
      long wall = (System.nanoTime() - start) / 1_000_000;
      long peakKb =
          Files.exists(peak) ? Long.parseLong(Files.readString(peak).strip()) : Long.MAX_VALUE;
      return new ChildRun(
          p.exitValue(),
          Files.readString(out, StandardCharsets.UTF_8),
          Files.readString(err, StandardCharsets.UTF_8),
          wall,
          peakKb);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }

  /** Asserts that the run stayed within {@link #MAX_WALL_MILLIS} and {@link #MAX_PEAK_KB}. */
  void assertWithinBounds(String what) {
    org.junit.jupiter.api.Assertions.assertTrue(
        wallMillis < MAX_WALL_MILLIS, what + " took " + wallMillis + " ms");
    org.junit.jupiter.api.Assertions.assertTrue(
        peakKb < MAX_PEAK_KB, what + " peaked at " + peakKb + " kB");
  }
}

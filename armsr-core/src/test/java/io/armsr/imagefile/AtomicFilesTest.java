package io.armsr.imagefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import javax.imageio.IIOException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Atomic writes: nothing partial is ever left, whatever stops the write, and errors keep why. */
class AtomicFilesTest {
  @TempDir Path dir;

  /** A write in progress in a child JVM, for the signal test: writes until it is stopped. */
  public static final class SlowWrite {
    public static void main(String[] args) throws IOException {
      Path target = Path.of(args[0]);
      AtomicFiles.write(
          target,
          out -> {
            byte[] chunk = new byte[4096];
            System.out.println("writing");
            System.out.flush();
            for (long i = 0; ; i++) {
              out.write(chunk);
              try {
                Thread.sleep(5);
              } catch (InterruptedException e) {
                throw new IOException("interrupted", e);
              }
            }
          });
    }
  }

  private List<String> names() throws IOException {
    List<String> out = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      files.forEach(p -> out.add(p.getFileName().toString()));
    }
    return out;
  }

  @Test
  void aFailedWriteLeavesNothingAndKeepsTheCause() throws IOException {
    Path target = dir.resolve("out.png");
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                AtomicFiles.write(
                    target,
                    out -> {
                      out.write(new byte[100]);
                      // What the JDK's PNG writer throws on a full disk: a generic message whose
                      // cause says what happened.
                      throw new IIOException(
                          "I/O error writing PNG file!",
                          new IOException("No space left on device"));
                    }));
    assertEquals(
        "cannot write " + target + ": IIO: I/O error writing PNG file! (No space left on device)",
        e.getMessage());
    assertEquals(List.of(), names());
  }

  @Test
  void aWriteStoppedBySigtermOrSigintLeavesNoTemporary() throws Exception {
    for (String signal : new String[] {"TERM", "INT"}) {
      if (signal.equals("INT") && sigintIgnored()) {
        // A background job of a non-interactive shell starts with SIGINT ignored, its children
        // inherit that, and the JVM leaves an ignored SIGINT alone: such a process cannot be
        // stopped by SIGINT at all, so there is nothing to test.
        System.out.println("SIGINT is ignored in this process group: its case is not run");
        continue;
      }
      Path target = dir.resolve("stopped-" + signal + ".bin");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process p =
          new ProcessBuilder(
                  java,
                  "-cp",
                  System.getProperty("java.class.path"),
                  SlowWrite.class.getName(),
                  target.toString())
              .redirectErrorStream(true)
              .start();
      try {
        // Wait until the temporary exists and holds data.
        String first = new String(p.getInputStream().readNBytes(8));
        assertEquals("writing\n", first);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (names().stream().noneMatch(n -> n.endsWith(".tmp"))
            && System.nanoTime() < deadline) {
          Thread.sleep(10);
        }
        assertTrue(names().stream().anyMatch(n -> n.endsWith(".tmp")), "a temporary: " + names());
        new ProcessBuilder("kill", "-" + signal, Long.toString(p.pid())).start().waitFor();
        assertTrue(p.waitFor(10, TimeUnit.SECONDS), "the child stopped on SIG" + signal);
        assertFalse(Files.exists(target), "no output");
        assertEquals(List.of(), names(), "SIG" + signal + " left files");
      } finally {
        p.destroyForcibly(); // a child that did not stop must not outlive the test
      }
    }
  }

  /** Whether this process ignores SIGINT (Linux: bit 2 of {@code SigIgn} in /proc/self/status). */
  private static boolean sigintIgnored() {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith("SigIgn:")) {
          return (Long.parseUnsignedLong(line.substring(7).trim(), 16) & 2) != 0;
        }
      }
    } catch (IOException | RuntimeException e) {
      // not Linux: assume the default disposition
    }
    return false;
  }
}

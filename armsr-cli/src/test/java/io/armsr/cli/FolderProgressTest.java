package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.infer.FolderJob;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The two progress displays: redrawn in place on a console, one line per image otherwise. */
class FolderProgressTest {
  private static String show(boolean console) {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
    FolderProgress p = new FolderProgress(err, console);
    FolderJob.Item a = new FolderJob.Item(Path.of("a.png"), Path.of("o/a.png"), null);
    FolderJob.Item b = new FolderJob.Item(Path.of("b.png"), Path.of("o/b.png"), null);
    p.started(0, 2, a);
    p.finished(0, 2, new FolderJob.Outcome(a, FolderJob.Status.DONE, "", null, List.of(), 0.5));
    p.started(1, 2, b);
    p.finished(
        1, 2, new FolderJob.Outcome(b, FolderJob.Status.FAILED, "cannot read", null, List.of(), 0));
    return bytes.toString(StandardCharsets.UTF_8);
  }

  @Test
  void consoleRedrawsOneLineAndKeepsFailures() {
    String s = show(true);
    assertTrue(s.contains("\r[############------------] 1/2 a.png: done"), s);
    assertTrue(s.contains("armsr: b.png: failed: cannot read\n"), s);
    assertTrue(s.contains("[########################] 2/2"), s);
    assertTrue(s.endsWith("\n"), s);
  }

  @Test
  void logGetsOneLinePerImage() {
    String s = show(false);
    assertTrue(s.startsWith("[1/2] a.png: done ("), s);
    assertTrue(s.contains("[2/2] b.png: failed: cannot read\n"), s);
    assertTrue(!s.contains("\r"), s);
  }
}

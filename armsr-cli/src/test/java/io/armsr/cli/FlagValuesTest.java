package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Flag values out of range are usage errors (exit 2) that name the flag, checked by the command
 * line before any library object is built (the library's own messages speak in its terms).
 */
class FlagValuesTest {
  @TempDir Path dir;

  private Path in;
  private Path out;

  @BeforeEach
  void setUp() throws IOException {
    in = dir.resolve("in.png");
    ImageFiles.write(new Rgb8Image(8, 8, new byte[8 * 8 * 3]), in);
    out = dir.resolve("out.png");
  }

  private void assertUsage(String expected, String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    CliTest.Run r = CliTest.run(all.toArray(String[]::new));
    assertEquals(Main.ExitCode.USAGE.code, r.code(), r.err());
    String first = r.err().strip().lines().findFirst().orElse("");
    assertEquals("armsr: " + expected, first, r.err());
    assertFalse(Files.exists(out));
  }

  private void assertUpscaleUsage(String expected, String... flags) {
    List<String> args = new ArrayList<>(List.of("upscale", in.toString(), out.toString()));
    args.addAll(List.of(flags));
    assertUsage(expected, args.toArray(String[]::new));
  }

  @Test
  void gridAndThreadFlags() {
    assertUpscaleUsage("--margin must be 0..16, got 20", "--margin", "20");
    assertUpscaleUsage("--margin must be 0..16, got -1", "--margin", "-1");
    assertUpscaleUsage("--batch must be 1..4096, got 0", "--batch", "0");
    assertUpscaleUsage("--batch must be 1..4096, got 5000", "--batch", "5000");
    assertUpscaleUsage("--threads must be 1..256, got 0", "--threads", "0");
    assertUpscaleUsage("--grid must be 'full' or 'reference', got 'half'", "--grid", "half");
    assertUpscaleUsage("--precision must be fp32, bf16 or auto, got 'fp16'", "--precision", "fp16");
  }

  @Test
  void routingFlags() {
    assertUpscaleUsage("--subnet must be 0..3, got 4", "--subnet", "4");
    assertUpscaleUsage("--k must be a positive finite number, got -1.0", "--k", "-1");
    assertUpscaleUsage("--k must be a positive finite number, got Infinity", "--k", "Infinity");
    assertUpscaleUsage("--budget must be in (0, 1], got 1.5", "--budget", "1.5");
    assertUpscaleUsage("--budget-ms must be a positive number, got 0.0", "--budget-ms", "0");
  }

  @Test
  void compareCrop() {
    for (String bad : new String[] {"1,2,3", "a,b,c,d", "1,2,3,4,5"}) {
      assertUsage(
          "--crop must be x,y,w,h in LR pixels, got '" + bad + "'",
          "compare",
          in.toString(),
          out.toString(),
          "--crop",
          bad);
    }
    assertUsage(
        "--crop needs x,y >= 0 and w,h >= 1, got '0,0,0,4'",
        "compare",
        in.toString(),
        out.toString(),
        "--crop",
        "0,0,0,4");
  }

  @Test
  void trainFlags() throws IOException {
    Path w = dir.resolve("w.armw");
    String[] base = {"train", "--data", dir.toString(), "--out", w.toString()};
    assertUsage("--batch must be positive: 0", concat(base, "--iterations", "10", "--batch", "0"));
    assertUsage("--iterations must be positive: 0", concat(base, "--iterations", "0"));
    assertUsage(
        "--checkpoint-every must be positive: 0",
        concat(base, "--iterations", "10", "--checkpoint-every", "0"));
    assertUsage(
        "--stop-at must be in 1..10 (--iterations): 11",
        concat(base, "--iterations", "10", "--stop-at", "11"));
    assertUsage(
        "--lr must be a finite number of at least 1.0E-7: 0.0",
        concat(base, "--iterations", "10", "--lr", "0"));
    Path none = dir.resolve("none");
    assertUsage(
        "--data " + none + ": no such folder",
        "train",
        "--data",
        none.toString(),
        "--iterations",
        "10",
        "--out",
        w.toString());
    assertUsage(
        "--val " + none + ": no such folder",
        concat(base, "--iterations", "10", "--val", none.toString()));
  }

  @Test
  void aMissingCheckpointToResumeIsABadModel() {
    Path ckpt = dir.resolve("gone.armw.ckpt");
    CliTest.Run r =
        CliTest.run(
            "train",
            "--data",
            dir.toString(),
            "--out",
            dir.resolve("w.armw").toString(),
            "--resume",
            ckpt.toString());
    assertEquals(Main.ExitCode.BAD_MODEL.code, r.code(), r.err());
    assertEquals("armsr: " + ckpt + ": no such file (--resume)", r.err().strip());
  }

  @Test
  void evalFolders() {
    Path none = dir.resolve("none");
    assertUsage(
        "--hr " + none + ": not a folder", "eval", "--hr", none.toString(), "--lr", dir.toString());
    assertUsage(
        "--lr " + none + ": not a folder", "eval", "--hr", dir.toString(), "--lr", none.toString());
    assertTrue(Files.exists(in));
  }

  private static String[] concat(String[] a, String... b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}

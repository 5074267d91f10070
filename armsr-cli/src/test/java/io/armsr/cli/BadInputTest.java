package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.format.WeightsFile;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ReadLimits;
import io.armsr.testing.FixtureModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One test per class of bad input to {@code armsr upscale}: the exit code, a one-line message that
 * names the file (or the option), and no output file. The model is the committed version-1 fixture
 * (FSRCNN); only the tests that succeed run the network.
 */
class BadInputTest {
  @TempDir Path dir;

  private Path weights;
  private Path lut;
  private Path good;
  private Path out;

  @BeforeEach
  void setUp() throws IOException {
    weights = FixtureModel.copy(dir, "checkpoint-v1.armw");
    lut = FixtureModel.copy(dir, "lut-v1.arml");
    byte[] px = new byte[20 * 16 * 3];
    new Random(5).nextBytes(px);
    good = dir.resolve("good.png");
    ImageFiles.write(new Rgb8Image(20, 16, px), good);
    out = dir.resolve("out.png");
  }

  private CliTest.Run upscale(Path in, Path output, String... extra) {
    List<String> args =
        new java.util.ArrayList<>(
            List.of(
                "upscale",
                in.toString(),
                output.toString(),
                "--weights",
                weights.toString(),
                "--lut",
                lut.toString()));
    args.addAll(List.of(extra));
    return CliTest.run(args.toArray(String[]::new));
  }

  /** Exit code, one line naming {@code named}, nothing written, no temporary left. */
  private void assertRefused(CliTest.Run r, Main.ExitCode code, String named, String problem)
      throws IOException {
    assertEquals(code.code, r.code(), r.err());
    String err = r.err().strip();
    // Usage errors add picocli's "(see ... --help)" hint on a second line.
    String first = err.lines().findFirst().orElse("");
    assertTrue(first.startsWith("armsr: "), err);
    assertTrue(first.contains(named), err);
    assertTrue(first.contains(problem), err);
    assertFalse(err.contains("\tat "), err);
    assertTrue(err.lines().count() <= (code == Main.ExitCode.USAGE ? 2 : 1), err);
    assertFalse(Files.exists(out), "output written after a failure");
    try (Stream<Path> s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.toString().endsWith(".tmp")), "temporary file left");
    }
  }

  private Path file(String name, byte[] bytes) throws IOException {
    Path p = dir.resolve(name);
    Files.write(p, bytes);
    return p;
  }

  @Test
  void emptyImage() throws IOException {
    Path in = file("empty.png", new byte[0]);
    assertRefused(upscale(in, out), Main.ExitCode.BAD_INPUT, "empty.png", "empty file");
  }

  @Test
  void truncatedImage() throws IOException {
    byte[] b = Files.readAllBytes(good);
    Path in = file("cut.png", Arrays.copyOf(b, b.length / 2));
    assertRefused(upscale(in, out), Main.ExitCode.BAD_INPUT, "cut.png", "corrupt or truncated PNG");
  }

  @Test
  void corruptImage() throws IOException {
    byte[] b = Files.readAllBytes(good);
    for (int i = 60; i < b.length - 20; i += 7) {
      b[i] ^= 0x5a;
    }
    Path in = file("flipped.png", b);
    assertRefused(upscale(in, out), Main.ExitCode.BAD_INPUT, "flipped.png", "corrupt");
  }

  @Test
  void notAnImage() throws IOException {
    Path in = file("notes.png", "these are not pixels\n".getBytes());
    assertRefused(upscale(in, out), Main.ExitCode.BAD_INPUT, "notes.png", "not a PNG, JPEG");
  }

  @Test
  void overThePixelLimit() throws IOException {
    assertRefused(
        upscale(good, out, "--max-pixels", "100"),
        Main.ExitCode.BAD_INPUT,
        "good.png",
        "20x16 = 320 pixels is over the limit of 100 pixels (--max-pixels)");
  }

  @Test
  void unreadablePaths() throws IOException {
    // A folder IN means folder mode, whose OUT must be a folder: an image name is refused.
    assertRefused(upscale(dir, out), Main.ExitCode.USAGE, dir.toString(), "is a folder");
    Path missing = dir.resolve("missing.png");
    assertRefused(upscale(missing, out), Main.ExitCode.BAD_INPUT, "missing.png", "no such file");
  }

  @Test
  void outputEqualToInputNeedsForce() throws IOException {
    byte[] before = Files.readAllBytes(good);
    CliTest.Run r = upscale(good, good);
    assertEquals(Main.ExitCode.USAGE.code, r.code(), r.err());
    assertTrue(r.err().contains("good.png") && r.err().contains("--force"), r.err());
    assertArrayEquals(before, Files.readAllBytes(good));

    CliTest.Run forced = upscale(good, good, "--force");
    assertEquals(0, forced.code(), forced.err());
    assertEquals(80, ImageFiles.read(good).width());
  }

  @Test
  void corruptTruncatedAndMismatchedWeights() throws IOException {
    byte[] w = Files.readAllBytes(weights);
    weights = file("cut.armw", Arrays.copyOf(w, w.length - 100));
    assertRefused(upscale(good, out), Main.ExitCode.BAD_MODEL, "cut.armw", "truncated");

    byte[] flipped = w.clone();
    flipped[w.length - 5000] ^= 1;
    weights = file("flip.armw", flipped);
    assertRefused(upscale(good, out), Main.ExitCode.BAD_MODEL, "flip.armw", "checksum");

    weights = dir.resolve("checkpoint-v1.armw");
    assertRefused(
        upscale(good, out, "--backbone", "carn"),
        Main.ExitCode.BAD_MODEL,
        "checkpoint-v1.armw",
        "expected carn");

    // Swapped files: the LUT given as weights.
    weights = lut;
    assertRefused(upscale(good, out), Main.ExitCode.BAD_MODEL, "lut-v1.arml", "not weights");
  }

  @Test
  void missingWeightsOrTableIsABadModel() throws IOException {
    Path realWeights = weights;
    weights = dir.resolve("missing.armw");
    assertRefused(upscale(good, out), Main.ExitCode.BAD_MODEL, "missing.armw", "no such file");
    CliTest.Run r = upscale(good, out);
    assertEquals("armsr: " + weights + ": no such file (--weights)", r.err().strip());

    weights = realWeights;
    lut = dir.resolve("missing.arml");
    assertRefused(upscale(good, out), Main.ExitCode.BAD_MODEL, "missing.arml", "no such file");

    lut = Files.createDirectory(dir.resolve("tables"));
    assertRefused(upscale(good, out), Main.ExitCode.BAD_MODEL, "tables", "is a folder");
  }

  @Test
  void nanWeights() throws IOException {
    WeightsFile.Contents c = WeightsFile.read(weights);
    String key = c.weights().keys().iterator().next();
    c.weights().get(key).data()[3] = Float.NaN;
    Path nan = dir.resolve("nan.armw");
    WeightsFile.write(nan, c.backbone(), c.weights(), c.provenance(), null);
    weights = nan;
    assertRefused(
        upscale(good, out), Main.ExitCode.BAD_MODEL, "nan.armw", "holds NaN at element 3");
  }

  @Test
  void corruptAndTruncatedLut() throws IOException {
    byte[] t = Files.readAllBytes(lut);
    lut = file("cut.arml", Arrays.copyOf(t, t.length / 2));
    assertRefused(upscale(good, out), Main.ExitCode.BAD_MODEL, "cut.arml", "truncated");
    byte[] flipped = t.clone();
    flipped[t.length - 3] ^= 1;
    lut = file("flip.arml", flipped);
    assertRefused(upscale(good, out), Main.ExitCode.BAD_MODEL, "flip.arml", "checksum");
  }

  @Test
  void outOfRangeOptionsAndUnwritableFormats() throws IOException {
    assertRefused(upscale(good, out, "--quality", "0"), Main.ExitCode.USAGE, "--quality", "1..100");
    assertRefused(
        upscale(good, out, "--quality", "101"), Main.ExitCode.USAGE, "--quality", "1..100");
    assertRefused(
        upscale(good, out, "--max-pixels", "0"), Main.ExitCode.USAGE, "--max-pixels", "at least 1");
    Path webp = dir.resolve("out.webp");
    CliTest.Run r = upscale(good, webp);
    assertRefused(r, Main.ExitCode.USAGE, "out.webp", "read-only");
    assertFalse(Files.exists(webp));
  }

  @Test
  void alphaGrayAndSixteenBitSurviveTheCommandLine() throws IOException {
    Random rnd = new Random(8);
    byte[] g = new byte[20 * 16 * 3];
    short[] a = new short[20 * 16];
    short[] s16 = new short[20 * 16];
    for (int i = 0; i < a.length; i++) {
      int v = rnd.nextInt(65536);
      s16[i] = (short) v;
      g[3 * i] = g[3 * i + 1] = g[3 * i + 2] = (byte) ((v * 255 + 32767) / 65535);
      a[i] = (short) (i < a.length / 2 ? 65535 : 0);
    }
    Path in = dir.resolve("gray16a.png");
    ImageFiles.writeImage(new DecodedImage(new Rgb8Image(20, 16, g), true, 16, a, s16), in, 95);
    CliTest.Run r = upscale(in, out);
    assertEquals(0, r.code(), r.err());
    DecodedImage d = ImageFiles.readImage(out, ReadLimits.DEFAULT);
    assertTrue(d.gray());
    assertEquals(16, d.bitDepth());
    assertEquals(80, d.width());
    // Top half opaque, bottom half transparent, away from the boundary.
    assertEquals(65535, d.alpha()[10 * 80 + 40] & 0xffff);
    assertEquals(0, d.alpha()[60 * 80 + 40] & 0xffff);
    // 16-bit output: the networks ran on the 16-bit samples, so the output carries detail below
    // one 8-bit level (not just the 8-bit result times 257), and agrees with its own 8-bit view.
    int fine = 0;
    for (int i = 0; i < d.samples16().length; i++) {
      int v = d.samples16()[i] & 0xffff;
      fine += v % 257 != 0 ? 1 : 0;
      assertTrue(Math.abs(Math.round(v / 257.0) - d.rgb().get(i % 80, i / 80, 0)) <= 1, "" + i);
    }
    assertTrue(fine > d.samples16().length / 2, "only " + fine + " samples below 8-bit precision");

    Path jpg = dir.resolve("out.jpg");
    CliTest.Run j = upscale(in, jpg, "--quality", "80");
    assertEquals(0, j.code(), j.err());
    assertTrue(j.err().contains("alpha dropped"), j.err());
    assertNotEquals(0, Files.size(jpg));
    assertTrue(ImageFiles.readImage(jpg, ReadLimits.DEFAULT).gray());
  }
}

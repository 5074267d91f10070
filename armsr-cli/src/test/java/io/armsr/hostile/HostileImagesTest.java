package io.armsr.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.imagefile.ImageFiles;
import io.armsr.testing.FuzzInputs;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images crafted to cost far more than their size, handed to {@code armsr upscale} in a child JVM
 * ({@link ChildRun}: wall time and peak resident memory measured): a PNG whose text chunks inflate
 * to 1.25 GB, a lossless WebP cut short, a 5 KB PNG of 44,739,242 x 1 pixels whose output band
 * would need hundreds of GB, and a 2000x2000 image under a 256 MB heap. Each ends as documented
 * (the bomb is upscaled, the others refused with exit 3 and one line naming the file), within 5 s
 * and 1 GB of resident memory, and no file is left behind; in a folder the refused image fails and
 * the others are done.
 */
class HostileImagesTest {
  private static final long MAX_WALL_MILLIS = 5_000;
  private static final long MAX_PEAK_KB = 1L << 20;

  @TempDir static Path dir;

  private static Path textBomb;
  private static Path cutWebp;
  private static Path strip;
  private static Path large;

  @BeforeAll
  static void makeInputs() throws IOException {
    textBomb = dir.resolve("text-bomb.png");
    Files.write(textBomb, textBomb());
    byte[] webp;
    try (InputStream in =
        HostileImagesTest.class.getResourceAsStream(
            "/io/armsr/fixtures/formats/lossless-rgba.webp")) {
      webp = in.readAllBytes();
    }
    cutWebp = dir.resolve("cut.webp");
    Files.write(cutWebp, Arrays.copyOf(webp, 35));
    strip = dir.resolve("strip.png");
    Files.write(strip, strip(44_739_242));
    large = dir.resolve("large.png");
    BufferedImage img = new BufferedImage(2000, 2000, BufferedImage.TYPE_INT_RGB);
    ImageIO.write(img, "png", large.toFile());
  }

  /** An 8x8 PNG with five text chunks of 256 MB of (compressed) zeros each. */
  private static byte[] textBomb() throws IOException {
    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(img, "png", png);
    byte[] plain = png.toByteArray();
    return FuzzInputs.withTextBombs(plain, 5, 256);
  }

  /** A gray 8-bit PNG of {@code width} x 1 zeros: a few KB that the pixel limit admits. */
  private static byte[] strip(int width) throws IOException {
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(1);
    ihdr.put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(idat, new Deflater(9))) {
      d.write(0); // filter type of the one row
      byte[] zeros = new byte[1 << 20];
      for (int left = width; left > 0; left -= zeros.length) {
        d.write(zeros, 0, Math.min(left, zeros.length));
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    png.write(FuzzInputs.pngChunk("IHDR", ihdr.array()));
    png.write(FuzzInputs.pngChunk("IDAT", idat.toByteArray()));
    png.write(FuzzInputs.pngChunk("IEND", new byte[0]));
    return png.toByteArray();
  }

  private static List<String> files(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  private static void withinBounds(ChildRun r, String what) {
    assertTrue(r.wallMillis() < MAX_WALL_MILLIS, what + ": " + r.wallMillis() + " ms");
    assertTrue(r.peakKb() < MAX_PEAK_KB, what + ": peak " + r.peakKb() + " kB");
    assertFalse(r.stderr().contains("Exception") || r.stderr().contains("\tat "), r.stderr());
  }

  private static void refused(ChildRun r, Path input, Path outDir, String problem)
      throws IOException {
    String what = input.getFileName().toString();
    assertEquals(3, r.exitCode(), what + ": " + r.stderr());
    List<String> lines = r.stderr().lines().toList();
    assertEquals(1, lines.size(), r.stderr());
    assertTrue(lines.get(0).startsWith("armsr: ") && lines.get(0).contains(what), lines.get(0));
    assertTrue(lines.get(0).contains(problem), lines.get(0));
    assertEquals(List.of(), files(outDir), what + " left files");
    withinBounds(r, what);
  }

  @Test
  void aPngWhoseTextInflatesToGigabytesIsUpscaledWithinBounds() throws IOException {
    assertTrue(Files.size(textBomb) < 2_000_000, "the bomb is " + Files.size(textBomb) + " bytes");
    Path out = Files.createDirectories(dir.resolve("out-bomb"));
    ChildRun r =
        ChildRun.run(
            dir.resolve("run-bomb"),
            "upscale",
            textBomb.toString(),
            out.resolve("x.png").toString(),
            "--subnet",
            "0");
    assertEquals(0, r.exitCode(), r.stderr());
    assertEquals(32, ImageFiles.read(out.resolve("x.png")).width());
    withinBounds(r, "text bomb");
  }

  @Test
  void aWebpCutShortIsRefused() throws IOException {
    Path out = Files.createDirectories(dir.resolve("out-webp"));
    ChildRun r =
        ChildRun.run(
            dir.resolve("run-webp"),
            "upscale",
            cutWebp.toString(),
            out.resolve("x.png").toString());
    refused(r, cutWebp, out, "truncated WEBP data");
  }

  @Test
  void aStripWhoseOutputBandWouldNotFitIsRefusedBeforeItStarts() throws IOException {
    assertTrue(Files.size(strip) < 200_000, "the strip is " + Files.size(strip) + " bytes");
    Path out = Files.createDirectories(dir.resolve("out-strip"));
    ChildRun r =
        ChildRun.run(
            dir.resolve("run-strip"), "upscale", strip.toString(), out.resolve("x.png").toString());
    refused(r, strip, out, "of Java heap");
  }

  @Test
  void anImageTooLargeForASmallHeapIsRefusedAndAFolderGoesOn() throws IOException {
    Path out = Files.createDirectories(dir.resolve("out-large"));
    ChildRun r =
        ChildRun.runWithHeap(
            dir.resolve("run-large"),
            "-Xmx256m",
            "upscale",
            large.toString(),
            out.resolve("x.png").toString(),
            "--subnet",
            "0");
    refused(r, large, out, "of Java heap, more than the");

    // In a folder, the image that does not fit fails and the small one is done.
    Path in = Files.createDirectories(dir.resolve("folder-in"));
    Files.copy(large, in.resolve("a-large.png"));
    Files.copy(textBomb, in.resolve("b-small.png"));
    Path outDir = dir.resolve("folder-out");
    ChildRun f =
        ChildRun.runWithHeap(
            dir.resolve("run-folder"),
            "-Xmx256m",
            "upscale",
            in.toString(),
            outDir.toString(),
            "--subnet",
            "0");
    assertEquals(3, f.exitCode(), f.stderr());
    assertEquals(List.of("b-small.png"), files(outDir));
    assertTrue(f.stdout().contains("done 1, skipped 0, failed 1"), f.stdout());
    assertTrue(f.stdout().contains("failed: a-large.png: "), f.stdout());
    assertFalse(f.stderr().contains("Exception") || f.stderr().contains("\tat "), f.stderr());
  }
}

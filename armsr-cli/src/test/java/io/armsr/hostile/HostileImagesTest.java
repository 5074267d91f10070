package io.armsr.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.imagefile.ImageFiles;
import io.armsr.testing.FuzzInputs;
import io.armsr.testing.MetadataFiles;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.Deflater;
import java.util.zip.DeflaterOutputStream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images crafted to cost far more than their size, handed to {@code armsr upscale} in a child JVM
 * ({@link ChildRun}: wall time and peak resident memory measured), several variants per class:
 *
 * <ul>
 *   <li>metadata bombs (PNG text, profile and XMP chunks that inflate to gigabytes): upscaled, the
 *       metadata read only up to its bound;
 *   <li>decoders that would read past the end (WebP cut short or with garbage after a 6000x7000
 *       header, TIFF fields that point past the end, PNG and JPEG cut in half): refused as corrupt
 *       or truncated;
 *   <li>images whose upscale does not fit the heap (a 5 KB PNG of 44,739,242 x 1 pixels, its tall
 *       twin, a 1.6 KB WebP of 6000x7000, a 2000x2000 image under a 256 MB heap): refused before
 *       they start, and in a folder the others are done.
 * </ul>
 *
 * <p>Each ends as documented (exit 0, or exit 3 with one line naming the file), within 5 s and 1 GB
 * of resident memory, with no stack trace and no file left behind.
 */
class HostileImagesTest {
  @TempDir static Path dir;

  private static Path small;
  private static Path large;

  @BeforeAll
  static void makeInputs() throws IOException {
    small = dir.resolve("small.png");
    Files.write(small, plainPng(8, 8));
    large = dir.resolve("large.png");
    BufferedImage img = new BufferedImage(2000, 2000, BufferedImage.TYPE_INT_RGB);
    ImageIO.write(img, "png", large.toFile());
  }

  /**
   * A gray 8-bit PNG of {@code width} x {@code height} zeros: a few KB that the pixel limit admits.
   */
  private static byte[] strip(int width, int height) throws IOException {
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(width).putInt(height);
    ihdr.put((byte) 8).put((byte) 0).put((byte) 0).put((byte) 0).put((byte) 0);
    ByteArrayOutputStream idat = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(idat, new Deflater(9))) {
      // Each row is its filter type (0) and its samples, all zeros: the stream is zeros.
      byte[] zeros = new byte[1 << 20];
      for (long left = (width + 1L) * height; left > 0; left -= zeros.length) {
        d.write(zeros, 0, (int) Math.min(left, zeros.length));
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
    r.assertWithinBounds(what);
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

  /** One hostile image: a file name, its bytes, and the text its refusal names (null: upscaled). */
  private record Case(String name, byte[] bytes, String problem) {}

  private static byte[] resource(String name) throws IOException {
    try (InputStream in =
        HostileImagesTest.class.getResourceAsStream("/io/armsr/fixtures/formats/" + name)) {
      return in.readAllBytes();
    }
  }

  private static byte[] plainPng(int w, int h) throws IOException {
    BufferedImage img = new BufferedImage(w, h, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        img.setRGB(x, y, x * 0x10307 + y * 0x30103);
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(img, "png", png);
    return png.toByteArray();
  }

  /** {@code megabytes} MB of zeros, deflated (zlib). */
  private static byte[] deflatedZeros(int megabytes) throws IOException {
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    try (DeflaterOutputStream d = new DeflaterOutputStream(z, new Deflater(9), 1 << 16)) {
      byte[] zeros = new byte[1 << 20];
      for (int i = 0; i < megabytes; i++) {
        d.write(zeros);
      }
    }
    return z.toByteArray();
  }

  /** {@code png} with one chunk of {@code type} whose data is {@code head} then {@code data}. */
  private static byte[] withChunk(byte[] png, String type, byte[] head, byte[] data)
      throws IOException {
    ByteArrayOutputStream chunk = new ByteArrayOutputStream();
    chunk.write(head);
    chunk.write(data);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(png, 0, 33);
    out.write(FuzzInputs.pngChunk(type, chunk.toByteArray()));
    out.write(png, 33, png.length - 33);
    return out.toByteArray();
  }

  /** A 4x4 uncompressed RGB TIFF whose entry for {@code tag} has its value far past the end. */
  private static byte[] tiffPointingPastTheEnd(int tag, int count) {
    byte[] px = new byte[48];
    new java.util.Random(tag).nextBytes(px);
    byte[] tiff = MetadataFiles.tiff(4, 4, px, null, null, false, -1, -1);
    long[] e = MetadataFiles.tiffEntry(tiff, MetadataFiles.tiffIfd0(tiff), tag);
    ByteBuffer b = ByteBuffer.wrap(tiff);
    b.putInt((int) e[3] + 4, count);
    b.putInt((int) e[3] + 8, 0x7ffffff0);
    return tiff;
  }

  static List<Case> metadataBombs() throws IOException {
    byte[] png = plainPng(8, 8);
    byte[] gigabyte = deflatedZeros(1024);
    byte[] xmpHead = "XML:com.adobe.xmp\0\1\0\0\0".getBytes(StandardCharsets.ISO_8859_1);
    return List.of(
        new Case("five-text-chunks.png", FuzzInputs.withTextBombs(png, 5, 256), null),
        new Case("ztxt-1gb.png", withChunk(png, "zTXt", "Comment\0\0".getBytes(), gigabyte), null),
        new Case("iccp-1gb.png", withChunk(png, "iCCP", "bomb\0\0".getBytes(), gigabyte), null),
        new Case("xmp-1gb.png", withChunk(png, "iTXt", xmpHead, gigabyte), null));
  }

  static List<Case> readsPastTheEnd() throws IOException {
    byte[] lossless = resource("lossless-rgba.webp");
    byte[] solid = resource("solid-6000x7000.webp");
    // Garbage after a VP8L header that says 1500x1500 (small enough for the heap check, so the
    // decoder runs): bytes 21..24 hold the width and height less one, 14 bits each, LE.
    byte[] garbage = solid.clone();
    ByteBuffer header = ByteBuffer.wrap(garbage, 21, 4).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    int bits = header.getInt(21);
    header.putInt(21, (bits & ~0x0fffffff) | 1499 | 1499 << 14);
    java.util.Random r = new java.util.Random(0);
    for (int i = 25; i < garbage.length; i++) {
      garbage[i] = (byte) r.nextInt(256);
    }
    byte[] png = plainPng(64, 48);
    BufferedImage rgb = new BufferedImage(64, 48, BufferedImage.TYPE_INT_RGB);
    rgb.setRGB(0, 0, 64, 48, new int[64 * 48], 0, 64);
    ByteArrayOutputStream jpeg = new ByteArrayOutputStream();
    ImageIO.write(ImageIO.read(new java.io.ByteArrayInputStream(png)), "jpeg", jpeg);
    byte[] j = jpeg.toByteArray();
    return List.of(
        new Case("cut.webp", Arrays.copyOf(lossless, 35), "truncated WEBP data"),
        new Case("half-6000x7000.webp", Arrays.copyOf(solid, solid.length / 2), "WEBP data"),
        new Case("garbage-1500x1500.webp", garbage, "WEBP data"),
        new Case(
            "strips-past-end.tif",
            tiffPointingPastTheEnd(273, 2),
            "a field's value lies past the end of the file"),
        new Case(
            "bits-past-end.tif",
            tiffPointingPastTheEnd(258, 3),
            "a field's value lies past the end of the file"),
        new Case("half.png", Arrays.copyOf(png, png.length / 2), "PNG data"),
        new Case("half.jpg", Arrays.copyOf(j, j.length / 2), "JPEG data"));
  }

  static List<Case> tooLargeForTheHeap() throws IOException {
    return List.of(
        new Case("wide-strip.png", strip(44_739_242, 1), "of Java heap"),
        new Case("tall-strip.png", strip(1, 44_739_242), "of Java heap"),
        new Case("solid-6000x7000.webp", resource("solid-6000x7000.webp"), "of Java heap"));
  }

  private static Stream<DynamicTest> tests(List<Case> cases) {
    return cases.stream().map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  @TestFactory
  Stream<DynamicTest> metadataBombsAreUpscaledWithinBounds() throws IOException {
    return tests(metadataBombs());
  }

  @TestFactory
  Stream<DynamicTest> decodersThatWouldReadPastTheEndAreStopped() throws IOException {
    return tests(readsPastTheEnd());
  }

  @TestFactory
  Stream<DynamicTest> upscalesThatDoNotFitTheHeapAreRefusedBeforeTheyStart() throws IOException {
    return tests(tooLargeForTheHeap());
  }

  private static void check(Case c) throws IOException {
    Path caseDir = Files.createDirectories(dir.resolve("case-" + c.name()));
    Path input = caseDir.resolve(c.name());
    Files.write(input, c.bytes());
    assertTrue(c.bytes().length < 2_000_000, c.name() + " is " + c.bytes().length + " bytes");
    Path out = Files.createDirectories(caseDir.resolve("out"));
    ChildRun r =
        ChildRun.run(
            caseDir.resolve("child"),
            "upscale",
            input.toString(),
            out.resolve("x.png").toString(),
            "--subnet",
            "0");
    if (c.problem() == null) {
      assertEquals(0, r.exitCode(), c.name() + ": " + r.stderr());
      assertEquals(32, ImageFiles.read(out.resolve("x.png")).width());
      withinBounds(r, c.name());
    } else {
      refused(r, input, out, c.problem());
    }
    System.out.printf(
        "hostile image %s: exit %d, %d ms, peak %d MB%n",
        c.name(), r.exitCode(), r.wallMillis(), r.peakKb() >> 10);
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
    Files.copy(small, in.resolve("b-small.png"));
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

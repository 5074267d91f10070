package io.armsr.imagefile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.testing.FuzzInputs;
import io.armsr.testing.MetadataFiles;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The ICC profile, EXIF and XMP travel from input to output: PNG, JPEG and TIFF in and out, byte
 * for byte but for the EXIF orientation (reset to 1 where it was applied on read) and dimensions
 * (set to the output's size); dropped on request and for BMP outputs with a warning, and bounded on
 * read.
 */
class ImageMetadataTest {
  @TempDir Path dir;

  private static final byte[] SRGB = ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData();
  private static final byte[] LINEAR = ICC_Profile.getInstance(ColorSpace.CS_LINEAR_RGB).getData();

  /** A real profile padded to 200,000 bytes, so a JPEG needs four APP2 segments for it. */
  private static final byte[] BIG_ICC = Arrays.copyOf(SRGB, 200_000);

  private Path plain(String name, int w, int h) throws Exception {
    byte[] px = new byte[w * h * 3];
    new Random(w * 31L + h).nextBytes(px);
    Path p = dir.resolve(name);
    ImageFiles.write(new Rgb8Image(w, h, px), p);
    return p;
  }

  private Path jpegWithMetadata(byte[] icc, int part, byte[] exif) throws Exception {
    byte[] jpeg = Files.readAllBytes(plain("plain.jpg", 8, 6));
    Path in = dir.resolve("in.jpg");
    Files.write(in, MetadataFiles.jpeg(jpeg, icc, part, exif, MetadataFiles.xmp()));
    return in;
  }

  private Path pngWithMetadata(byte[] icc, byte[] exif) throws Exception {
    byte[] png = Files.readAllBytes(plain("plain.png", 8, 6));
    Path in = dir.resolve("in.png");
    Files.write(in, MetadataFiles.png(png, icc, exif, MetadataFiles.xmp()));
    return in;
  }

  @Test
  void jpegInPngOutKeepsIccExifXmpWithOrientationResetAndSizeUpdated() throws Exception {
    // Stored 8x6, orientation 6: read as 6x8 (turned), so the output's EXIF says 1 and 6x8.
    Path in = jpegWithMetadata(SRGB, 60_000, MetadataFiles.exif(6, 8, 6, false));
    DecodedImage image = ImageFiles.readImage(in, ReadLimits.DEFAULT);
    assertEquals(6, image.width());
    assertEquals(8, image.height());
    assertArrayEquals(SRGB, image.metadata().icc());
    assertArrayEquals(MetadataFiles.exif(1, 8, 6, false), image.metadata().exif());
    assertArrayEquals(MetadataFiles.xmp(), image.metadata().xmp());

    Path out = dir.resolve("out.png");
    assertEquals(List.of(), ImageFiles.writeImage(image, out, 95));
    byte[] bytes = Files.readAllBytes(out);
    Map<String, byte[]> raw = MetadataFiles.rawMetadata(bytes);
    assertArrayEquals(SRGB, raw.get("icc"));
    byte[] expectedExif = MetadataFiles.exif(1, 6, 8, false);
    assertArrayEquals(expectedExif, raw.get("exif"));
    assertEquals(1, ExifBlock.orientation(raw.get("exif")));
    assertArrayEquals(MetadataFiles.xmp(), raw.get("xmp"));
    // iCCP and eXIf before IDAT; no sRGB/gAMA/cHRM beside the profile.
    List<String> types = MetadataFiles.pngChunks(bytes).stream().map(Map.Entry::getKey).toList();
    assertEquals("IHDR", types.get(0));
    assertTrue(types.indexOf("iCCP") < types.indexOf("IDAT"), types.toString());
    assertTrue(types.indexOf("eXIf") < types.indexOf("IDAT"), types.toString());
    assertFalse(types.contains("sRGB") || types.contains("gAMA") || types.contains("cHRM"));

    // Read back with armsr's reader: the same blocks, the same pixels.
    DecodedImage back = ImageFiles.readImage(out, ReadLimits.DEFAULT);
    assertArrayEquals(SRGB, back.metadata().icc());
    assertArrayEquals(expectedExif, back.metadata().exif());
    assertArrayEquals(MetadataFiles.xmp(), back.metadata().xmp());
    assertArrayEquals(image.rgb().pixels(), back.rgb().pixels());
  }

  @Test
  void pngInJpegOutSplitsALargeProfileAndAppliesTheOrientation() throws Exception {
    // A PNG's eXIf orientation is applied as a JPEG's is: stored 8x6 with orientation 6, read 6x8.
    Path in = pngWithMetadata(BIG_ICC, MetadataFiles.exif(6, 8, 6, true));
    List<ImageHeader> seen = new java.util.ArrayList<>();
    DecodedImage image = ImageFiles.readImage(in, ReadLimits.DEFAULT.withHeaderCheck(seen::add));
    assertEquals(6, image.width());
    assertEquals(8, image.height());
    // A header check sees the size as displayed.
    assertEquals(List.of(new ImageHeader(in, "PNG", 6, 8, 8, false)), seen);
    DecodedImage stored = ImageFiles.readImage(plainPng(), ReadLimits.DEFAULT);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 6; x++) {
        int s = ExifOrientation.source(6, x, y, 8, 6);
        for (int c = 0; c < 3; c++) {
          assertEquals(stored.rgb().pixels()[3 * s + c], image.rgb().pixels()[3 * (y * 6 + x) + c]);
        }
      }
    }
    DecodedImage up = image.resized(12, 16);
    Path out = dir.resolve("out.jpg");
    assertEquals(List.of(), ImageFiles.writeImage(up, out, 95));
    byte[] bytes = Files.readAllBytes(out);
    Map<String, byte[]> raw = MetadataFiles.rawMetadata(bytes);
    assertArrayEquals(BIG_ICC, raw.get("icc"));
    assertArrayEquals(MetadataFiles.exif(1, 12, 16, true), raw.get("exif"));
    assertArrayEquals(MetadataFiles.xmp(), raw.get("xmp"));
    long app2 = MetadataFiles.jpegSegments(bytes).stream().filter(s -> s.getKey() == 0xe2).count();
    assertEquals(4, app2);
    // The first segment is still the writer's JFIF APP0.
    assertEquals(0xe0, MetadataFiles.jpegSegments(bytes).get(0).getKey());

    DecodedImage back = ImageFiles.readImage(out, ReadLimits.DEFAULT);
    assertEquals(12, back.width());
    assertArrayEquals(BIG_ICC, back.metadata().icc());
    assertArrayEquals(MetadataFiles.xmp(), back.metadata().xmp());
  }

  private Path plainPng() {
    return dir.resolve("plain.png");
  }

  @Test
  void jpegInJpegOutAndPngInPngOut() throws Exception {
    Path jin = jpegWithMetadata(LINEAR, 1000, MetadataFiles.exif(1, 8, 6, true));
    Path jout = dir.resolve("j.jpg");
    assertEquals(
        List.of(), ImageFiles.writeImage(ImageFiles.readImage(jin, ReadLimits.DEFAULT), jout, 90));
    Map<String, byte[]> j = MetadataFiles.rawMetadata(Files.readAllBytes(jout));
    assertArrayEquals(LINEAR, j.get("icc"));
    assertArrayEquals(MetadataFiles.exif(1, 8, 6, true), j.get("exif"));
    assertArrayEquals(MetadataFiles.xmp(), j.get("xmp"));

    Path pin = pngWithMetadata(LINEAR, MetadataFiles.exif(3, 8, 6, false));
    Path pout = dir.resolve("p.png");
    // Orientation 3 (turned 180 degrees) is applied on read, so the kept block says 1.
    DecodedImage p = ImageFiles.readImage(pin, ReadLimits.DEFAULT).resized(70_000, 3);
    assertEquals(List.of(), ImageFiles.writeImage(p, pout, 90));
    Map<String, byte[]> raw = MetadataFiles.rawMetadata(Files.readAllBytes(pout));
    assertArrayEquals(LINEAR, raw.get("icc"));
    assertArrayEquals(MetadataFiles.xmp(), raw.get("xmp"));
    // A width over 65535 no longer fits the SHORT entries: they become LONGs in place.
    byte[] e = raw.get("exif");
    assertEquals(MetadataFiles.exif(3, 8, 6, false).length, e.length);
    assertEquals(1, ExifBlock.orientation(e));
    assertEquals(4, ExifBlock.u16(e, 10 + 2, false)); // ImageWidth: type LONG
    assertEquals(70_000, ExifBlock.u32(e, 10 + 8, false));
    assertEquals(3, ExifBlock.u16(e, 22 + 2, false)); // ImageLength: SHORT 3
    assertEquals(3, ExifBlock.u16(e, 22 + 8, false));
  }

  @Test
  void strippedOrAbsentMetadataWritesTheSameBytesAsBefore() throws Exception {
    Path in = pngWithMetadata(SRGB, MetadataFiles.exif(1, 8, 6, false));
    DecodedImage image = ImageFiles.readImage(in, ReadLimits.DEFAULT);
    Path stripped = dir.resolve("stripped.png");
    ImageFiles.writeImage(image.withMetadata(ImageMetadata.NONE), stripped, 95);
    Path plainOut = dir.resolve("plain-out.png");
    ImageFiles.writeImage(
        ImageFiles.readImage(dir.resolve("plain.png"), ReadLimits.DEFAULT), plainOut, 95);
    assertArrayEquals(Files.readAllBytes(plainOut), Files.readAllBytes(stripped));
    assertTrue(MetadataFiles.rawMetadata(Files.readAllBytes(stripped)).isEmpty());
    assertSame(ImageMetadata.NONE, ImageFiles.readImage(plainOut, ReadLimits.DEFAULT).metadata());
  }

  @Test
  void bmpOutputDropsMetadataWithAWarning() throws Exception {
    DecodedImage image = ImageFiles.readImage(pngWithMetadata(SRGB, null), ReadLimits.DEFAULT);
    List<String> w = ImageFiles.writeImage(image, dir.resolve("out.bmp"), 95);
    assertEquals(1, w.size(), w.toString());
    assertTrue(w.get(0).contains("ICC profile, EXIF and XMP dropped"), w.get(0));
  }

  private static byte[] rgb(int w, int h, long seed) {
    byte[] px = new byte[w * h * 3];
    new Random(seed).nextBytes(px);
    return px;
  }

  @Test
  void pngInTiffOutKeepsIccAndXmpAsTagsOfTheFirstIfd() throws Exception {
    DecodedImage image = ImageFiles.readImage(pngWithMetadata(SRGB, null), ReadLimits.DEFAULT);
    Path out = dir.resolve("out.tif");
    assertEquals(List.of(), ImageFiles.writeImage(image, out, 95));
    byte[] bytes = Files.readAllBytes(out);
    Map<Integer, byte[]> raw = MetadataFiles.tiffBlocks(bytes);
    assertArrayEquals(SRGB, raw.get(34675));
    assertArrayEquals(MetadataFiles.xmp(), raw.get(700));
    List<Integer> tags = MetadataFiles.tiffTags(bytes);
    assertEquals(tags.stream().sorted().toList(), tags);
    assertEquals(1, tags.stream().filter(t -> t == 34675).count());

    // The same strips as a TIFF written without metadata: only the blocks and the IFD are added.
    Path plainOut = dir.resolve("plain-out.tif");
    assertEquals(
        List.of(), ImageFiles.writeImage(image.withMetadata(ImageMetadata.NONE), plainOut, 95));
    byte[] plainBytes = Files.readAllBytes(plainOut);
    // All but the header's IFD offset (bytes 4..7) is kept as it was.
    assertArrayEquals(Arrays.copyOf(plainBytes, 4), Arrays.copyOf(bytes, 4));
    assertArrayEquals(
        Arrays.copyOfRange(plainBytes, 8, plainBytes.length),
        Arrays.copyOfRange(bytes, 8, plainBytes.length));
    assertTrue(MetadataFiles.tiffBlocks(plainBytes).isEmpty());
    assertSame(ImageMetadata.NONE, ImageFiles.readImage(plainOut, ReadLimits.DEFAULT).metadata());

    DecodedImage back = ImageFiles.readImage(out, ReadLimits.DEFAULT);
    assertArrayEquals(SRGB, back.metadata().icc());
    assertArrayEquals(MetadataFiles.xmp(), back.metadata().xmp());
    assertArrayEquals(image.rgb().pixels(), back.rgb().pixels());
  }

  @Test
  void jpegInTiffOutKeepsIccAndXmp() throws Exception {
    Path in = jpegWithMetadata(BIG_ICC, 60_000, null);
    DecodedImage image = ImageFiles.readImage(in, ReadLimits.DEFAULT).resized(16, 12);
    Path out = dir.resolve("out.tiff");
    assertEquals(List.of(), ImageFiles.writeImage(image, out, 95));
    Map<Integer, byte[]> raw = MetadataFiles.tiffBlocks(Files.readAllBytes(out));
    assertArrayEquals(BIG_ICC, raw.get(34675));
    assertArrayEquals(MetadataFiles.xmp(), raw.get(700));
    DecodedImage back = ImageFiles.readImage(out, ReadLimits.DEFAULT);
    assertEquals(16, back.width());
    assertArrayEquals(image.rgb().pixels(), back.rgb().pixels());
  }

  @Test
  void tiffInPngJpegAndTiffOut() throws Exception {
    for (boolean little : new boolean[] {true, false}) {
      byte[] px = rgb(5, 3, little ? 1 : 2);
      Path in = dir.resolve(little ? "ii.tif" : "mm.tif");
      Files.write(in, MetadataFiles.tiff(5, 3, px, LINEAR, MetadataFiles.xmp(), little, -1, -1));
      DecodedImage image = ImageFiles.readImage(in, ReadLimits.DEFAULT);
      assertArrayEquals(px, image.rgb().pixels());
      assertArrayEquals(LINEAR, image.metadata().icc());
      assertArrayEquals(MetadataFiles.xmp(), image.metadata().xmp());
      assertEquals(List.of(), image.metadata().notes());
      for (String name : List.of("o.png", "o.jpg")) {
        Path out = dir.resolve(name);
        assertEquals(List.of(), ImageFiles.writeImage(image, out, 95));
        Map<String, byte[]> raw = MetadataFiles.rawMetadata(Files.readAllBytes(out));
        assertArrayEquals(LINEAR, raw.get("icc"), name);
        assertArrayEquals(MetadataFiles.xmp(), raw.get("xmp"), name);
      }
      Path out = dir.resolve("o.tif");
      assertEquals(List.of(), ImageFiles.writeImage(image, out, 95));
      Map<Integer, byte[]> raw = MetadataFiles.tiffBlocks(Files.readAllBytes(out));
      assertArrayEquals(LINEAR, raw.get(34675));
      assertArrayEquals(MetadataFiles.xmp(), raw.get(700));
      assertArrayEquals(px, ImageFiles.readImage(out, ReadLimits.DEFAULT).rgb().pixels());
    }
  }

  /**
   * EXIF moves into a TIFF's own tags (orientation, software and size in the first IFD, the EXIF
   * IFD as a sub-IFD) in the block's byte order, and comes back from the TIFF byte for byte, into a
   * TIFF reader's view as into PNG output.
   */
  @Test
  void exifSurvivesTiffOutputByteForByteInEitherByteOrder() throws Exception {
    for (boolean little : new boolean[] {true, false}) {
      // Stored 8x6 with orientation 6: read turned (6x8), then resized to 12x16 for output.
      Path in = jpegWithMetadata(SRGB, 60_000, MetadataFiles.exif(6, 8, 6, little));
      DecodedImage image = ImageFiles.readImage(in, ReadLimits.DEFAULT).resized(12, 16);
      Path out = dir.resolve(little ? "ii-out.tif" : "mm-out.tif");
      assertEquals(List.of(), ImageFiles.writeImage(image, out, 95));
      byte[] bytes = Files.readAllBytes(out);
      assertEquals(little ? 'I' : 'M', bytes[0]);
      int ifd0 = MetadataFiles.tiffIfd0(bytes);
      assertArrayEquals(
          new long[] {3, 1, 1}, Arrays.copyOf(MetadataFiles.tiffEntry(bytes, ifd0, 274), 3));
      assertEquals(12, MetadataFiles.tiffEntry(bytes, ifd0, 256)[2]);
      assertEquals(16, MetadataFiles.tiffEntry(bytes, ifd0, 257)[2]);
      long[] software = MetadataFiles.tiffEntry(bytes, ifd0, 305);
      assertEquals(
          "armsr-test\0\0",
          new String(bytes, (int) software[2], 12, java.nio.charset.StandardCharsets.ISO_8859_1));
      int exifIfd = (int) MetadataFiles.tiffEntry(bytes, ifd0, 34665)[2];
      assertEquals(12, MetadataFiles.tiffEntry(bytes, exifIfd, 0xA002)[2]);
      assertEquals(16, MetadataFiles.tiffEntry(bytes, exifIfd, 0xA003)[2]);
      assertArrayEquals(SRGB, MetadataFiles.tiffBlocks(bytes).get(34675));

      DecodedImage back = ImageFiles.readImage(out, ReadLimits.DEFAULT);
      byte[] expected = MetadataFiles.exif(1, 12, 16, little);
      assertArrayEquals(expected, back.metadata().exif());
      assertArrayEquals(SRGB, back.metadata().icc());
      assertArrayEquals(MetadataFiles.xmp(), back.metadata().xmp());
      assertArrayEquals(image.rgb().pixels(), back.rgb().pixels());
      Path png = dir.resolve("from-tiff.png");
      assertEquals(List.of(), ImageFiles.writeImage(back.resized(24, 32), png, 95));
      assertArrayEquals(
          MetadataFiles.exif(1, 24, 32, little),
          MetadataFiles.rawMetadata(Files.readAllBytes(png)).get("exif"));

      // Stripped: no EXIF tags at all.
      Path plainOut = dir.resolve("plain.tif");
      ImageFiles.writeImage(image.withMetadata(ImageMetadata.NONE), plainOut, 95);
      byte[] plain = Files.readAllBytes(plainOut);
      for (int tag : new int[] {274, 305, 34665, 34675, 700}) {
        assertNull(MetadataFiles.tiffEntry(plain, MetadataFiles.tiffIfd0(plain), tag), "" + tag);
      }
    }
  }

  /**
   * An EXIF block whose image size is not a SHORT or LONG (so it is not updated to the output's
   * size) cannot make a TIFF output unreadable: the TIFF keeps the writer's size.
   */
  @Test
  void anExifImageSizeNeverReplacesTheTiffWritersOwn() throws Exception {
    DecodedImage stored = ImageFiles.readImage(plain("stored.png", 8, 6), ReadLimits.DEFAULT);
    // ImageWidth (the first entry of IFD0, at byte 10) as a BYTE of value 200.
    byte[] exif = MetadataFiles.exif(1, 8, 6, true);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.wrap(exif).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putShort(10 + 2, (short) 1).put(10 + 8, (byte) 200);
    Path tif = dir.resolve("odd-size.tif");
    ImageMetadata m = new ImageMetadata(null, exif, null, null);
    assertEquals(List.of(), ImageFiles.writeImage(stored.withMetadata(m), tif, 95));
    byte[] bytes = Files.readAllBytes(tif);
    long[] width = MetadataFiles.tiffEntry(bytes, MetadataFiles.tiffIfd0(bytes), 256);
    assertEquals(1, width[1]);
    assertEquals(8, width[2]);
    DecodedImage back = ImageFiles.readImage(tif, ReadLimits.DEFAULT);
    assertArrayEquals(stored.rgb().pixels(), back.rgb().pixels());
    assertEquals(1, ExifBlock.orientation(back.metadata().exif()));
  }

  /** A TIFF's orientation tag is applied on read, like a JPEG's, and the kept block says 1. */
  @Test
  void aTiffOrientationIsApplied() throws Exception {
    DecodedImage stored = ImageFiles.readImage(plain("stored.png", 8, 6), ReadLimits.DEFAULT);
    Path tif = dir.resolve("turned.tif");
    ImageMetadata six = new ImageMetadata(null, MetadataFiles.exif(6, 8, 6, false), null, null);
    assertEquals(List.of(), ImageFiles.writeImage(stored.withMetadata(six), tif, 95));
    DecodedImage shown = ImageFiles.readImage(tif, ReadLimits.DEFAULT);
    assertEquals(6, shown.width());
    assertEquals(8, shown.height());
    assertEquals(1, ExifBlock.orientation(shown.metadata().exif()));
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 6; x++) {
        int s = ExifOrientation.source(6, x, y, 8, 6);
        for (int c = 0; c < 3; c++) {
          assertEquals(stored.rgb().pixels()[3 * s + c], shown.rgb().pixels()[3 * (y * 6 + x) + c]);
        }
      }
    }
  }

  /**
   * Damaged EXIF tags in a TIFF (a sub-IFD pointer past the end, an IFD claiming 65,535 entries, a
   * value of 4 G bytes) drop the EXIF block with a note; the pixels and the other blocks are read.
   */
  @Test
  void damagedTiffExifIsDroppedQuickly() throws Exception {
    DecodedImage stored = ImageFiles.readImage(plain("stored.png", 8, 6), ReadLimits.DEFAULT);
    ImageMetadata m =
        new ImageMetadata(null, MetadataFiles.exif(1, 8, 6, true), MetadataFiles.xmp(), null);
    Path good = dir.resolve("good.tif");
    ImageFiles.writeImage(stored.withMetadata(m), good, 95);
    byte[] bytes = Files.readAllBytes(good);
    int ifd0 = MetadataFiles.tiffIfd0(bytes);
    int pointer = (int) MetadataFiles.tiffEntry(bytes, ifd0, 34665)[3];
    int exifIfd = (int) MetadataFiles.tiffEntry(bytes, ifd0, 34665)[2];
    int software = (int) MetadataFiles.tiffEntry(bytes, ifd0, 305)[3];
    java.nio.ByteBuffer[] hostile = new java.nio.ByteBuffer[3];
    for (int k = 0; k < 3; k++) {
      hostile[k] = java.nio.ByteBuffer.wrap(bytes.clone()).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    }
    hostile[0].putInt(pointer + 8, 0x7ffffff0);
    hostile[1].putShort(exifIfd, (short) 0xffff);
    hostile[2].putInt(software + 4, 0xffffffff);
    String[] why = {
      "an IFD offset points outside the data",
      "an IFD is cut off",
      "over the limit of 1,048,576 bytes"
    };
    for (int k = 0; k < 3; k++) {
      Path in = dir.resolve("hostile-exif" + k + ".tif");
      Files.write(in, hostile[k].array());
      long t0 = System.nanoTime();
      DecodedImage image = ImageFiles.readImage(in, ReadLimits.DEFAULT);
      assertTrue((System.nanoTime() - t0) / 1e9 < 2);
      assertArrayEquals(stored.rgb().pixels(), image.rgb().pixels());
      assertNull(image.metadata().exif());
      assertArrayEquals(MetadataFiles.xmp(), image.metadata().xmp());
      assertEquals(
          List.of(in + ": EXIF block dropped (damaged TIFF EXIF tags: " + why[k] + ")"),
          image.metadata().notes());
    }
  }

  @Test
  void aTiffProfileOverTheLimitOrPastTheEndIsDroppedQuickly() throws Exception {
    byte[] px = rgb(4, 4, 3);
    long[][] cases = {{0xffffffffL, -1}, {-1, 0x7ffffff0L}, {1_000_000, 200}};
    String[] why = {
      "4,294,967,295 bytes is over the limit of 16,777,216",
      "its TIFF tag points past the end of the file",
      "its TIFF tag points past the end of the file"
    };
    for (int k = 0; k < cases.length; k++) {
      Path in = dir.resolve("hostile" + k + ".tif");
      Files.write(
          in,
          MetadataFiles.tiff(
              4, 4, px, SRGB, MetadataFiles.xmp(), k != 1, cases[k][0], cases[k][1]));
      long t0 = System.nanoTime();
      ImageMetadata m = MetadataReader.read(in, "TIFF");
      assertNull(m.icc());
      assertArrayEquals(MetadataFiles.xmp(), m.xmp());
      assertEquals(List.of("ICC profile dropped (" + why[k] + ")"), m.notes());
      // Both TIFF pixel readers refuse an image whose ICC entry cannot be read; armsr hides the
      // entry from them, so the pixels are read and only the profile is lost.
      DecodedImage image = ImageFiles.readImage(in, ReadLimits.DEFAULT);
      assertArrayEquals(px, image.rgb().pixels());
      assertNull(image.metadata().icc());
      assertArrayEquals(MetadataFiles.xmp(), image.metadata().xmp());
      assertEquals(
          List.of(in + ": ICC profile dropped (" + why[k] + ")"), image.metadata().notes());
      double seconds = (System.nanoTime() - t0) / 1e9;
      assertTrue(seconds < 2, seconds + " s");
    }
  }

  @Test
  void aProfileForAnotherColourSpaceIsDropped() throws Exception {
    byte[] gray = ICC_Profile.getInstance(ColorSpace.CS_GRAY).getData();
    DecodedImage image = ImageFiles.readImage(pngWithMetadata(gray, null), ReadLimits.DEFAULT);
    List<String> w = ImageFiles.writeImage(image, dir.resolve("o.png"), 95);
    assertEquals(1, w.size(), w.toString());
    assertTrue(w.get(0).contains("not for RGB images; ICC profile dropped"), w.get(0));
    Map<String, byte[]> raw = MetadataFiles.rawMetadata(Files.readAllBytes(dir.resolve("o.png")));
    assertNull(raw.get("icc"));
    assertArrayEquals(MetadataFiles.xmp(), raw.get("xmp"));
  }

  /**
   * An iCCP chunk of about 1 MB that inflates to 1 GB: inflated only up to 16 MiB, then dropped.
   */
  @Test
  void aProfileBombIsDroppedQuickly() throws Exception {
    ByteArrayOutputStream z = new ByteArrayOutputStream();
    java.util.zip.Deflater d = new java.util.zip.Deflater(9);
    byte[] zeros = new byte[1 << 20];
    byte[] buf = new byte[1 << 16];
    for (int i = 0; i < 1024; i++) {
      d.setInput(zeros);
      while (!d.needsInput()) {
        z.write(buf, 0, d.deflate(buf));
      }
    }
    d.finish();
    while (!d.finished()) {
      z.write(buf, 0, d.deflate(buf));
    }
    d.end();
    ByteArrayOutputStream chunk = new ByteArrayOutputStream();
    chunk.write("bomb\0\0".getBytes(java.nio.charset.StandardCharsets.ISO_8859_1));
    chunk.write(z.toByteArray());
    byte[] png = Files.readAllBytes(plain("plain.png", 8, 6));
    ByteArrayOutputStream file = new ByteArrayOutputStream();
    file.write(png, 0, 33);
    file.write(FuzzInputs.pngChunk("iCCP", chunk.toByteArray()));
    file.write(png, 33, png.length - 33);
    Path in = dir.resolve("bomb.png");
    Files.write(in, file.toByteArray());
    assertTrue(Files.size(in) < 2_000_000, "file of " + Files.size(in));

    long t0 = System.nanoTime();
    DecodedImage image = ImageFiles.readImage(in, ReadLimits.DEFAULT);
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertTrue(seconds < 2, seconds + " s");
    assertNull(image.metadata().icc());
    assertEquals(
        List.of(in + ": ICC profile dropped (inflates to over the limit of 16,777,216 bytes)"),
        image.metadata().notes());
    Path out = dir.resolve("bomb-out.png");
    List<String> w = ImageFiles.writeImage(image, out, 95);
    assertEquals(image.metadata().notes(), w);
    assertTrue(MetadataFiles.rawMetadata(Files.readAllBytes(out)).isEmpty());
  }
}

package io.armsr.imagefile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.testing.Shared;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageFilesTest {

  @TempDir Path dir;

  /** Noise covering all byte values, so any channel swap or off-by-one shows. */
  private static Rgb8Image noise(int w, int h, long seed) {
    byte[] px = new byte[w * h * 3];
    new Random(seed).nextBytes(px);
    return new Rgb8Image(w, h, px);
  }

  private static long[] channelSums(Rgb8Image img) {
    long[] s = new long[3];
    for (int y = 0; y < img.height(); y++) {
      for (int x = 0; x < img.width(); x++) {
        for (int c = 0; c < 3; c++) {
          s[c] += img.get(x, y, c);
        }
      }
    }
    return s;
  }

  private List<String> filesIn(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  // Expected values below were decoded independently of ImageIO: a 40-line pure-Python PNG
  // decoder (zlib + the five PNG row filters, numpy for the sums) run on the shared files.

  @Test
  void grayPngIsReplicatedFromRawValues() throws IOException {
    Path file = Shared.require("data/test/Set14/LR/img_003_SRF_4_LR.png");
    Rgb8Image img = ImageFiles.read(file);
    assertEquals(128, img.width());
    assertEquals(128, img.height());
    assertArrayEquals(new long[] {1864614, 1864614, 1864614}, channelSums(img));
    for (int c = 0; c < 3; c++) {
      assertEquals(100, img.get(0, 0, c));
      assertEquals(114, img.get(17, 5, c));
      assertEquals(0, img.get(127, 127, c));
    }
    // The trap of ARM.md 9.10: getRGB converts the linear-gray colour space and changes values.
    BufferedImage bi = ImageIO.read(file.toFile());
    assertNotEquals(114, bi.getRGB(17, 5) & 0xff);
  }

  @Test
  void rgbPngMatchesIndependentDecode() throws IOException {
    Rgb8Image img = ImageFiles.read(Shared.require("data/test/Set5/LR/img_001_SRF_4_LR.png"));
    assertArrayEquals(new long[] {2734136, 2199352, 1793522}, channelSums(img));
    assertArrayEquals(new int[] {252, 254, 252}, rgbAt(img, 0, 0));
    assertArrayEquals(new int[] {240, 231, 220}, rgbAt(img, 17, 5));
    assertArrayEquals(new int[] {61, 70, 53}, rgbAt(img, 127, 127));
  }

  private static int[] rgbAt(Rgb8Image img, int x, int y) {
    return new int[] {img.get(x, y, 0), img.get(x, y, 1), img.get(x, y, 2)};
  }

  @Test
  void pngAndBmpRoundTripExactly() throws IOException {
    Rgb8Image img = noise(37, 23, 1);
    for (String name : List.of("a.png", "b.BMP")) {
      Path file = dir.resolve(name);
      ImageFiles.write(img, file);
      Rgb8Image back = ImageFiles.read(file);
      assertEquals(37, back.width());
      assertEquals(23, back.height());
      assertArrayEquals(img.pixels(), back.pixels(), name);
    }
    // No temporary files are left behind.
    assertEquals(List.of("a.png", "b.BMP"), filesIn(dir));
  }

  @Test
  void writeReplacesAnExistingFile() throws IOException {
    Path file = dir.resolve("out.png");
    ImageFiles.write(noise(8, 8, 2), file);
    Rgb8Image second = noise(5, 3, 3);
    ImageFiles.write(second, file);
    assertArrayEquals(second.pixels(), ImageFiles.read(file).pixels());
    assertEquals(List.of("out.png"), filesIn(dir));
  }

  @Test
  void jpegRoundTripIsClose() throws IOException {
    // A smooth image: JPEG at quality 0.95 keeps it within a couple of levels.
    int w = 64;
    int h = 48;
    byte[] px = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        px[(y * w + x) * 3] = (byte) (x * 4);
        px[(y * w + x) * 3 + 1] = (byte) (y * 5);
        px[(y * w + x) * 3 + 2] = (byte) (128 + 60 * Math.sin((x + y) / 9.0));
      }
    }
    Rgb8Image img = new Rgb8Image(w, h, px);
    for (String name : List.of("c.jpg", "d.jpeg")) {
      Path file = dir.resolve(name);
      ImageFiles.write(img, file);
      Rgb8Image back = ImageFiles.read(file);
      double sum = 0;
      int max = 0;
      for (int i = 0; i < px.length; i++) {
        int d = Math.abs((px[i] & 0xff) - (back.pixels()[i] & 0xff));
        sum += d;
        max = Math.max(max, d);
      }
      assertTrue(sum / px.length < 1.5, name + " mean abs diff " + sum / px.length);
      assertTrue(max <= 12, name + " max abs diff " + max);
    }
  }

  /**
   * 8-bit images in the layouts ImageIO hands back (RGB, BGR, ABGR, gray, packed ints), through PNG
   * and BMP: the bytes read equal the samples written, whichever way {@code toDecoded} copies them
   * (straight from interleaved bytes or row by row).
   */
  @Test
  void eightBitLayoutsReadAsTheSamplesWritten() throws IOException {
    Random rnd = new Random(7);
    int[] types = {
      BufferedImage.TYPE_3BYTE_BGR,
      BufferedImage.TYPE_4BYTE_ABGR,
      BufferedImage.TYPE_BYTE_GRAY,
      BufferedImage.TYPE_INT_RGB
    };
    for (int type : types) {
      BufferedImage src = new BufferedImage(29, 17, type);
      boolean gray = type == BufferedImage.TYPE_BYTE_GRAY;
      for (int y = 0; y < 17; y++) {
        for (int x = 0; x < 29; x++) {
          for (int b = 0; b < src.getRaster().getNumBands(); b++) {
            // Opaque alpha, so that BMP (no alpha) and PNG keep the same colours.
            int v = b == 3 ? 255 : rnd.nextInt(256);
            src.getRaster().setSample(x, y, b, v);
          }
        }
      }
      for (String format :
          type == BufferedImage.TYPE_4BYTE_ABGR ? List.of("png") : List.of("png", "bmp")) {
        Rgb8Image back = writeWithImageIo(src, format);
        for (int y = 0; y < 17; y++) {
          for (int x = 0; x < 29; x++) {
            for (int c = 0; c < 3; c++) {
              int expected = src.getRaster().getSample(x, y, gray ? 0 : c);
              assertEquals(expected, back.get(x, y, c), type + " " + format + " " + x + "," + y);
            }
          }
        }
      }
    }
  }

  @Test
  void grayPalettesAlphaAndLowBitDepthsReadAsRawValues() throws IOException {
    // 8-bit gray PNG: values replicated unchanged.
    BufferedImage gray = new BufferedImage(3, 1, BufferedImage.TYPE_BYTE_GRAY);
    gray.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 77, 254});
    Rgb8Image g = writeWithImageIo(gray, "png");
    assertArrayEquals(new int[] {77, 77, 77}, rgbAt(g, 1, 0));
    assertArrayEquals(new int[] {254, 254, 254}, rgbAt(g, 2, 0));

    // RGBA PNG: alpha dropped, colour kept even where fully transparent.
    BufferedImage rgba = new BufferedImage(2, 1, BufferedImage.TYPE_INT_ARGB);
    rgba.setRGB(0, 0, 0x00112233);
    rgba.setRGB(1, 0, 0x80ABCDEF);
    Rgb8Image a = writeWithImageIo(rgba, "png");
    assertArrayEquals(new int[] {0x11, 0x22, 0x33}, rgbAt(a, 0, 0));
    assertArrayEquals(new int[] {0xAB, 0xCD, 0xEF}, rgbAt(a, 1, 0));

    // Palette PNG: indices looked up in the palette.
    byte[] r = {10, 20, 30, 40};
    byte[] gr = {50, 60, 70, 80};
    byte[] b = {90, 100, 110, (byte) 200};
    BufferedImage pal =
        new BufferedImage(
            2, 1, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(2, 4, r, gr, b));
    pal.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {3, 1});
    Rgb8Image p = writeWithImageIo(pal, "png");
    assertArrayEquals(new int[] {40, 80, 200}, rgbAt(p, 0, 0));
    assertArrayEquals(new int[] {20, 60, 100}, rgbAt(p, 1, 0));

    // 1-bit image: 0 and 1 become 0 and 255.
    BufferedImage bin = new BufferedImage(2, 1, BufferedImage.TYPE_BYTE_BINARY);
    bin.getRaster().setSamples(0, 0, 2, 1, 0, new int[] {1, 0});
    Rgb8Image one = writeWithImageIo(bin, "png");
    assertArrayEquals(new int[] {255, 255, 255}, rgbAt(one, 0, 0));
    assertArrayEquals(new int[] {0, 0, 0}, rgbAt(one, 1, 0));

    // 16-bit 5-6-5 BMP: components scaled to 0..255 (31 -> 255, 16/31 -> 132, 32/63 -> 130).
    BufferedImage rgb565 = new BufferedImage(1, 1, BufferedImage.TYPE_USHORT_565_RGB);
    rgb565.getRaster().setPixel(0, 0, new int[] {31, 32, 16});
    Rgb8Image bmp = writeWithImageIo(rgb565, "bmp");
    assertArrayEquals(new int[] {255, 130, 132}, rgbAt(bmp, 0, 0));
  }

  @Test
  void sixteenBitImagesAreRoundedForTheRgbView() throws IOException {
    BufferedImage deep = new BufferedImage(3, 1, BufferedImage.TYPE_USHORT_GRAY);
    deep.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {0, 128, 65535});
    Path file = dir.resolve("deep.png");
    assertTrue(ImageIO.write(deep, "png", file.toFile()));
    Rgb8Image img = ImageFiles.read(file);
    // round(v / 257): 128 -> 0 (0.498), 65535 -> 255.
    assertArrayEquals(new int[] {0, 0, 0}, rgbAt(img, 1, 0));
    assertArrayEquals(new int[] {255, 255, 255}, rgbAt(img, 2, 0));
  }

  private Rgb8Image writeWithImageIo(BufferedImage bi, String format) throws IOException {
    Path file = Files.createTempFile(dir, "imageio", "." + format);
    assertTrue(ImageIO.write(bi, format, file.toFile()), "ImageIO wrote " + format);
    return ImageFiles.read(file);
  }

  @Test
  void unknownExtensionIsRejectedBeforeWriting() {
    Path file = dir.resolve("out.gif");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> ImageFiles.write(noise(2, 2, 4), file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(".gif"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> ImageFiles.write(noise(2, 2, 4), dir.resolve("noextension")));
    assertFalse(Files.exists(file));
  }

  @Test
  void failedWriteNamesTheFileAndLeavesNoTemporary() throws IOException {
    Path file = dir.resolve("missing-folder/out.png");
    IOException e = assertThrows(IOException.class, () -> ImageFiles.write(noise(2, 2, 5), file));
    assertTrue(e.getMessage().contains(file.toString()), e.getMessage());
    assertEquals(List.of(), filesIn(dir));
  }

  @Test
  void corruptAndMissingFilesNameTheFile() throws IOException {
    Path good = dir.resolve("good.png");
    ImageFiles.write(noise(40, 40, 6), good);
    byte[] bytes = Files.readAllBytes(good);

    Path truncated = dir.resolve("truncated.png");
    Files.write(truncated, Arrays.copyOf(bytes, bytes.length / 2));
    assertReadFails(truncated, "corrupt or truncated PNG");

    Path random = dir.resolve("random.png");
    byte[] junk = new byte[4096];
    new Random(7).nextBytes(junk);
    Files.write(random, junk);
    assertReadFails(random, "not a PNG, JPEG, BMP, TIFF or WebP image");

    Path empty = dir.resolve("empty.bmp");
    Files.write(empty, new byte[0]);
    assertReadFails(empty, "empty file");

    Path jpeg = dir.resolve("good.jpg");
    ImageFiles.write(noise(64, 64, 8), jpeg);
    byte[] jb = Files.readAllBytes(jpeg);
    Path cut = dir.resolve("cut.jpg");
    Files.write(cut, Arrays.copyOf(jb, jb.length / 2));
    assertReadFails(cut, "corrupt or truncated JPEG");

    assertReadFails(dir.resolve("absent.png"), "no such file");
    assertReadFails(dir, "is a directory");
  }

  private static void assertReadFails(Path file, String problem) {
    ImageReadException e = assertThrows(ImageReadException.class, () -> ImageFiles.read(file));
    String m = e.getMessage();
    assertTrue(m.startsWith("cannot read image " + file + ": "), m);
    assertTrue(m.contains(problem), m);
    assertFalse(m.contains("\n"), m);
    assertEquals(file, e.file());
  }
}

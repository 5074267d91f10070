package io.armsr.imagefile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import java.awt.image.BufferedImage;
import java.awt.image.IndexColorModel;
import java.awt.image.WritableRaster;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Iterator;
import java.util.List;
import java.util.Random;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Round trips through every format and colour type armsr reads and writes, checking pixel values:
 * PNG 8/16-bit gray, gray+alpha, palette, RGB, RGBA; TIFF 8/16-bit; BMP; JPEG gray/RGB/CMYK and
 * EXIF orientation; WebP (read only, committed fixtures).
 */
class ImageFormatsTest {
  @TempDir Path dir;

  private static final int W = 13;
  private static final int H = 7;

  /** A random image of the given kind, with its 16-bit samples and alpha where it has them. */
  static DecodedImage random(boolean gray, int depth, boolean alpha, long seed) {
    Random rnd = new Random(seed);
    int n = W * H;
    int colours = gray ? 1 : 3;
    short[] s16 = depth == 16 ? new short[n * colours] : null;
    byte[] rgb = new byte[3 * n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < colours; c++) {
        int v16 = rnd.nextInt(65536);
        int v8 = depth == 16 ? (v16 * 255 + 32767) / 65535 : v16 >> 8;
        if (s16 != null) {
          s16[i * colours + c] = (short) v16;
        }
        if (gray) {
          rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = (byte) v8;
        } else {
          rgb[3 * i + c] = (byte) v8;
        }
      }
    }
    short[] a = null;
    if (alpha) {
      a = new short[n];
      for (int i = 0; i < n; i++) {
        a[i] = (short) rnd.nextInt(depth == 16 ? 65536 : 256);
      }
    }
    return new DecodedImage(new Rgb8Image(W, H, rgb), gray, depth, a, s16);
  }

  private DecodedImage roundTrip(DecodedImage img, String name) throws IOException {
    Path file = dir.resolve(name);
    assertEquals(List.of(), ImageFiles.writeImage(img, file, 95));
    return ImageFiles.readImage(file, ReadLimits.DEFAULT);
  }

  private static void assertSame(DecodedImage want, DecodedImage got, String what) {
    assertEquals(want.width(), got.width(), what);
    assertEquals(want.height(), got.height(), what);
    assertEquals(want.gray(), got.gray(), what + " gray");
    assertEquals(want.bitDepth(), got.bitDepth(), what + " depth");
    assertArrayEquals(want.rgb().pixels(), got.rgb().pixels(), what + " rgb");
    assertArrayEquals(want.alpha(), got.alpha(), what + " alpha");
    assertArrayEquals(want.samples16(), got.samples16(), what + " 16-bit samples");
  }

  @Test
  void pngAndTiffKeepEveryColourTypeAndDepthExactly() throws IOException {
    int seed = 0;
    for (String ext : new String[] {"png", "tif", "tiff"}) {
      for (int depth : new int[] {8, 16}) {
        for (boolean gray : new boolean[] {true, false}) {
          for (boolean alpha : new boolean[] {false, true}) {
            DecodedImage img = random(gray, depth, alpha, seed++);
            String what =
                ext + " " + depth + "-bit " + (gray ? "gray" : "rgb") + (alpha ? "+a" : "");
            assertSame(img, roundTrip(img, "rt" + seed + "." + ext), what);
          }
        }
      }
    }
  }

  @Test
  void bmpKeepsRgbAndGrayAndReportsWhatItDrops() throws IOException {
    DecodedImage rgb = random(false, 8, false, 1);
    assertSame(rgb, roundTrip(rgb, "rgb.bmp"), "bmp rgb");
    DecodedImage gray = random(true, 8, false, 2);
    assertSame(gray, roundTrip(gray, "gray.bmp"), "bmp gray");

    DecodedImage deep = random(false, 16, true, 3);
    Path file = dir.resolve("deep.bmp");
    List<String> warnings = ImageFiles.writeImage(deep, file, 95);
    assertEquals(2, warnings.size(), warnings.toString());
    assertTrue(warnings.get(0).contains("alpha dropped"), warnings.toString());
    assertTrue(warnings.get(1).contains("8 bits"), warnings.toString());
    DecodedImage back = ImageFiles.readImage(file, ReadLimits.DEFAULT);
    assertArrayEquals(deep.rgb().pixels(), back.rgb().pixels());
    assertNull(back.alpha());
    assertEquals(8, back.bitDepth());
  }

  @Test
  void palettePngWithTransparencyReadsColoursAndAlpha() throws IOException {
    byte[] r = {10, 20, 30, 40};
    byte[] g = {50, 60, 70, 80};
    byte[] b = {90, 100, 110, (byte) 200};
    byte[] a = {0, (byte) 128, (byte) 255, 7};
    BufferedImage pal =
        new BufferedImage(
            3, 1, BufferedImage.TYPE_BYTE_INDEXED, new IndexColorModel(2, 4, r, g, b, a));
    pal.getRaster().setSamples(0, 0, 3, 1, 0, new int[] {3, 1, 0});
    Path file = dir.resolve("pal.png");
    assertTrue(ImageIO.write(pal, "png", file.toFile()));
    DecodedImage d = ImageFiles.readImage(file, ReadLimits.DEFAULT);
    assertArrayEquals(new byte[] {40, 80, (byte) 200, 20, 60, 100, 10, 50, 90}, d.rgb().pixels());
    assertArrayEquals(new short[] {7, 128, 0}, d.alpha());
    assertFalse(d.gray());
    // Written back as RGBA (armsr does not write palettes): same values.
    assertSame(d, roundTrip(d, "pal-back.png"), "palette to RGBA");
  }

  @Test
  void jpegRgbAndGrayAreCloseAndQualityIsUsed() throws IOException {
    // Smooth content, so JPEG's error stays small and the check is meaningful.
    byte[] px = new byte[64 * 48 * 3];
    for (int y = 0; y < 48; y++) {
      for (int x = 0; x < 64; x++) {
        px[(y * 64 + x) * 3] = (byte) (x * 4);
        px[(y * 64 + x) * 3 + 1] = (byte) (y * 5);
        px[(y * 64 + x) * 3 + 2] = (byte) (128 + x - y);
      }
    }
    DecodedImage rgb = DecodedImage.of(new Rgb8Image(64, 48, px));
    Path hi = dir.resolve("hi.jpg");
    Path lo = dir.resolve("lo.jpeg");
    ImageFiles.writeImage(rgb, hi, 95);
    ImageFiles.writeImage(rgb, lo, 5);
    assertTrue(Files.size(lo) < Files.size(hi), Files.size(lo) + " vs " + Files.size(hi));
    DecodedImage back = ImageFiles.readImage(hi, ReadLimits.DEFAULT);
    assertFalse(back.gray());
    assertTrue(maxDiff(rgb.rgb(), back.rgb()) <= 8, "max diff " + maxDiff(rgb.rgb(), back.rgb()));

    byte[] g = new byte[64 * 48 * 3];
    for (int i = 0; i < 64 * 48; i++) {
      g[3 * i] = g[3 * i + 1] = g[3 * i + 2] = px[3 * i];
    }
    DecodedImage gray = new DecodedImage(new Rgb8Image(64, 48, g), true, 8, null, null);
    DecodedImage grayBack = roundTripLossy(gray, "gray.jpg");
    assertTrue(grayBack.gray());
    assertTrue(maxDiff(gray.rgb(), grayBack.rgb()) <= 4);
    assertThrows(
        IllegalArgumentException.class, () -> ImageFiles.writeImage(rgb, dir.resolve("q.jpg"), 0));
    assertThrows(
        IllegalArgumentException.class,
        () -> ImageFiles.writeImage(rgb, dir.resolve("q.jpg"), 101));
    assertFalse(Files.exists(dir.resolve("q.jpg")));
  }

  private DecodedImage roundTripLossy(DecodedImage img, String name) throws IOException {
    Path file = dir.resolve(name);
    ImageFiles.writeImage(img, file, 95);
    return ImageFiles.readImage(file, ReadLimits.DEFAULT);
  }

  static int maxDiff(Rgb8Image a, Rgb8Image b) {
    int m = 0;
    for (int i = 0; i < a.pixels().length; i++) {
      m = Math.max(m, Math.abs((a.pixels()[i] & 0xff) - (b.pixels()[i] & 0xff)));
    }
    return m;
  }

  /**
   * A four-component JPEG written from a raster, with an Adobe APP14 segment (transform 0) as
   * Photoshop writes for CMYK; stored inverted, as Adobe CMYK JPEGs are (255 = no ink).
   */
  static byte[] cmykJpeg(int w, int h, int[] cmyk) throws IOException {
    return adobeJpeg(w, h, cmyk, false);
  }

  /**
   * As {@link #cmykJpeg}, or with {@code ycck} the Adobe YCCK form (APP14 transform 2): C, M, Y
   * stored as JFIF YCbCr and K inverted (libjpeg's {@code ycck_cmyk_convert} gives {@code 255 - R},
   * which Adobe's inverted convention reads as the ink itself).
   */
  static byte[] adobeJpeg(int w, int h, int[] cmyk, boolean ycck) throws IOException {
    BufferedImage tmp = new BufferedImage(w, h, BufferedImage.TYPE_4BYTE_ABGR);
    WritableRaster raster = tmp.getRaster().createCompatibleWritableRaster(w, h);
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int o = (y * w + x) * 4;
        double r = ycck ? cmyk[o] : 255 - cmyk[o];
        double g = ycck ? cmyk[o + 1] : 255 - cmyk[o + 1];
        double b = ycck ? cmyk[o + 2] : 255 - cmyk[o + 2];
        int[] v =
            ycck
                ? new int[] {
                  (int) Math.round(0.299 * r + 0.587 * g + 0.114 * b),
                  (int) Math.round(-0.168736 * r - 0.331264 * g + 0.5 * b + 128),
                  (int) Math.round(0.5 * r - 0.418688 * g - 0.081312 * b + 128),
                  255 - cmyk[o + 3]
                }
                : new int[] {(int) r, (int) g, (int) b, 255 - cmyk[o + 3]};
        for (int c = 0; c < 4; c++) {
          raster.setSample(x, y, c, Math.min(255, Math.max(0, v[c])));
        }
      }
    }
    ImageWriter writer = null;
    for (Iterator<ImageWriter> it = ImageIO.getImageWritersByFormatName("jpeg"); it.hasNext(); ) {
      ImageWriter wr = it.next();
      // The JDK writer writes rasters of any band count; find it behind the TwelveMonkeys one.
      if (writer == null && wr.getClass().getName().startsWith("com.sun")) {
        writer = wr;
      }
    }
    assertTrue(writer != null, "the JDK JPEG writer");
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (ImageOutputStream ios = ImageIO.createImageOutputStream(bytes)) {
      writer.setOutput(ios);
      writer.write(null, new IIOImage(raster, null, null), writer.getDefaultWriteParam());
    } finally {
      writer.dispose();
    }
    // Insert APP14 "Adobe", version 100, flags 0, 0, transform 0 (CMYK) or 2 (YCCK).
    byte[] jpg = bytes.toByteArray();
    byte[] app14 = {
      (byte) 0xFF,
      (byte) 0xEE,
      0,
      14,
      'A',
      'd',
      'o',
      'b',
      'e',
      0,
      100,
      0,
      0,
      0,
      0,
      (byte) (ycck ? 2 : 0)
    };
    return insertAfterSoi(jpg, app14);
  }

  static byte[] insertAfterSoi(byte[] jpg, byte[] segment) {
    byte[] out = new byte[jpg.length + segment.length];
    System.arraycopy(jpg, 0, out, 0, 2);
    System.arraycopy(segment, 0, out, 2, segment.length);
    System.arraycopy(jpg, 2, out, 2 + segment.length, jpg.length - 2);
    return out;
  }

  @Test
  void ycckJpegIsConvertedToRgb() throws IOException {
    cmykOrYcck(true);
  }

  @Test
  void cmykJpegIsConvertedToRgb() throws IOException {
    cmykOrYcck(false);
  }

  private void cmykOrYcck(boolean ycck) throws IOException {
    // Four 8x8 blocks: no ink, cyan, magenta+yellow (red), full black.
    int w = 32;
    int h = 8;
    int[][] inks = {{0, 0, 0, 0}, {255, 0, 0, 0}, {0, 255, 255, 0}, {0, 0, 0, 255}};
    int[] cmyk = new int[w * h * 4];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        System.arraycopy(inks[x / 8], 0, cmyk, (y * w + x) * 4, 4);
      }
    }
    Path file = dir.resolve(ycck ? "ycck.jpg" : "cmyk.jpg");
    Files.write(file, adobeJpeg(w, h, cmyk, ycck));
    DecodedImage d = ImageFiles.readImage(file, ReadLimits.DEFAULT);
    assertEquals(w, d.width());
    Rgb8Image rgb = d.rgb();
    int[] white = at(rgb, 4, 4);
    int[] cyan = at(rgb, 12, 4);
    int[] red = at(rgb, 20, 4);
    int[] black = at(rgb, 28, 4);
    String all =
        Arrays.toString(white)
            + Arrays.toString(cyan)
            + Arrays.toString(red)
            + Arrays.toString(black);
    assertTrue(min(white) > 220, all);
    assertTrue(cyan[0] < 100 && cyan[1] > 120 && cyan[2] > 180, all);
    assertTrue(red[0] > 180 && red[1] < 100 && red[2] < 100, all);
    assertTrue(max(black) < 60, all);
  }

  private static int[] at(Rgb8Image img, int x, int y) {
    return new int[] {img.get(x, y, 0), img.get(x, y, 1), img.get(x, y, 2)};
  }

  private static int min(int[] v) {
    return Arrays.stream(v).min().getAsInt();
  }

  private static int max(int[] v) {
    return Arrays.stream(v).max().getAsInt();
  }

  /** An APP1 EXIF segment (big-endian TIFF) whose IFD0 holds only the orientation tag. */
  static byte[] exifOrientation(int orientation) {
    ByteBuffer b = ByteBuffer.allocate(2 + 2 + 6 + 8 + 2 + 12 + 4);
    b.put((byte) 0xFF).put((byte) 0xE1).putShort((short) (b.capacity() - 2));
    b.put(new byte[] {'E', 'x', 'i', 'f', 0, 0});
    b.put(new byte[] {'M', 'M', 0, 42, 0, 0, 0, 8});
    b.putShort((short) 1);
    b.putShort((short) 274).putShort((short) 3).putInt(1).putShort((short) orientation);
    b.putShort((short) 0);
    b.putInt(0);
    return b.array();
  }

  @Test
  void exifOrientationIsApplied() throws IOException {
    // 32x16 stored image: a red 16x16 block on the left, white on the right (JPEG keeps flat blocks
    // close to their value).
    int w = 32;
    int h = 16;
    byte[] px = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int o = (y * w + x) * 3;
        px[o] = (byte) 255;
        px[o + 1] = px[o + 2] = (byte) (x < 16 ? 0 : 255);
      }
    }
    Path plain = dir.resolve("plain.jpg");
    ImageFiles.write(new Rgb8Image(w, h, px), plain);
    byte[] jpg = Files.readAllBytes(plain);
    Rgb8Image stored = ImageFiles.read(plain);
    for (int o = 1; o <= 8; o++) {
      Path file = dir.resolve("o" + o + ".jpg");
      Files.write(file, insertAfterSoi(jpg, exifOrientation(o)));
      Rgb8Image shown = ImageFiles.read(file);
      boolean turned = o >= 5;
      assertEquals(turned ? h : w, shown.width(), "orientation " + o);
      assertEquals(turned ? w : h, shown.height(), "orientation " + o);
      // Same decoded pixels, moved: compare against the stored image through the EXIF rule.
      for (int y = 0; y < shown.height(); y++) {
        for (int x = 0; x < shown.width(); x++) {
          int s = ExifOrientation.source(o, x, y, w, h);
          for (int c = 0; c < 3; c++) {
            assertEquals(
                stored.pixels()[3 * s + c] & 0xff, shown.get(x, y, c), "o" + o + " " + x + "," + y);
          }
        }
      }
    }
    // Independently of the mapping: 6 turns clockwise, so the left (red) block goes to the top;
    // 8 turns counter-clockwise, so it goes to the bottom; 3 turns it to the right.
    Path six = dir.resolve("o6.jpg");
    assertTrue(ImageFiles.read(six).get(8, 4, 1) < 40);
    assertTrue(ImageFiles.read(six).get(8, 28, 1) > 215);
    Path eight = dir.resolve("o8.jpg");
    assertTrue(ImageFiles.read(eight).get(8, 28, 1) < 40);
    assertTrue(ImageFiles.read(eight).get(8, 4, 1) > 215);
    Path three = dir.resolve("o3.jpg");
    assertTrue(ImageFiles.read(three).get(28, 8, 1) < 40);
    assertTrue(ImageFiles.read(three).get(4, 8, 1) > 215);
  }

  /** The formula of the WebP fixtures (make_webp.py beside them). */
  private static int[] webpPixel(int x, int y) {
    return new int[] {16 * x, 16 * y, 255 - 8 * (x + y), 255 - 12 * x};
  }

  private Path resource(String name) throws IOException {
    Path file = dir.resolve(name);
    try (InputStream in = getClass().getResourceAsStream("/io/armsr/fixtures/formats/" + name)) {
      Files.copy(in, file);
    }
    return file;
  }

  @Test
  void webpLosslessWithAlphaAndLossyAreRead() throws IOException {
    DecodedImage lossless =
        ImageFiles.readImage(resource("lossless-rgba.webp"), ReadLimits.DEFAULT);
    assertEquals(16, lossless.width());
    assertEquals(8, lossless.bitDepth());
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        int[] want = webpPixel(x, y);
        for (int c = 0; c < 3; c++) {
          assertEquals(want[c], lossless.rgb().get(x, y, c), x + "," + y + " c" + c);
        }
        assertEquals(want[3], lossless.alpha()[y * 16 + x], x + "," + y + " alpha");
      }
    }
    DecodedImage lossy = ImageFiles.readImage(resource("lossy-rgb.webp"), ReadLimits.DEFAULT);
    int worst = 0;
    for (int y = 0; y < 16; y++) {
      for (int x = 0; x < 16; x++) {
        for (int c = 0; c < 3; c++) {
          worst = Math.max(worst, Math.abs(webpPixel(x, y)[c] - lossy.rgb().get(x, y, c)));
        }
      }
    }
    assertTrue(worst <= 24, "lossy WebP max error " + worst);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ImageFiles.writeImage(lossy, dir.resolve("out.webp"), 95));
    assertTrue(e.getMessage().contains("read-only"), e.getMessage());
  }

  /**
   * A WebP cut short at any length is an error naming the file, never a decoded image: the RIFF
   * header declares the file's length, so a truncation is caught before a decoder can fill the
   * missing pixels from past the end.
   */
  @Test
  void everyCutOfAWebpIsRefused() throws IOException {
    for (String name : List.of("lossless-rgba.webp", "lossy-rgb.webp")) {
      byte[] whole = Files.readAllBytes(resource(name));
      for (int length = 1; length < whole.length; length++) {
        Path cut = dir.resolve("cut-" + length + "-" + name);
        Files.write(cut, java.util.Arrays.copyOf(whole, length));
        String what = name + " cut to " + length + " bytes";
        ImageReadException e =
            assertThrows(
                ImageReadException.class,
                () -> ImageFiles.readImage(cut, ReadLimits.DEFAULT),
                what);
        assertTrue(e.getMessage().contains(cut.getFileName().toString()), e.getMessage());
        if (length >= 16) {
          // From the first chunk header on, the reader recognises WebP; before, it is no image.
          assertTrue(e.getMessage().contains("truncated WEBP data"), what + ": " + e.getMessage());
        }
      }
    }
  }

  /**
   * A lossless WebP whose bitstream is garbage after its 6000x7000 header: the decoder reads on
   * past the end of the data as if it were zero bits, which took minutes for some garbage; now each
   * variant fails at once as corrupt data. The real solid-colour file of the same size and header
   * (1,666 bytes, libwebp's {@code cwebp -lossless}) still decodes.
   */
  @Test
  void aWebpDecoderReadingPastTheEndIsStopped() throws IOException {
    Path solid = resource("solid-6000x7000.webp");
    DecodedImage image = ImageFiles.readImage(solid, ReadLimits.DEFAULT);
    assertEquals(6000, image.width());
    assertEquals(7000, image.height());
    assertEquals(120, image.rgb().get(5999, 6999, 0));
    byte[] whole = Files.readAllBytes(solid);
    for (int seed = 0; seed < 8; seed++) {
      byte[] garbage = whole.clone();
      java.util.Random r = new java.util.Random(seed);
      // RIFF (12) + VP8L header (8) + signature and dimensions (5) stay; the rest is random.
      for (int i = 25; i < garbage.length; i++) {
        garbage[i] = (byte) r.nextInt(256);
      }
      Path file = dir.resolve("garbage-" + seed + ".webp");
      Files.write(file, garbage);
      ImageReadException e =
          org.junit.jupiter.api.Assertions.assertTimeoutPreemptively(
              java.time.Duration.ofSeconds(5),
              () ->
                  assertThrows(
                      ImageReadException.class,
                      () -> ImageFiles.readImage(file, ReadLimits.DEFAULT)),
              "seed " + seed);
      assertTrue(e.getMessage().contains("garbage-" + seed + ".webp"), e.getMessage());
    }
  }

  @Test
  void theUpscaledOutputKeepsGrayDepthAndAlpha() throws IOException {
    DecodedImage in = random(true, 16, true, 9);
    // A stand-in SR result: nearest x4 of the 8-bit view, with R, G, B slightly apart.
    byte[] sr = new byte[16 * W * H * 3];
    for (int y = 0; y < 4 * H; y++) {
      for (int x = 0; x < 4 * W; x++) {
        int v = in.rgb().get(x / 4, y / 4, 0);
        int o = (y * 4 * W + x) * 3;
        sr[o] = (byte) v;
        sr[o + 1] = (byte) Math.min(255, v + 1);
        sr[o + 2] = (byte) Math.max(0, v - 1);
      }
    }
    DecodedImage out = in.upscaled(new Rgb8Image(4 * W, 4 * H, sr), 4);
    Path file = dir.resolve("sr.png");
    ImageFiles.writeImage(out, file, 95);
    DecodedImage back = ImageFiles.readImage(file, ReadLimits.DEFAULT);
    assertTrue(back.gray());
    assertEquals(16, back.bitDepth());
    for (int i = 0; i < 16 * W * H; i++) {
      int r = sr[3 * i] & 0xff;
      int g = sr[3 * i + 1] & 0xff;
      int b = sr[3 * i + 2] & 0xff;
      int luma = (299 * r + 587 * g + 114 * b + 500) / 1000;
      assertEquals(luma * 257, back.samples16()[i] & 0xffff, "pixel " + i);
    }
    // Alpha: bicubic x4 of the alpha plane; a constant plane stays constant.
    short[] flat = new short[W * H];
    Arrays.fill(flat, (short) 40000);
    DecodedImage constant = new DecodedImage(in.rgb(), true, 16, flat, in.samples16());
    DecodedImage up = constant.upscaled(new Rgb8Image(4 * W, 4 * H, sr), 4);
    for (short a : up.alpha()) {
      assertEquals(40000, a & 0xffff);
    }
    assertEquals(16 * W * H, back.alpha().length);
  }

  @Test
  void aDeclaredSizeOverTheLimitIsRefusedBeforeDecoding() throws IOException {
    // A PNG header declaring 20000 x 20000 RGB, followed by a few bytes of "data": reading the
    // pixels would need 1.2 GB; the guard answers from the header.
    ByteBuffer ihdr = ByteBuffer.allocate(13).putInt(20000).putInt(20000);
    ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    png.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    png.write(io.armsr.testing.FuzzInputs.pngChunk("IHDR", ihdr.array()));
    png.write(io.armsr.testing.FuzzInputs.pngChunk("IDAT", new byte[] {0x78, (byte) 0x9c, 3, 0}));
    Path bomb = dir.resolve("bomb.png");
    Files.write(bomb, png.toByteArray());
    ImageReadException e =
        assertThrows(
            ImageReadException.class, () -> ImageFiles.readImage(bomb, ReadLimits.DEFAULT));
    assertTrue(
        e.getMessage().contains("20000x20000 = 400,000,000 pixels")
            && e.getMessage().contains("100,000,000")
            && e.getMessage().contains("bomb.png"),
        e.getMessage());

    Path small = dir.resolve("small.png");
    ImageFiles.writeImage(random(false, 8, false, 4), small, 95);
    ImageReadException tight =
        assertThrows(
            ImageReadException.class,
            () -> ImageFiles.readImage(small, ReadLimits.ofMaxPixels(W * H - 1)));
    assertTrue(tight.getMessage().contains("(the pixel limit)"), tight.getMessage());
    assertEquals(W, ImageFiles.readImage(small, ReadLimits.ofMaxPixels(W * H)).width());
  }

  /**
   * A header check sees the size as displayed, the depth and the alpha of every writable format
   * before decoding, and refuses an image with its own message.
   */
  @Test
  void aHeaderCheckSeesTheHeaderBeforeDecoding() throws IOException {
    for (String ext : List.of("png", "tif", "bmp", "jpg")) {
      for (boolean sixteen : new boolean[] {false, true}) {
        boolean alpha = ext.equals("png") || ext.equals("tif");
        DecodedImage image = random(false, sixteen ? 16 : 8, alpha, 5);
        Path file = dir.resolve("h-" + sixteen + "." + ext);
        ImageFiles.writeImage(image, file, 95);
        List<ImageHeader> seen = new java.util.ArrayList<>();
        ReadLimits limits = ReadLimits.DEFAULT.withHeaderCheck(seen::add);
        DecodedImage back = ImageFiles.readImage(file, limits);
        boolean keeps16 = sixteen && (ext.equals("png") || ext.equals("tif"));
        assertEquals(
            List.of(new ImageHeader(file, formatOf(ext), W, H, keeps16 ? 16 : 8, alpha)),
            seen,
            file.toString());
        assertEquals(back.bitDepth(), seen.get(0).bitDepth(), file.toString());
        assertEquals(back.hasAlpha(), seen.get(0).alpha(), file.toString());
      }
    }
    Path file = dir.resolve("refused.png");
    ImageFiles.writeImage(random(false, 8, false, 6), file, 95);
    ImageReadException e =
        assertThrows(
            ImageReadException.class,
            () ->
                ImageFiles.readImage(
                    file,
                    ReadLimits.DEFAULT.withHeaderCheck(
                        h -> {
                          throw new ImageReadException(h.file(), "too wide for this test");
                        })));
    assertEquals("cannot read image " + file + ": too wide for this test", e.getMessage());
    // An unchecked exception of the check is the caller's own, not a corrupt file.
    IllegalStateException own =
        assertThrows(
            IllegalStateException.class,
            () ->
                ImageFiles.readImage(
                    file,
                    ReadLimits.DEFAULT.withHeaderCheck(
                        h -> {
                          throw new IllegalStateException("the caller's bug");
                        })));
    assertEquals("the caller's bug", own.getMessage());
  }

  private static String formatOf(String ext) {
    return switch (ext) {
      case "png" -> "PNG";
      case "tif" -> "TIFF";
      case "bmp" -> "BMP";
      default -> "JPEG";
    };
  }
}

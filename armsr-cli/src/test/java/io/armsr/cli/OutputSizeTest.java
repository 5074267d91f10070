package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.ImageMetrics;
import io.armsr.image.MatlabResize;
import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ReadLimits;
import io.armsr.testing.FixtureModel;
import io.armsr.testing.Shared;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code armsr upscale --scale / --width / --height}: the sizes asked for, exactly, on odd inputs;
 * usage errors; what the file carries (gray, alpha, 16 bits) at the new size; and the point of the
 * feature: x2 made from the x4 result beats bicubic x2 of the input on real photographs.
 */
class OutputSizeTest {
  @TempDir Path dir;

  private Path weights;
  private Path lut;
  private Path input;

  @BeforeEach
  void setUp() throws IOException {
    weights = FixtureModel.copy(dir, "checkpoint-v1.armw");
    lut = FixtureModel.copy(dir, "lut-v1.arml");
    input = dir.resolve("odd.png");
    byte[] px = new byte[21 * 13 * 3];
    new Random(7).nextBytes(px);
    ImageFiles.write(new Rgb8Image(21, 13, px), input);
  }

  private CliTest.Run upscale(Path in, Path out, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "upscale",
                in.toString(),
                out.toString(),
                "--weights",
                weights.toString(),
                "--lut",
                lut.toString()));
    a.addAll(List.of(extra));
    return CliTest.run(a.toArray(String[]::new));
  }

  /** Upscales the 21x13 input with {@code flags} and returns the output's size as "WxH". */
  private String size(String... flags) throws IOException {
    Path out = dir.resolve("out-" + String.join("_", flags).replace("-", "") + ".png");
    CliTest.Run r = upscale(input, out, flags);
    assertEquals(0, r.code(), r.err());
    Rgb8Image img = ImageFiles.read(out);
    String s = img.width() + "x" + img.height();
    assertTrue(r.out().contains("21x13 -> " + s + ","), r.out());
    return s;
  }

  @Test
  void givesExactlyTheSizeAsked() throws IOException {
    assertEquals("42x26", size("--scale", "2"));
    assertEquals("63x39", size("--scale", "3"));
    // ceil(2.5 * 21) = 53, ceil(2.5 * 13) = 33.
    assertEquals("53x33", size("--scale", "2.5"));
    // ceil(1.1 * 21) = ceil(23.1) = 24 exactly, where 1.1 / 4 * 84 in floats is 23.100000000000001.
    assertEquals("24x15", size("--scale", "1.1"));
    // Width alone: 50 x round(52 * 50 / 84) = round(30.95) = 31.
    assertEquals("50x31", size("--width", "50"));
    // Height alone: round(84 * 20 / 52) = round(32.31) = 32 x 20.
    assertEquals("32x20", size("--height", "20"));
    // Both: inside 60x30 the height limits (30 / 52 < 60 / 84): round(84 * 30 / 52) = 48.
    assertEquals("48x30", size("--width", "60", "--height", "30"));
    // Inside 40x100 the width limits: 40 x round(52 * 40 / 84) = round(24.76) = 25.
    assertEquals("40x25", size("--width", "40", "--height", "100"));
    // x4 itself is allowed, on either side.
    assertEquals("84x52", size("--width", "84"));
  }

  @Test
  void scaleFourIsTheDefaultOutputByteForByte() throws IOException {
    Path plain = dir.resolve("plain.png");
    Path four = dir.resolve("four.png");
    assertEquals(0, upscale(input, plain).code());
    assertEquals(0, upscale(input, four, "--scale", "4").code());
    assertArrayEquals(Files.readAllBytes(plain), Files.readAllBytes(four));
  }

  @Test
  void badSizesAreUsageErrorsThatWriteNothing() {
    Path out = dir.resolve("never.png");
    String[][] bad = {
      {"--scale", "1"},
      {"--scale", "0.5"},
      {"--scale", "4.01"},
      {"--scale", "-2"},
      {"--width", "0"},
      {"--height", "-3"},
      {"--width", "85"},
      {"--height", "53"},
      {"--width", "170", "--height", "105"},
      {"--scale", "2", "--width", "40"},
      {"--scale", "2", "--height", "20"},
    };
    for (String[] flags : bad) {
      CliTest.Run r = upscale(input, out, flags);
      assertEquals(2, r.code(), String.join(" ", flags) + ": " + r.err());
      assertTrue(r.err().startsWith("armsr: "), r.err());
      assertEquals(1, r.err().strip().lines().count(), r.err());
      assertFalse(Files.exists(out), String.join(" ", flags));
    }
  }

  @Test
  void grayAlphaAndSixteenBitsKeepTheirFormAtTheNewSize() throws IOException {
    int w = 19;
    int h = 11;
    short[] gray16 = new short[w * h];
    short[] alpha16 = new short[w * h];
    byte[] rgb = new byte[w * h * 3];
    for (int i = 0; i < w * h; i++) {
      int v = 9000 + 211 * i;
      gray16[i] = (short) v;
      alpha16[i] = (short) 65535; // opaque: must stay exactly opaque after the resize
      int v8 = (int) Math.round(v / 257.0);
      rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = (byte) v8;
    }
    Path in = dir.resolve("gray16a.png");
    ImageFiles.writeImage(
        new DecodedImage(new Rgb8Image(w, h, rgb), true, 16, alpha16, gray16), in, 95);
    Path out = dir.resolve("gray16a-x2.png");
    CliTest.Run r = upscale(in, out, "--scale", "2");
    assertEquals(0, r.code(), r.err());
    DecodedImage back = ImageFiles.readImage(out, ReadLimits.DEFAULT);
    assertEquals(38, back.width());
    assertEquals(22, back.height());
    assertTrue(back.gray());
    assertEquals(16, back.bitDepth());
    assertTrue(back.hasAlpha());
    for (short a : back.alpha()) {
      assertEquals(65535, a & 0xffff);
    }
    // The deadline mode and a JPEG output take the size too.
    Path jpg = dir.resolve("gray-x3.jpg");
    r = upscale(in, jpg, "--height", "33", "--deadline-ms", "1000");
    assertEquals(0, r.code(), r.err());
    Rgb8Image j = ImageFiles.read(jpg);
    assertEquals("57x33", j.width() + "x" + j.height());
  }

  @Test
  void foldersAndTheMaskUseTheirOwnSizes() throws IOException {
    Path in = Files.createDirectory(dir.resolve("in"));
    Files.copy(input, in.resolve("a.png"));
    byte[] px = new byte[10 * 9 * 3];
    new Random(3).nextBytes(px);
    ImageFiles.write(new Rgb8Image(10, 9, px), in.resolve("b.bmp"));
    Path out = dir.resolve("out");
    CliTest.Run r = upscale(in, out, "--scale", "2.5", "--format", "tif");
    assertEquals(0, r.code(), r.err());
    Rgb8Image a = ImageFiles.read(out.resolve("a.tif"));
    Rgb8Image b = ImageFiles.read(out.resolve("b.tif"));
    assertEquals("53x33", a.width() + "x" + a.height());
    assertEquals("25x23", b.width() + "x" + b.height());
    // A folder image too small for the size fails alone (exit 3), the others are done.
    Path out2 = dir.resolve("out2");
    r = upscale(in, out2, "--width", "60");
    assertEquals(3, r.code(), r.out() + r.err());
    assertTrue(r.out().contains("done 1, skipped 0, failed 1"), r.out());
    assertTrue(r.out().contains("failed: b.bmp: the output size asked for, 60x54"), r.out());
    assertEquals(60, ImageFiles.read(out2.resolve("a.png")).width());
    // The routing mask stays x4.
    Path mask = dir.resolve("mask.png");
    r = upscale(input, dir.resolve("x2.png"), "--scale", "2", "--mask", mask.toString());
    assertEquals(0, r.code(), r.err());
    Rgb8Image m = ImageFiles.read(mask);
    assertTrue(m.width() >= 84 && m.height() >= 52, m.width() + "x" + m.height());
  }

  /**
   * Kodak 23 (embedded in the core test resources, so this needs no ../shared): LR = MATLAB bicubic
   * x1/4 of the photograph, then armsr's default model with {@code --scale 2} against MATLAB
   * bicubic x2 of the LR, both scored against the photograph halved by MATLAB bicubic.
   */
  @Test
  void scaleTwoBeatsBicubicOnKodak23() throws IOException {
    Path hrFile = dir.resolve("kodim23.png");
    try (InputStream s = getClass().getResourceAsStream("/io/armsr/kodak/kodim23.png")) {
      Files.copy(s, hrFile);
    }
    Rgb8Image hr = ImageFiles.read(hrFile);
    Path lr = dir.resolve("kodim23-lr.png");
    ImageFiles.write(MatlabResize.resize(hr, 0.25), lr);
    double[] psnr = scaleTwoVersusBicubic(lr, hr);
    System.out.printf("kodim23 x2: armsr %.4f dB, bicubic %.4f dB%n", psnr[0], psnr[1]);
    assertTrue(psnr[0] > psnr[1] + 0.5, psnr[0] + " vs bicubic " + psnr[1]);
  }

  /** The same on every Set14 photograph (its own MATLAB-made LR files), in one folder run. */
  @Test
  void scaleTwoBeatsBicubicOnSet14() throws IOException {
    Path hrDir = Shared.require("data/test/Set14/HR");
    Path lrDir = Shared.require("data/test/Set14/LR");
    Path out = dir.resolve("set14-x2");
    CliTest.Run r = CliTest.run("upscale", lrDir.toString(), out.toString(), "--scale", "2");
    assertEquals(0, r.code(), r.out() + r.err());
    double armsr = 0;
    double bicubic = 0;
    List<Path> hrs;
    try (Stream<Path> s = Files.list(hrDir)) {
      hrs = s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
    assertEquals(14, hrs.size());
    for (Path hrFile : hrs) {
      String name = hrFile.getFileName().toString().replace("_HR.png", "_LR.png");
      Rgb8Image hr = ImageFiles.read(hrFile);
      Rgb8Image halved = MatlabResize.resize(hr, 0.5);
      Rgb8Image lr = ImageFiles.read(lrDir.resolve(name));
      double a = ImageMetrics.psnr(planar255(ImageFiles.read(out.resolve(name))), halved, 2);
      double b = ImageMetrics.psnr(planar255(MatlabResize.resize(lr, 2.0)), halved, 2);
      System.out.printf("%s x2: armsr %.4f dB, bicubic %.4f dB%n", name, a, b);
      assertTrue(a > b, name + ": " + a + " vs bicubic " + b);
      armsr += a / hrs.size();
      bicubic += b / hrs.size();
    }
    System.out.printf("Set14 x2 mean: armsr %.4f dB, bicubic %.4f dB%n", armsr, bicubic);
    assertTrue(armsr > bicubic + 0.5, armsr + " vs bicubic " + bicubic);
  }

  /** [armsr, bicubic] PSNR of x2 of {@code lrFile}, against {@code hr} halved. */
  private double[] scaleTwoVersusBicubic(Path lrFile, Rgb8Image hr) throws IOException {
    Path out = dir.resolve("x2.png");
    CliTest.Run r = CliTest.run("upscale", lrFile.toString(), out.toString(), "--scale", "2");
    assertEquals(0, r.code(), r.err());
    Rgb8Image halved = MatlabResize.resize(hr, 0.5);
    Rgb8Image x2 = ImageFiles.read(out);
    Rgb8Image bic = MatlabResize.resize(ImageFiles.read(lrFile), 2.0);
    return new double[] {
      ImageMetrics.psnr(planar255(x2), halved, 2), ImageMetrics.psnr(planar255(bic), halved, 2)
    };
  }

  /** An 8-bit image as the (3, H, W) 0..255 planes that {@link ImageMetrics#psnr} takes. */
  private static PlanarImage planar255(Rgb8Image img) {
    PlanarImage p = PlanarImage.fromRgb8(img);
    float[] d = p.data();
    for (int i = 0; i < d.length; i++) {
      d[i] = Math.round(d[i] * 255f);
    }
    return p;
  }
}

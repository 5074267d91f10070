package io.armsr.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.MatlabResize.Variant;
import io.armsr.imagefile.ImageFiles;
import io.armsr.testing.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class MatlabResizeTest {

  /*
   * Hand computation for a row of 4 pixels [a b c d] downscaled by 0.5 (output length 2).
   * Anti-aliasing stretches the kernel to width 4 / 0.5 = 8, so there are ceil(8) + 2 = 10 taps.
   * Output 1: u = 1/0.5 + 0.5 * (1 - 2) = 1.5, left = floor(1.5 - 4) = -3, taps -3..6 (1-based),
   * distances u - tap = 4.5 .. -4.5, weights 0.5 * cubic(0.5 * d) with cubic(a = -0.5):
   *   cubic(0.25) = 1.5/64 - 2.5/16 + 1 = 0.8671875     cubic(0.75) = 0.2265625
   *   cubic(1.25) = -0.0703125                          cubic(1.75) = -0.0234375   cubic(2.25) = 0
   * Their sum over the ten taps is 2, times 0.5 = 1, so normalisation changes nothing:
   *   tap     -3  -2           -1           0           1          2          3
   *   weight   0  -0.01171875  -0.03515625  0.11328125  0.43359375 0.43359375 0.11328125
   *   tap      4           5            6
   *   weight  -0.03515625  -0.01171875  0
   * MATLAB clamps taps to [1, 4]: -3..1 -> a, 2 -> b, 3 -> c, 4..6 -> d:
   *   out1 = 0.5 a + 0.43359375 b + 0.11328125 c - 0.046875 d
   * BasicSR mirrors with [1 2 3 4 4 3 2 1]: -3->4, -2->3, -1->2, 0->1, 5->4, 6->3:
   *   out1 = 0.546875 a + 0.3984375 b + 0.1015625 c - 0.046875 d
   * Both sets of coefficients sum to 1; output 2 is the mirror image (a<->d, b<->c). All are exact
   * binary fractions, so the double results below are exact.
   */
  private static double matlab1(double a, double b, double c, double d) {
    return 0.5 * a + 0.43359375 * b + 0.11328125 * c - 0.046875 * d;
  }

  private static double basicsr1(double a, double b, double c, double d) {
    return 0.546875 * a + 0.3984375 * b + 0.1015625 * c - 0.046875 * d;
  }

  private static final double[] TAP_WEIGHTS = {
    0,
    -0.01171875,
    -0.03515625,
    0.11328125,
    0.43359375,
    0.43359375,
    0.11328125,
    -0.03515625,
    -0.01171875,
    0
  };

  @Test
  void contributionsMatchHandComputedWeightsAndBorders() {
    MatlabResize.Contributions m = MatlabResize.contributions(4, 2, 0.5, Variant.MATLAB);
    assertEquals(10, m.taps());
    assertArrayEquals(TAP_WEIGHTS, Arrays.copyOf(m.weight(), 10), 1e-15);
    assertArrayEquals(new int[] {0, 0, 0, 0, 0, 1, 2, 3, 3, 3}, Arrays.copyOf(m.index(), 10));
    MatlabResize.Contributions b = MatlabResize.contributions(4, 2, 0.5, Variant.BASICSR);
    assertArrayEquals(TAP_WEIGHTS, Arrays.copyOf(b.weight(), 10), 1e-15);
    assertArrayEquals(new int[] {3, 2, 1, 0, 0, 1, 2, 3, 3, 2}, Arrays.copyOf(b.index(), 10));
  }

  @Test
  void floatRowDownscaleMatchesHandComputation() {
    // A one-pixel-high image keeps its values vertically (every tap lands on row 0).
    PlanarImage row = new PlanarImage(1, 1, 4, new float[] {10, 50, 200, 40});
    PlanarImage m = MatlabResize.resize(row, 0.5);
    assertEquals(1, m.height());
    assertEquals(2, m.width());
    // MATLAB: 5 + 21.6796875 + 22.65625 - 1.875 = 47.4609375
    assertEquals(47.4609375, matlab1(10, 50, 200, 40), 0.0);
    assertEquals(47.4609375f, m.get(0, 0, 0), 1e-5f);
    // 20 + 86.71875 + 5.6640625 - 0.46875 = 111.9140625
    assertEquals(111.9140625, matlab1(40, 200, 50, 10), 0.0);
    assertEquals(111.9140625f, m.get(0, 0, 1), 1e-5f);

    PlanarImage b = MatlabResize.resize(row, 0.5, Variant.BASICSR);
    // BasicSR: 5.46875 + 19.921875 + 20.3125 - 1.875 = 43.828125
    assertEquals(43.828125, basicsr1(10, 50, 200, 40), 0.0);
    assertEquals(43.828125f, b.get(0, 0, 0), 1e-5f);
    // 21.875 + 79.6875 + 5.078125 - 0.46875 = 106.171875
    assertEquals(106.171875, basicsr1(40, 200, 50, 10), 0.0);
    assertEquals(106.171875f, b.get(0, 0, 1), 1e-5f);
  }

  @Test
  void bytesRoundHalfAwayFromZeroAndSaturate() {
    // R = [0 0 0 96], G = [96 0 0 0], B = [0 0 97 0], BasicSR variant:
    //   R: out1 = -0.046875 * 96 = -4.5 -> 0 (saturated); out2 = 0.546875 * 96 = 52.5 -> 53
    //      (half away from zero; rint would give 52)
    //   G: out1 = 52.5 -> 53; out2 = -4.5 -> 0
    //   B: out1 = 0.1015625 * 97 = 9.8515625 -> 10; out2 = 0.3984375 * 97 = 38.6484375 -> 39
    Rgb8Image in =
        rgbRow(new int[] {0, 0, 0, 96}, new int[] {96, 0, 0, 0}, new int[] {0, 0, 97, 0});
    Rgb8Image b = MatlabResize.resize(in, 0.5, Variant.BASICSR);
    assertArrayEquals(new byte[] {0, 53, 10, 53, 0, 39}, b.pixels());
    // [255 255 255 0], MATLAB: out1 = 255 * (0.5 + 0.43359375 + 0.11328125) = 266.9 -> 255,
    //                          out2 = 255 * (0.43359375 + 0.11328125 - 0.046875) = 127.5 -> 128
    int[] v = {255, 255, 255, 0};
    Rgb8Image m = MatlabResize.resize(rgbRow(v, v, v), 0.5);
    assertArrayEquals(
        new byte[] {(byte) 255, (byte) 255, (byte) 255, (byte) 128, (byte) 128, (byte) 128},
        m.pixels());
  }

  @Test
  void matlabRoundsTheIntermediateImageOfEightBitInput() {
    // 4x4 image, 0 except column 0 = [0 0 0 97] from top to bottom; downscale by 0.5 to 2x2.
    // Rows pass (MATLAB coefficients, applied down column 0):
    //   row 0: -0.046875 * 97 = -4.546875 -> uint8 0;   row 1: 0.5 * 97 = 48.5 -> uint8 49
    // Columns pass on row 1 = [49 0 0 0]: out1 = 0.5 * 49 = 24.5 -> 25; out2 = -0.046875 * 49 < 0
    // -> 0
    // Without the intermediate rounding it would be 0.5 * 48.5 = 24.25 -> 24 (the float path).
    byte[] px = new byte[4 * 4 * 3];
    for (int c = 0; c < 3; c++) {
      px[(3 * 4) * 3 + c] = 97;
    }
    Rgb8Image img = new Rgb8Image(4, 4, px);
    Rgb8Image m = MatlabResize.resize(img, 0.5);
    assertEquals(25, m.get(0, 1, 0));
    assertEquals(0, m.get(1, 1, 0));
    assertEquals(0, m.get(0, 0, 0));
    assertEquals(0, m.get(1, 0, 2));
    PlanarImage f = MatlabResize.resize(PlanarImage.fromRgb8(img), 0.5);
    assertEquals(24.25 / 255, f.get(0, 1, 0), 1e-7);
    // BasicSR: rows 0.546875 * 97 = 53.046875 (kept), columns 0.546875 * 53.046875 = 29.0100... ->
    // 29
    assertEquals(29, MatlabResize.resize(img, 0.5, Variant.BASICSR).get(0, 1, 1));
  }

  @Test
  void resizeToASizeScalesEachDimensionOnItsOwn() {
    // The 4x4 image above to 4 wide, 2 high: only the rows pass shrinks (the columns pass at scale
    // 1 is the identity): column 0 becomes [-4.55 -> 0, 0.5 * 97 = 48.5 -> 49].
    byte[] px = new byte[4 * 4 * 3];
    for (int c = 0; c < 3; c++) {
      px[(3 * 4) * 3 + c] = 97;
    }
    Rgb8Image img = new Rgb8Image(4, 4, px);
    Rgb8Image tall = MatlabResize.resizeTo(img, 4, 2);
    assertEquals(4, tall.width());
    assertEquals(2, tall.height());
    assertEquals(0, tall.get(0, 0, 0));
    assertEquals(49, tall.get(0, 1, 2));
    assertEquals(0, tall.get(1, 1, 0));
    // The same size as a factor gives the same bytes as resize(img, factor).
    byte[] random = new byte[38 * 26 * 3];
    new java.util.Random(5).nextBytes(random);
    Rgb8Image r = new Rgb8Image(38, 26, random);
    assertArrayEquals(
        MatlabResize.resize(r, 0.5).pixels(), MatlabResize.resizeTo(r, 19, 13).pixels());
    assertThrows(IllegalArgumentException.class, () -> MatlabResize.resizeTo(r, 0, 13));
  }

  @Test
  void sixteenBitSamplesRoundAsUint16() {
    // [255 255 255 0] x 257 by 0.5: out1 = 65535 * 1.046875 saturates, out2 = 65535 * 0.5 =
    // 32767.5 -> 32768 (half away from zero).
    short[] row = {(short) 65535, (short) 65535, (short) 65535, 0};
    short[] out = MatlabResize.resizeTo(row, 4, 1, 1, 2, 1, 65535);
    assertArrayEquals(new short[] {(short) 65535, (short) 32768}, out);
    assertThrows(
        IllegalArgumentException.class, () -> MatlabResize.resizeTo(row, 4, 2, 1, 2, 1, 65535));
  }

  /** Resizing to the LR files' own sizes reproduces them too (MATLAB's imresize(hr, [h w])). */
  @Test
  void resizeToTheLrSizeReproducesTheBenchmarkLrFiles() throws IOException {
    List<Path> hr = pngs(Shared.require("data/test/Set14/HR"));
    List<Path> lr = pngs(Shared.require("data/test/Set14/LR"));
    for (int i = 0; i < hr.size(); i++) {
      Rgb8Image high = ImageFiles.read(hr.get(i));
      Rgb8Image ref = ImageFiles.read(lr.get(i));
      Rgb8Image mine = MatlabResize.resizeTo(high, ref.width(), ref.height());
      assertArrayEquals(ref.pixels(), mine.pixels(), lr.get(i).toString());
    }
  }

  private static Rgb8Image rgbRow(int[] r, int[] g, int[] b) {
    byte[] px = new byte[r.length * 3];
    for (int i = 0; i < r.length; i++) {
      px[3 * i] = (byte) r[i];
      px[3 * i + 1] = (byte) g[i];
      px[3 * i + 2] = (byte) b[i];
    }
    return new Rgb8Image(r.length, 1, px);
  }

  @Test
  void identityAtScaleOneAndOutputSizeIsCeil() {
    float[] data = {3, 1, 4, 1, 5, 9, 2, 6, 5, 3, 5, 8};
    for (Variant v : Variant.values()) {
      assertArrayEquals(data, MatlabResize.resize(new PlanarImage(2, 2, 3, data), 1.0, v).data());
    }
    // ceil(5 * 0.5) = 3, ceil(7 * 0.5) = 4; ceil(3 * 1.5) = 5
    PlanarImage half = MatlabResize.resize(new PlanarImage(1, 7, 5, new float[35]), 0.5);
    assertEquals(3, half.width());
    assertEquals(4, half.height());
    assertEquals(5, MatlabResize.resize(new PlanarImage(1, 1, 3, new float[3]), 1.5).width());
    assertThrows(
        IllegalArgumentException.class,
        () -> MatlabResize.resize(new PlanarImage(1, 1, 3, new float[3]), 0.0));
    assertThrows(
        IllegalArgumentException.class,
        () -> MatlabResize.resize(new PlanarImage(1, 1, 3, new float[3]), Double.NaN));
  }

  @Test
  void upscaleOfConstantImageIsConstant() {
    float[] data = new float[6];
    Arrays.fill(data, 0.25f);
    for (Variant v : Variant.values()) {
      PlanarImage up = MatlabResize.resize(new PlanarImage(1, 2, 3, data), 4, v);
      assertEquals(8, up.height());
      assertEquals(12, up.width());
      for (float x : up.data()) {
        assertEquals(0.25f, x, 1e-7f);
      }
    }
  }

  /**
   * The acceptance test: MATLAB-made LR files of Set5, Set14 and BSD100 from their HR files. The
   * MATLAB variant reproduces every value; the BasicSR variant must stay under 0.5 mean abs diff.
   */
  @Test
  void downscalingHrReproducesTheBenchmarkLrFiles() throws IOException {
    for (String set : List.of("Set5", "Set14", "BSD100")) {
      List<Path> hr = pngs(Shared.require("data/test/" + set + "/HR"));
      List<Path> lr = pngs(Shared.require("data/test/" + set + "/LR"));
      assertEquals(hr.size(), lr.size(), set);
      double[] worst = new double[Variant.values().length];
      long[] differing = new long[worst.length];
      long total = 0;
      for (int i = 0; i < hr.size(); i++) {
        Rgb8Image high = ImageFiles.read(hr.get(i));
        Rgb8Image ref = ImageFiles.read(lr.get(i));
        total += ref.pixels().length;
        for (Variant v : Variant.values()) {
          Rgb8Image mine = MatlabResize.resize(high, 0.25, v);
          assertEquals(ref.width(), mine.width(), lr.get(i).toString());
          assertEquals(ref.height(), mine.height(), lr.get(i).toString());
          long sum = 0;
          for (int k = 0; k < ref.pixels().length; k++) {
            int d = Math.abs((ref.pixels()[k] & 0xff) - (mine.pixels()[k] & 0xff));
            sum += d;
            differing[v.ordinal()] += d == 0 ? 0 : 1;
          }
          double mad = sum / (double) ref.pixels().length;
          assertTrue(mad < 0.5, v + " " + lr.get(i) + ": mean abs diff " + mad);
          worst[v.ordinal()] = Math.max(worst[v.ordinal()], mad);
        }
      }
      for (Variant v : Variant.values()) {
        System.out.printf(
            "MatlabResize %s %s: %d images, worst mean abs diff %.4f, %d of %d values differ%n",
            v, set, hr.size(), worst[v.ordinal()], differing[v.ordinal()], total);
      }
      assertEquals(0, differing[Variant.MATLAB.ordinal()], set + ": MATLAB variant is exact");
    }
  }

  private static List<Path> pngs(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> p.toString().endsWith(".png")).sorted().collect(Collectors.toList());
    }
  }
}

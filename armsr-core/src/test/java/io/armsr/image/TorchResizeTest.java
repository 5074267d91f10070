package io.armsr.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.Random;
import org.junit.jupiter.api.Test;

class TorchResizeTest {
  // Keys' kernel, A = -0.75. All fractional offsets at scale 4 are multiples of 1/8, so every
  // weight below is exact in binary and the comparisons are exact.
  //   t = 0.625: cubic2(1.625) = -0.06591796875, cubic1(0.625) = 0.42626953125,
  //              cubic1(0.375) =  0.74951171875, cubic2(1.375) = -0.10986328125
  //   t = 0.875: cubic2(1.875) = -0.01025390625, cubic1(0.875) = 0.11474609375,
  //              cubic1(0.125) =  0.96728515625, cubic2(1.125) = -0.07177734375
  // e.g. cubic1(0.625) = ((A+2)*0.625 - (A+3)) * 0.625^2 + 1 = (0.78125 - 2.25) * 0.390625 + 1.

  @Test
  void cubicCoefficientsSumToOne() {
    assertArrayEquals(
        new float[] {-0.06591796875f, 0.42626953125f, 0.74951171875f, -0.10986328125f},
        TorchResize.cubicCoefficients(0.625f));
    assertArrayEquals(
        new float[] {-0.01025390625f, 0.11474609375f, 0.96728515625f, -0.07177734375f},
        TorchResize.cubicCoefficients(0.875f));
  }

  @Test
  void bicubicMatrixInTwoScaleFour() {
    float[] m = TorchResize.bicubicMatrix(2, 4);
    assertEquals(8 * 2, m.length);
    // d=0: src = 0.5/4 - 0.5 = -0.375, floor -1, t = 0.625; taps -2,-1,0 clamp to 0, tap 1 is 1:
    // w0 = -0.06591796875 + 0.42626953125 + 0.74951171875 = 1.10986328125, w1 = -0.10986328125.
    assertEquals(1.10986328125f, m[0]);
    assertEquals(-0.10986328125f, m[1]);
    // d=7 mirrors d=0 (src = 7.5/4 - 0.5 = 1.375, floor 1, t = 0.375, taps 0,1,2,3 -> 0,1,1,1):
    // w0 = cubic2(1.375) = -0.10986328125, w1 = 0.74951171875 + 0.42626953125 - 0.06591796875.
    assertEquals(-0.10986328125f, m[14]);
    assertEquals(1.10986328125f, m[15]);
    assertRowsSumToOne(m, 2);
  }

  @Test
  void bicubicMatrixInFourScaleFour() {
    float[] m = TorchResize.bicubicMatrix(4, 4);
    // d=1: src = -0.125, floor -1, t = 0.875; taps -2,-1,0,1 -> 0,0,0,1:
    // w0 = -0.01025390625 + 0.11474609375 + 0.96728515625 = 1.07177734375, w1 = -0.07177734375.
    assertArrayEquals(new float[] {1.07177734375f, -0.07177734375f, 0, 0}, row(m, 1, 4));
    // d=2: src = 0.125, floor 0, t = 0.125 (coefficients of t=0.875 reversed); taps -1,0,1,2:
    // w0 = -0.07177734375 + 0.96728515625 = 0.8955078125.
    assertArrayEquals(
        new float[] {0.8955078125f, 0.11474609375f, -0.01025390625f, 0}, row(m, 2, 4));
    // d=6: src = 1.125, floor 1: an interior row, the four plain coefficients on inputs 0..3.
    assertArrayEquals(
        new float[] {-0.07177734375f, 0.96728515625f, 0.11474609375f, -0.01025390625f},
        row(m, 6, 4));
    assertRowsSumToOne(m, 4);
  }

  @Test
  void bilinearMatrixInTwoScaleFour() {
    float[] m = TorchResize.bilinearMatrix(2, 4);
    // d=0,1: src = -0.375, -0.125 clamp to 0 -> pure input 0.
    assertArrayEquals(new float[] {1, 0}, row(m, 0, 2));
    assertArrayEquals(new float[] {1, 0}, row(m, 1, 2));
    // d=2: src = 0.125 -> 0.875 / 0.125. d=5: src = 0.875 -> 0.125 / 0.875.
    assertArrayEquals(new float[] {0.875f, 0.125f}, row(m, 2, 2));
    assertArrayEquals(new float[] {0.125f, 0.875f}, row(m, 5, 2));
    // d=6: src = 1.125, floor 1 = in-1, so the neighbour is clamped to 1 as well: all weight on 1.
    assertArrayEquals(new float[] {0, 1}, row(m, 6, 2));
    assertArrayEquals(new float[] {0, 1}, row(m, 7, 2));
    assertRowsSumToOne(m, 2);
  }

  @Test
  void upscaleBicubicKeepsConstantsAndWeighsInteriorTaps() {
    float[] d = new float[2 * 5 * 6];
    for (int y = 0; y < 5; y++) {
      for (int x = 0; x < 6; x++) {
        d[y * 6 + x] = 0.3f;
        d[30 + y * 6 + x] = x;
      }
    }
    PlanarImage up = TorchResize.upscaleBicubic(new PlanarImage(2, 5, 6, d), 4);
    assertEquals(20, up.height());
    assertEquals(24, up.width());
    for (int y = 0; y < 20; y++) {
      for (int x = 0; x < 24; x++) {
        assertEquals(0.3f, up.get(0, y, x), 1e-6f);
      }
      // X = 10: src = 10.5/4 - 0.5 = 2.125, floor 2, t = 0.125, taps 1..4 all inside. A = -0.75
      // does not reproduce a ramp exactly (only A = -0.5 does): -0.07177734375*1 + 0.96728515625*2
      // + 0.11474609375*3 - 0.01025390625*4 = 2.166015625 (not 2.125).
      assertEquals(2.166015625f, up.get(1, y, 10), 1e-6f);
    }
  }

  @Test
  void upscaleBicubicMatchesDirectTwoDimensionalSum() {
    Random r = new Random(1);
    int h = 3;
    int w = 5;
    float[] d = new float[h * w];
    for (int i = 0; i < d.length; i++) {
      d[i] = r.nextFloat();
    }
    PlanarImage up = TorchResize.upscaleBicubic(new PlanarImage(1, h, w, d), 4);
    float[] ah = TorchResize.bicubicMatrix(h, 4);
    float[] aw = TorchResize.bicubicMatrix(w, 4);
    for (int oy = 0; oy < 4 * h; oy++) {
      for (int ox = 0; ox < 4 * w; ox++) {
        double s = 0;
        for (int y = 0; y < h; y++) {
          for (int x = 0; x < w; x++) {
            s += (double) ah[oy * h + y] * aw[ox * w + x] * d[y * w + x];
          }
        }
        assertEquals(s, up.get(0, oy, ox), 1e-6);
      }
    }
  }

  @Test
  void rejectsNonPositiveSizes() {
    assertThrows(IllegalArgumentException.class, () -> TorchResize.bicubicMatrix(0, 4));
    assertThrows(IllegalArgumentException.class, () -> TorchResize.bilinearMatrix(3, 0));
  }

  private static float[] row(float[] m, int r, int in) {
    float[] out = new float[in];
    System.arraycopy(m, r * in, out, 0, in);
    return out;
  }

  private static void assertRowsSumToOne(float[] m, int in) {
    for (int r = 0; r < m.length / in; r++) {
      double s = 0;
      for (int c = 0; c < in; c++) {
        s += m[r * in + c];
      }
      assertEquals(1.0, s, 1e-6, "row " + r);
    }
  }

  @Test
  void sparseBicubicMatchesTheDenseMatrices() {
    Random rnd = new Random(12);
    for (int[] shape : new int[][] {{1, 1, 1}, {1, 7, 13}, {2, 5, 3}, {1, 2, 40}}) {
      float[] d = new float[shape[0] * shape[1] * shape[2]];
      for (int i = 0; i < d.length; i++) {
        d[i] = rnd.nextFloat();
      }
      PlanarImage img = new PlanarImage(shape[0], shape[1], shape[2], d);
      for (int scale : new int[] {1, 2, 4}) {
        float[] dense = TorchResize.upscaleBicubic(img, scale).data();
        float[] sparse = TorchResize.upscaleBicubicSparse(img, scale).data();
        assertEquals(dense.length, sparse.length);
        for (int i = 0; i < dense.length; i++) {
          assertEquals(dense[i], sparse[i], 1e-6f, "element " + i);
        }
      }
    }
  }
}

package io.armsr.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Hand-computed outputs of each layer type the supernets use. */
class OpsTest {
  private NDManager m;

  @BeforeEach
  void open() {
    m = NDManager.newBaseManager();
  }

  @AfterEach
  void close() {
    m.close();
  }

  @Test
  void convolutionWithZeroPadding() {
    // in = [[1,2],[3,4]], K = [[0,0,0],[0,1,2],[0,3,4]], pad 1, bias 0.5;
    // out[y][x] = b + sum K[ky][kx] in[y+ky-1][x+kx-1]:
    //   out[0][0] = 1*1 + 2*2 + 3*3 + 4*4 + 0.5 = 30.5    out[0][1] = 2*1 + 4*3 + 0.5 = 14.5
    //   out[1][0] = 3*1 + 4*2 + 0.5 = 11.5                out[1][1] = 4*1 + 0.5 = 4.5
    NDArray x = m.create(new float[] {1, 2, 3, 4}, new Shape(1, 1, 2, 2));
    NDArray k = m.create(new float[] {0, 0, 0, 0, 1, 2, 0, 3, 4}, new Shape(1, 1, 3, 3));
    NDArray out = Ops.conv(x, k, m.create(new float[] {0.5f}), 1);
    assertArrayEquals(new float[] {30.5f, 14.5f, 11.5f, 4.5f}, out.toFloatArray());
  }

  @Test
  void groupedConvolutionWithTheCarnSlice() {
    // Full weight (16, 4, 1, 1): 4 groups of 4 inputs at full width 16. At width 8 the official
    // slice is W[:8, :8/4] = W[:8, :2] and 4 groups over the 8 inputs, so output r (group r / 2)
    // reads inputs 2 (r / 2) + c with W[r, c]. With x_i = i + 1 and W[r, c] = 10 r + c:
    //   out[0] = 0*1 + 1*2 = 2;   out[3] = 30*3 + 31*4 = 214;   out[7] = 70*7 + 71*8 = 1058.
    float[] wf = new float[16 * 4];
    for (int r = 0; r < 16; r++) {
      for (int c = 0; c < 4; c++) {
        wf[r * 4 + c] = 10 * r + c;
      }
    }
    NDArray full = m.create(wf, new Shape(16, 4, 1, 1));
    NDArray x = m.create(new float[] {1, 2, 3, 4, 5, 6, 7, 8}, new Shape(1, 8, 1, 1));
    NDArray out = Ops.conv(x, Ops.prefix(full, 8, 2), m.zeros(new Shape(8)), 0, 4);
    float[] expected = new float[8];
    for (int r = 0; r < 8; r++) {
      int g = r / 2;
      expected[r] = (10 * r) * (2 * g + 1) + (10 * r + 1) * (2 * g + 2);
    }
    assertArrayEquals(expected, out.toFloatArray());
    assertArrayEquals(
        new float[] {2, 214, 1058}, new float[] {expected[0], expected[3], expected[7]});
  }

  @Test
  void preluViaRelu() {
    // a = 0.25: -2 -> -0.5, -0.5 -> -0.125, 0 -> 0, 3 -> 3.
    NDArray x = m.create(new float[] {-2, -0.5f, 0, 3}, new Shape(1, 1, 2, 2));
    NDArray out = Ops.prelu(x, m.create(new float[] {0.25f}));
    assertArrayEquals(new float[] {-0.5f, -0.125f, 0, 3}, out.toFloatArray());
  }

  @Test
  void preluWithoutGradientIsTheSameFunctionInOneOp() {
    // Inference takes leaky_relu(x, a); training the relu form, whose gradient reaches a. Both
    // must give the same floats, for slopes on either side of 0 and 1.
    java.util.SplittableRandom rnd = new java.util.SplittableRandom(5);
    float[] v = new float[4096];
    for (int i = 0; i < v.length; i++) {
      v[i] = (float) (rnd.nextGaussian() * 3);
    }
    v[0] = 0f;
    v[1] = -0f;
    NDArray x = m.create(v, new Shape(4, 4, 16, 16));
    for (float a : new float[] {0.25f, -0.3f, 1.7f, 0f}) {
      NDArray slope = m.create(new float[] {a});
      float[] leaky = Ops.prelu(x, slope).toFloatArray();
      slope.setRequiresGradient(true);
      float[] viaRelu;
      try (ai.djl.training.GradientCollector g =
          ai.djl.engine.Engine.getInstance().newGradientCollector()) {
        viaRelu = Ops.prelu(x, slope).toFloatArray();
      }
      assertArrayEquals(viaRelu, leaky, 0f, "slope " + a);
    }
  }

  @Test
  void pixelShuffle() {
    // in (1, 8, 1, 2), value = 10 * channel + w. r = 2, out (1, 2, 2, 4):
    // out[c, 2h+i, 2w+j] = in[4c+2i+j, h, w], e.g. out[1, 1, 3] = in[4+2+1, 0, 1] = 71.
    float[] in = new float[16];
    for (int c = 0; c < 8; c++) {
      in[2 * c] = 10 * c;
      in[2 * c + 1] = 10 * c + 1;
    }
    NDArray out = Ops.pixelShuffle(m.create(in, new Shape(1, 8, 1, 2)), 2);
    assertArrayEquals(new long[] {1, 2, 2, 4}, out.getShape().getShape());
    assertArrayEquals(
        new float[] {0, 10, 1, 11, 20, 30, 21, 31, 40, 50, 41, 51, 60, 70, 61, 71},
        out.toFloatArray());
  }

  @Test
  void prefixIsAView() {
    NDArray a = m.arange(24f).reshape(2, 3, 4);
    assertArrayEquals(new float[] {0, 1, 2, 3, 4, 5, 6, 7}, Ops.prefix(a, 1, 2).toFloatArray());
    assertArrayEquals(new long[] {2, 3, 4}, Ops.prefix(a).getShape().getShape());
  }
}

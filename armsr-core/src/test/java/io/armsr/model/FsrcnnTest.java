package io.armsr.model;

import static io.armsr.model.ModelTesting.assertMatches;
import static io.armsr.model.ModelTesting.image;
import static io.armsr.model.ModelTesting.input;
import static io.armsr.model.ModelTesting.randomImage;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import io.armsr.model.NaiveReference.Param;
import io.armsr.model.NaiveReference.T;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FsrcnnTest {

  @Test
  void everyWidthMatchesNaiveReferenceAndReadsOnlyItsPrefix() {
    StateDict sd = randomised(Supernets.initialise(Backbone.FSRCNN, 7), 11);
    Random r = new Random(3);
    int n = 2;
    int h = 6;
    int w = 5;
    float[] x = randomImage(r, n * 3 * h * w);
    try (NDManager m = NDManager.newBaseManager()) {
      for (int subnet = 1; subnet <= 3; subnet++) {
        int width = Backbone.FSRCNN.width(subnet);
        NaiveReference ref = new NaiveReference(sd);
        T[] expected = new T[n];
        for (int i = 0; i < n; i++) {
          expected[i] = ref.fsrcnn(image(x, i, 3, h, w), width);
        }
        // Everything width w does not read is NaN: a wider read would poison the output.
        try (AbstractSupernet net = Supernets.create(Backbone.FSRCNN, ref.poisonUnused(), m)) {
          NDArray lr = input(m, x, n, h, w);
          assertMatches(net.forward(lr, subnet), expected, 1e-4, "presliced w" + width);
          assertMatches(net.forwardFromParameters(lr, subnet), expected, 1e-4, "live w" + width);
        }
      }
    }
  }

  @Test
  void tailAsSubPixelConvolutionEqualsNaiveTransposedConvolution() {
    Random r = new Random(5);
    int in = 5;
    int h = 4;
    int w = 3;
    float[] wt = new float[in * 3 * 81];
    for (int i = 0; i < wt.length; i++) {
      wt[i] = (float) r.nextGaussian();
    }
    float[] bias = {0.1f, -0.2f, 0.3f};
    float[] x = randomImage(r, in * h * w);
    T expected =
        NaiveReference.convTranspose(
            new T(in, h, w, x),
            new Param(new WeightTensor(new long[] {in, 3, 9, 9}, wt)),
            new Param(new WeightTensor(new long[] {3}, bias)),
            3,
            9,
            4,
            3,
            1);
    assertEquals(16, expected.h()); // (4-1)*4 - 6 + 9 + 1
    try (NDManager m = NDManager.newBaseManager();
        AbstractSupernet net =
            Supernets.create(Backbone.FSRCNN, Supernets.initialise(Backbone.FSRCNN, 1), m)) {
      NDArray got = tail((Fsrcnn) net, m, wt, in, bias, m.create(x, new Shape(1, in, h, w)));
      assertMatches(got, new T[] {expected}, 1e-5, "transposed conv");
    }
  }

  @Test
  void tailOfOnePixelIsTheCentralFourByFourOfTheKernel() {
    // One input pixel of value 1 at y = x = 0: output row Y = 4*0 - 3 + ky, so Y = 0..3 reads
    // ky = 3..6 (and ky = 0..2, 7, 8 fall outside the 4x4 output). Hence out[o][Y][X] =
    // W[0][o][Y+3][X+3] + b[o]. With W[0][o][ky][kx] = 100 o + 10 ky + kx and b = (0.5, 0, 0):
    // out[0][0][0] = 33.5, out[0][3][1] = 64.5, out[2][2][3] = 200 + 50 + 6 = 256.
    float[] wt = new float[3 * 81];
    for (int o = 0; o < 3; o++) {
      for (int ky = 0; ky < 9; ky++) {
        for (int kx = 0; kx < 9; kx++) {
          wt[o * 81 + ky * 9 + kx] = 100 * o + 10 * ky + kx;
        }
      }
    }
    try (NDManager m = NDManager.newBaseManager();
        AbstractSupernet net =
            Supernets.create(Backbone.FSRCNN, Supernets.initialise(Backbone.FSRCNN, 1), m)) {
      NDArray out =
          tail((Fsrcnn) net, m, wt, 1, new float[] {0.5f, 0, 0}, m.ones(new Shape(1, 1, 1, 1)));
      assertArrayEquals(new long[] {1, 3, 4, 4}, out.getShape().getShape());
      float[] v = out.toFloatArray();
      assertEquals(33.5f, v[0]);
      assertEquals(64.5f, v[3 * 4 + 1]);
      assertEquals(256f, v[2 * 16 + 2 * 4 + 3]);
      for (int o = 0; o < 3; o++) {
        for (int y = 0; y < 4; y++) {
          for (int xx = 0; xx < 4; xx++) {
            float b = o == 0 ? 0.5f : 0f;
            assertEquals(100 * o + 10 * (y + 3) + xx + 3 + b, v[o * 16 + y * 4 + xx]);
          }
        }
      }
    }
  }

  @Test
  void gradientsReachOnlyTheSlicedRowsOfTheFullTensors() {
    StateDict sd = Supernets.initialise(Backbone.FSRCNN, 2);
    try (NDManager m = NDManager.newBaseManager();
        AbstractSupernet net = Supernets.create(Backbone.FSRCNN, sd, m)) {
      net.parameters().values().forEach(p -> p.setRequiresGradient(true));
      NDArray lr = m.create(randomImage(new Random(1), 3 * 5 * 5), new Shape(1, 3, 5, 5));
      try (GradientCollector gc = Engine.getInstance().newGradientCollector()) {
        gc.backward(net.forward(lr, 1).sum()); // width 16, through the live path
      }
      float[] g = net.parameters().get("tail_conv.weight").getGradient().toFloatArray();
      int perRow = 3 * 81;
      boolean anyInside = false;
      for (int i = 0; i < g.length; i++) {
        if (i < 16 * perRow) {
          anyInside |= g[i] != 0;
        } else {
          assertEquals(0f, g[i], "gradient outside W[:16] at " + i);
        }
      }
      assertTrue(anyInside, "no gradient inside W[:16]");
      float[] head = net.parameters().get("head_conv.0.weight").getGradient().toFloatArray();
      for (int i = 16 * 75; i < head.length; i++) {
        assertEquals(0f, head[i]);
      }
    }
  }

  @Test
  void bicubicBranchEqualsPureJavaUpscaler() {
    Random r = new Random(9);
    int n = 2;
    int h = 5;
    int w = 7;
    float[] x = randomImage(r, n * 3 * h * w);
    try (NDManager m = NDManager.newBaseManager();
        AbstractSupernet net =
            Supernets.create(Backbone.FSRCNN, Supernets.initialise(Backbone.FSRCNN, 1), m)) {
      NDArray out = net.forward(input(m, x, n, h, w), 0);
      T[] expected = new T[n];
      for (int i = 0; i < n; i++) {
        T img = image(x, i, 3, h, w);
        var up =
            io.armsr.image.TorchResize.upscaleBicubic(
                new io.armsr.image.PlanarImage(3, h, w, img.d()), 4);
        expected[i] = new T(3, up.height(), up.width(), up.data());
      }
      assertMatches(out, expected, 1e-6, "bicubic");
    }
  }

  /** tail conv (as the model computes it) of {@code x} (1, in, h, w): conv3x3 + shuffle + bias. */
  private static NDArray tail(Fsrcnn net, NDManager m, float[] wt, int in, float[] b, NDArray x) {
    NDArray kernel = net.tailKernel(m.create(wt, new Shape(in, 3, 9, 9)));
    NDArray bias = m.create(b).repeat(16);
    return Ops.pixelShuffle(Ops.conv(x, kernel, bias, 1), 4);
  }

  /** Replaces PReLU slopes and zero biases by random values so every parameter matters. */
  static StateDict randomised(StateDict sd, long seed) {
    Random r = new Random(seed);
    var out = new java.util.LinkedHashMap<String, WeightTensor>();
    sd.tensors()
        .forEach(
            (k, t) -> {
              float[] d = t.data().clone();
              if (k.endsWith(".bias") || t.shape().length == 1) {
                for (int i = 0; i < d.length; i++) {
                  d[i] = (float) (r.nextGaussian() * 0.1);
                }
              }
              out.put(k, new WeightTensor(t.shape(), d));
            });
    return new StateDict(out);
  }
}

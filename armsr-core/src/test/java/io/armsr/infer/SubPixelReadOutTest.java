package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.armsr.image.PlanarImage;
import io.armsr.model.Backbone;
import io.armsr.testing.FixtureModel;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The engine reads FSRCNN's output before the pixel shuffle, for the patch centres only, channels
 * last, and does the shuffle as it reads the kept centres: the same floats as cutting the centre
 * out of the whole shuffled output, for every margin, both grids and every width.
 */
class SubPixelReadOutTest {
  @TempDir Path dir;

  /** Batch of 3 random (3, h, w) patches, as (N, 3, h, w) or as a channels-last view of it. */
  private static NDArray patches(NDManager m, int h, int w, boolean channelsLast) {
    float[] data = new float[3 * 3 * h * w];
    SplittableRandom rnd = new SplittableRandom(9);
    for (int i = 0; i < data.length; i++) {
      data[i] = (float) rnd.nextDouble();
    }
    NDArray x = m.create(data, new Shape(3, 3, h, w));
    return channelsLast
        ? m.create(x.transpose(0, 2, 3, 1).toFloatArray(), new Shape(3, h, w, 3))
            .transpose(0, 3, 1, 2)
        : x;
  }

  @Test
  void theCentreBeforeTheShuffleIsTheCentreOfTheWholeOutput() throws Exception {
    try (ArmModel model = FixtureModel.load(dir);
        NDManager m = NDManager.newBaseManager()) {
      int h = 20;
      int w = 18;
      NDArray x = patches(m, h, w, false);
      for (int subnet = 1; subnet < Backbone.SUBNETS; subnet++) {
        float[] whole = model.supernet().forward(x, subnet).toFloatArray(); // (3, 3, 4h, 4w)
        // Margins 0..8 cover every case of Fsrcnn.forwardWidthSubPixel: no unpadded layer, some,
        // all five, and all five plus a cut of the shrink output.
        for (int margin = 0; margin <= 8; margin++) {
          NDArray sub = model.supernet().forwardSubPixel(x, subnet, margin);
          int sh = h - 2 * margin;
          int sw = w - 2 * margin;
          assertArrayEquals(new long[] {3, sh, sw, 48}, sub.getShape().getShape());
          float[] v = sub.toFloatArray();
          double worst = 0;
          for (int n = 0; n < 3; n++) {
            for (int y = 0; y < sh; y++) {
              for (int xx = 0; xx < sw; xx++) {
                for (int ch = 0; ch < 48; ch++) {
                  int c = ch / 16;
                  int i = (ch / 4) % 4;
                  int k = ch % 4;
                  int hy = 4 * (y + margin) + i;
                  int hx = 4 * (xx + margin) + k;
                  float expected = whole[((n * 3 + c) * 4 * h + hy) * 4 * w + hx];
                  float got = v[((n * sh + y) * sw + xx) * 48 + ch];
                  worst = Math.max(worst, Math.abs(expected - got));
                }
              }
            }
          }
          // The same multiply-adds; the 1e-6 allows a convolution kernel chosen by shape to sum
          // in another order on another CPU. A misplaced sample would be off by ~0.1.
          assertTrue(worst <= 1e-6, "subnet " + subnet + " margin " + margin + ": " + worst);
        }
        // Channels last changes only the order of float additions.
        NDArray last = patches(m, h, w, true);
        float[] a = model.supernet().forwardSubPixel(x, subnet, 4).toFloatArray();
        float[] b = model.supernet().forwardSubPixel(last, subnet, 4).toFloatArray();
        assertArrayEquals(a, b, 1e-5f, "channels last, subnet " + subnet);
      }
      assertThrows(IllegalArgumentException.class, () -> model.supernet().forwardSubPixel(x, 1, 9));
      assertThrows(
          UnsupportedOperationException.class, () -> model.supernet().forwardSubPixel(x, 0, 4));
    }
  }

  @Test
  void theEngineReadsTheSameCentresEitherWay() throws Exception {
    try (ArmModel model = FixtureModel.load(dir)) {
      for (Grid g : Grid.values()) {
        Upscaler up = new Upscaler(model, Upscaler.Options.defaults().withGrid(g));
        Upscaler whole = Upscaler.officialWay(model, up.options());
        PatchGrid grid = PatchGrid.of(g, 100, 70);
        PlanarImage lr = PlanarImage.fromRgb8(UpscalerTest.randomImage(100, 70, 3));
        List<Integer> batch = List.of(0, 1, grid.size() - 1);
        int size = 3 * grid.patchHeight() * 4 * grid.patchWidth() * 4;
        for (int subnet = 1; subnet < Backbone.SUBNETS; subnet++) {
          SrBatch fast = up.runner().runBatch(lr, grid, batch, subnet);
          assertTrue(fast.subPixel(), "the engine takes the sub-pixel path for widths");
          for (int b = 0; b < batch.size(); b++) {
            SrBatch slow = whole.runner().runBatch(lr, grid, batch.subList(b, b + 1), subnet);
            float[] expected = new float[size];
            float[] got = new float[size];
            whole.stitching().keptCentre(slow, 0, grid, expected);
            up.stitching().keptCentre(fast, b, grid, got);
            // Full grid: floats on 0..255 (1e-5 of the [0, 1] scale is 2.6e-3 here); reference
            // grid: rounded to 8 bits, where a float-order difference may flip a rounding.
            float tol = g == Grid.FULL ? 2.6e-3f : 1f;
            assertArrayEquals(expected, got, tol, g + " subnet " + subnet + " patch " + b);
          }
        }
        assertTrue(
            !up.runner().runBatch(lr, grid, batch, 0).subPixel(), "bicubic: the whole output");
        assertEquals(
            false, whole.runner().runBatch(lr, grid, batch, 3).subPixel(), "baseline: whole");
      }
    }
  }
}

package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import io.armsr.route.RoutingMode;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Patches routed to one subnet share forward pass windows ({@link Batching.Windows}): the SR
 * patches cut from a window are those of the network run on the window, whatever the batch size,
 * the workers or the path.
 */
class SharedWindowsTest {

  /**
   * With a pointwise network ({@link NearestSupernet}) a patch's output does not depend on its
   * context, so windows must give exactly the image of every patch alone: any mistake in cutting a
   * window's output into patches (an offset, a margin, a row) shows as wrong pixels. The nearest
   * network takes the engine's whole-SR-patch path (it has no sub-pixel read-out).
   */
  @Test
  void aPointwiseNetworkGivesTheImageOfEveryPatchAlone() {
    Random r = new Random(11);
    try (ArmModel model = ArmModel.of(new NearestSupernet(3f / 255f), UpscalerTest.flatTable())) {
      // An awkward size: flush last row and column, several bands of windows.
      Rgb8Image lr = UpscalerTest.randomImage(263, 150, 5);
      PatchGrid grid = PatchGrid.full(263, 150);
      int[] routing = new int[grid.size()];
      for (int p = 0; p < routing.length; p++) {
        routing[p] = r.nextInt(4) == 0 ? r.nextInt(Backbone.SUBNETS) : 3;
      }
      Upscaler alone = new Upscaler(model, Upscaler.Options.defaults(), Batching.Windows.NONE);
      Upscaler shared = new Upscaler(model, Upscaler.Options.defaults());
      assertTrue(shared.windows().shares());
      RoutingMode mode = new RoutingMode.Given(routing);
      assertArrayEquals(
          alone.upscale(lr, mode).canvas().data(), shared.upscale(lr, mode).canvas().data());
      // Fewer pixels: most patches go to subnet 3 in runs.
      assertTrue(shared.networkPixels(grid, routing) < 0.75 * alone.networkPixels(grid, routing));
    }
  }

  /**
   * Windows no larger than the backbone's joint batch: CARN-M's activations are many times larger.
   */
  @Test
  void eachBackboneGetsWindowsItsMemoryAllows() {
    assertEquals(new Batching.Windows(4, 8), Upscaler.defaultWindows(Backbone.FSRCNN));
    assertEquals(new Batching.Windows(2, 4), Upscaler.defaultWindows(Backbone.CARN));
    assertEquals(new Batching.Windows(2, 4), Upscaler.defaultWindows(Backbone.SRRESNET));
  }

  /**
   * A window that covers the whole image is the network run on the whole image with its replicated
   * margin: computed here directly with the supernet's plain forward pass (the whole SR image, no
   * sub-pixel read-out, no batching) and compared with the engine's canvas.
   */
  @Test
  void oneWindowIsTheNetworkOnTheWholeImage() throws Exception {
    try (ArmModel model = ArmModel.loadDefault(Backbone.FSRCNN)) {
      // 4 x 2 patches: one window of the default 4 x 8.
      Rgb8Image lr = UpscalerTest.randomImage(116, 60, 9);
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults());
      assertEquals(
          1,
          up.plan(
                  PatchGrid.full(116, 60),
                  Batching.Path.WHOLE,
                  new int[][] {{3, 3, 3, 3, 3, 3, 3, 3}})
              .size());
      float[] canvas = up.upscale(lr, new RoutingMode.Fixed(3)).canvas().data();

      int m = Grid.DEFAULT_MARGIN;
      int s = Backbone.SCALE;
      PlanarImage in = PlanarImage.fromRgb8(lr);
      int w = lr.width() + 2 * m;
      int h = lr.height() + 2 * m;
      float[] padded = new float[3 * h * w];
      for (int c = 0; c < 3; c++) {
        for (int y = 0; y < h; y++) {
          int sy = Math.min(lr.height() - 1, Math.max(0, y - m));
          for (int x = 0; x < w; x++) {
            int sx = Math.min(lr.width() - 1, Math.max(0, x - m));
            padded[(c * h + y) * w + x] = in.data()[(c * lr.height() + sy) * lr.width() + sx];
          }
        }
      }
      float[] want;
      try (NDManager manager = NDManager.newBaseManager()) {
        NDArray sr = model.supernet().forward(manager.create(padded, new Shape(1, 3, h, w)), 3);
        want =
            sr.get(
                    new NDIndex(
                        ":, :, {}:{}, {}:{}",
                        s * m,
                        s * (m + lr.height()),
                        s * m,
                        s * (m + lr.width())))
                .clip(0f, 1f)
                .mul(255f)
                .toFloatArray();
      }
      assertEquals(want.length, canvas.length);
      double worst = 0;
      for (int i = 0; i < want.length; i++) {
        worst = Math.max(worst, Math.abs(want[i] - canvas[i]));
      }
      // Float rounding of a different convolution order only (0..255 scale).
      assertTrue(worst < 2e-3, "largest difference " + worst);
    }
  }

  /**
   * Windows are formed from the routing alone, so the image does not depend on the batch size, the
   * workers or the path; with context from a real network, unlike the pointwise one.
   */
  @Test
  void theImageIsTheSameForEveryBatchWorkerCountAndPath() throws Exception {
    try (ArmModel model = ArmModel.loadDefault(Backbone.FSRCNN)) {
      Rgb8Image lr = UpscalerTest.randomImage(120, 150, 4);
      PatchGrid grid = PatchGrid.full(120, 150);
      int[] routing = new int[grid.size()];
      Random r = new Random(2);
      for (int p = 0; p < routing.length; p++) {
        routing[p] = r.nextInt(3) == 0 ? r.nextInt(Backbone.SUBNETS) : (p / 5) % 4;
      }
      RoutingMode mode = new RoutingMode.Given(routing);
      float[] want =
          new Upscaler(model, new Upscaler.Options(Grid.FULL, 4, 1, 1))
              .upscale(lr, mode)
              .canvas()
              .data();
      // 4 x 5 patches: two bands of windows.
      for (int[] bw : new int[][] {{64, 2}, {3, 2}}) {
        Upscaler up = new Upscaler(model, new Upscaler.Options(Grid.FULL, 4, bw[0], bw[1]));
        float[] got = up.upscale(lr, mode).canvas().data();
        assertEquals(0, maxDiff(want, got), 1e-3, "batch " + bw[0] + ", workers " + bw[1]);
        float[] streamed = StreamingUpscaleTest.streamed(up, lr, mode);
        assertEquals(0, maxDiff(want, streamed), 1e-3, "streamed, batch " + bw[0]);
      }
      // The windows do change the image against every patch alone (more context): on this noise,
      // up to about 10 levels near a lone patch's context edge, under half a level on average.
      float[] alone =
          new Upscaler(model, Upscaler.Options.defaults(), Batching.Windows.NONE)
              .upscale(lr, mode)
              .canvas()
              .data();
      double sum = 0;
      for (int i = 0; i < want.length; i++) {
        sum += Math.abs(want[i] - alone[i]);
      }
      double d = maxDiff(want, alone);
      assertTrue(d > 1e-3 && d < 16, "windows against alone, largest: " + d);
      assertTrue(sum / want.length < 0.5, "windows against alone, mean: " + sum / want.length);
    }
  }

  private static double maxDiff(float[] a, float[] b) {
    assertEquals(a.length, b.length);
    double worst = 0;
    for (int i = 0; i < a.length; i++) {
      worst = Math.max(worst, Math.abs(a[i] - b[i]));
    }
    return worst;
  }
}

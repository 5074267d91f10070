package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import io.armsr.testing.FixtureModel;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The banded upscale hands over every row once, in order, equal to the whole-canvas upscale. */
class StreamingUpscaleTest {
  @TempDir Path dir;

  static double compare(Upscaler up, Rgb8Image lr, RoutingMode mode) {
    PlanarImage input = PlanarImage.fromRgb8(lr);
    UpscaleResult whole = up.upscale(lr, input, mode);
    PlanarImage canvas = whole.canvas();
    int w = canvas.width();
    int h = canvas.height();
    float[] rows = new float[3 * w * h];
    int[] next = {0};
    Upscaler.Routed routed =
        up.upscaleStreaming(
            lr,
            input,
            mode,
            (y, row) -> {
              assertEquals(next[0]++, y, "rows in order, each once");
              for (int c = 0; c < 3; c++) {
                System.arraycopy(row, c * w, rows, (c * h + y) * w, w);
              }
            });
    assertEquals(h, next[0], "every row");
    assertArrayEquals(whole.subnets(), routed.subnets());
    double worst = 0;
    for (int i = 0; i < rows.length; i++) {
      worst = Math.max(worst, Math.abs(rows[i] - canvas.data()[i]));
    }
    return worst;
  }

  /** The rows {@link Upscaler#upscaleStreaming} hands out, as one (3, h, w) canvas. */
  static float[] streamed(Upscaler up, Rgb8Image lr, RoutingMode mode) {
    PatchGrid grid = PatchGrid.of(up.options().grid(), lr.width(), lr.height());
    int w = grid.coveredWidth() * Backbone.SCALE;
    int h = grid.coveredHeight() * Backbone.SCALE;
    float[] rows = new float[3 * w * h];
    up.upscaleStreaming(
        lr,
        PlanarImage.fromRgb8(lr),
        mode,
        (y, row) -> {
          for (int c = 0; c < 3; c++) {
            System.arraycopy(row, c * w, rows, (c * h + y) * w, w);
          }
        });
    return rows;
  }

  @Test
  void equalsTheWholeCanvasForAwkwardSizesAndBothGrids() throws Exception {
    try (ArmModel model = FixtureModel.load(dir)) {
      int[][] sizes = {{1, 1}, {33, 47}, {61, 90}, {200, 117}};
      // Several workers run the batches in parallel but stitch in plan order: the same floats.
      for (Grid g : Grid.values()) {
        Upscaler.Options options = new Upscaler.Options(g, Grid.DEFAULT_MARGIN, 4);
        Upscaler one = new Upscaler(model, options);
        Upscaler three = new Upscaler(model, options.withWorkers(3));
        Rgb8Image lr = UpscalerTest.randomImage(200, 117, 11);
        RoutingMode mode = new RoutingMode.Tradeoff(1.5);
        UpscaleResult a = one.upscale(lr, mode);
        UpscaleResult b = three.upscale(lr, mode);
        assertArrayEquals(a.canvas().data(), b.canvas().data(), 0f, g + ": whole image");
        float[] streamedOne = streamed(one, lr, mode);
        assertArrayEquals(streamedOne, streamed(three, lr, mode), 0f, g + ": streamed rows");
      }
      for (Grid g : Grid.values()) {
        Upscaler up = new Upscaler(model, Upscaler.Options.defaults().withGrid(g));
        for (int[] s : sizes) {
          if (g == Grid.REFERENCE && (s[0] < 32 || s[1] < 32)) {
            continue;
          }
          Rgb8Image lr = UpscalerTest.randomImage(s[0], s[1], s[0] + 7L * s[1]);
          for (RoutingMode mode :
              new RoutingMode[] {new RoutingMode.Tradeoff(1.5), new RoutingMode.Budget(0.5)}) {
            double worst = compare(up, lr, mode);
            assertTrue(
                worst < 1e-3, g + " " + s[0] + "x" + s[1] + " " + mode.label() + ": " + worst);
          }
        }
      }
    }
  }
}

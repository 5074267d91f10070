package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.lut.PsnrTable;
import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import io.armsr.route.LatencyFeedback;
import io.armsr.route.RoutingMode;
import io.armsr.route.TimeModel;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class UpscalerTest {

  /** A table where every subnet predicts the same PSNR in every bin (routing is then by cost). */
  static PsnrTable flatTable() {
    double[][] x = new double[4][3];
    double[][] y = new double[4][3];
    for (int j = 0; j < 4; j++) {
      x[j] = new double[] {10, 50, 100};
      y[j] = new double[] {30 + j, 30 + j, 30 + j};
    }
    return new PsnrTable(x, y, Backbone.FSRCNN.paperFlopsList());
  }

  static Rgb8Image randomImage(int w, int h, long seed) {
    byte[] px = new byte[w * h * 3];
    new Random(seed).nextBytes(px);
    return new Rgb8Image(w, h, px);
  }

  /** Nearest-neighbour x4 of an 8-bit image, the exact output of {@link NearestSupernet}(0). */
  static Rgb8Image nearest(Rgb8Image lr) {
    int w = lr.width() * 4;
    int h = lr.height() * 4;
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          out[(y * w + x) * 3 + c] = (byte) lr.get(x / 4, y / 4, c);
        }
      }
    }
    return new Rgb8Image(w, h, out);
  }

  @Test
  void fullGridOutputIsExactly4xForAnySize() {
    int[][] sizes = {{1, 1}, {7, 300}, {31, 31}, {33, 47}, {200, 117}};
    try (ArmModel model = ArmModel.of(new NearestSupernet(0), flatTable())) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults());
      for (int[] s : sizes) {
        Rgb8Image lr = randomImage(s[0], s[1], s[0] * 1000L + s[1]);
        UpscaleResult r = up.upscale(lr, new RoutingMode.Fixed(3));
        Rgb8Image out = r.image();
        assertEquals(4 * s[0], out.width(), "width of " + s[0] + "x" + s[1]);
        assertEquals(4 * s[1], out.height(), "height of " + s[0] + "x" + s[1]);
        // Every overlap, flush patch and margin lands where it belongs: the stitched image is the
        // nearest-neighbour upscale of the whole image, byte for byte.
        assertArrayEquals(nearest(lr).pixels(), out.pixels(), "pixels of " + s[0] + "x" + s[1]);
      }
    }
  }

  @Test
  void referenceGridCoversOnlyTheOfficialArea() {
    try (ArmModel model = ArmModel.of(new NearestSupernet(0), flatTable())) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults().withGrid(Grid.REFERENCE));
      Rgb8Image lr = randomImage(120, 80, 7);
      UpscaleResult r = up.upscale(lr, new RoutingMode.Fixed(1));
      assertEquals(4 * 116, r.image().width());
      assertEquals(4 * 60, r.image().height());
      assertArrayEquals(nearest(lr.crop(0, 0, 116, 60)).pixels(), r.image().pixels());
    }
  }

  @Test
  void eachModeStitchesTheSubnetsItChose() {
    // Subnet j adds 10j/255, i.e. 10j levels. With equal predictions of 30+j dB the trade-off
    // utilities are 30 + j - (C_j/C_full)/k: k = 0.75 -> 30, 30.60, 31.13, 31.67 -> subnet 3;
    // k = 0.25 -> 30, 29.79, 29.40, 29 -> bicubic.
    try (ArmModel model = ArmModel.of(new NearestSupernet(10f / 255f), flatTable())) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults());
      Rgb8Image lr = new Rgb8Image(40, 40, new byte[40 * 40 * 3]); // black
      List<UpscaleResult> rs =
          up.upscale(
              lr,
              List.of(
                  new RoutingMode.Tradeoff(0.75),
                  new RoutingMode.Tradeoff(0.25),
                  new RoutingMode.Fixed(2)));
      assertArrayEquals(new int[] {0, 0, 0, 4}, rs.get(0).classes());
      assertArrayEquals(new int[] {4, 0, 0, 0}, rs.get(1).classes());
      assertArrayEquals(new int[] {0, 0, 4, 0}, rs.get(2).classes());
      assertEquals(30, rs.get(0).image().get(80, 80, 1));
      assertEquals(0, rs.get(1).image().get(80, 80, 1));
      assertEquals(20, rs.get(2).image().get(159, 159, 2));
      assertEquals(Backbone.FSRCNN.paperFlops(2), rs.get(2).meanFlops(), 0);
    }
  }

  @Test
  void budgetModeSpendsItsBudgetWhereThePredictedGainIsLargest() {
    // Two bins: flat patches (score near 0) gain 0.3 dB from full width, textured ones 3.5 dB.
    double[][] x = new double[4][];
    double[][] y = new double[4][];
    double[] flat = {40, 40.1, 40.2, 40.3};
    double[] textured = {25, 27, 28, 28.5};
    for (int j = 0; j < 4; j++) {
      x[j] = new double[] {0, 100};
      y[j] = new double[] {flat[j], textured[j]};
    }
    double[] costs = Backbone.FSRCNN.paperFlopsList();
    PsnrTable table = new PsnrTable(x, y, costs);
    // Reference grid on 116x32: patches at x = 0, 28, 56, 84. Columns 0..59 black (patches 0 and
    // 1 flat), 60.. noise (patches 2 and 3 textured).
    Rgb8Image noise = randomImage(116, 32, 11);
    byte[] px = noise.pixels().clone();
    for (int row = 0; row < 32; row++) {
      java.util.Arrays.fill(px, row * 116 * 3, (row * 116 + 60) * 3, (byte) 0);
    }
    Rgb8Image lr = new Rgb8Image(116, 32, px);
    try (ArmModel model = ArmModel.of(new NearestSupernet(10f / 255f), table)) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults().withGrid(Grid.REFERENCE));
      List<UpscaleResult> rs =
          up.upscale(
              lr,
              List.of(
                  new RoutingMode.Budget(0.5),
                  new RoutingMode.Budget(0.25),
                  new RoutingMode.Fixed(3)));
      double full = costs[3];
      // 0.5 x 4 patches = two full-width patches: exactly the two textured ones at subnet 3
      // (MSE 91.8 each instead of 205.6), the flat ones at bicubic (6.50 instead of 6.07).
      UpscaleResult half = rs.get(0);
      assertEquals("budget0.5", half.mode().label());
      assertArrayEquals(new int[] {0, 0, 3, 3}, half.subnets());
      assertEquals(0.5 * full, half.meanFlops(), 0);
      assertTrue(half.withinBudget());
      // Full width adds 30 levels to the textured patches' nearest-neighbour output.
      assertEquals(Math.min(255, lr.get(100, 10, 0) + 30), half.image().get(400, 40, 0));
      assertEquals(0, half.image().get(40, 40, 0));
      // 0.25: 468M in all. The textured pair at subnets 1 and 2 (446M, MSE 129.7 + 103.0) beats
      // one at 3 (91.8 + 205.6) and both at 1 with nothing else affordable (129.7 + 129.7).
      UpscaleResult quarter = rs.get(1);
      assertArrayEquals(new int[] {2, 1, 1, 0}, quarter.classes());
      assertEquals(0, quarter.subnets()[0]);
      assertEquals(0, quarter.subnets()[1]);
      assertTrue(quarter.meanFlops() <= 0.25 * full, quarter.meanFlops() + " > budget");
      // The per-patch mode in the same pass is untouched.
      assertArrayEquals(new int[] {0, 0, 0, 4}, rs.get(2).classes());
    }
  }

  /**
   * A time budget is corrected by what its feedback measured: with a model that predicts seconds
   * for what takes milliseconds, every measured/predicted ratio is clamped to 1/2, so the
   * feedback's ratio after one and two upscales is 0.95 and 0.905 exactly, and the second upscale
   * routes as a budget of T / 0.95 does with no feedback. The engine itself learns nothing: a
   * budget without feedback routes the same every time.
   */
  @Test
  void timeBudgetsFollowTheMeasuredTimes() {
    // Per patch in a batch 100 / 200 / 300 / 400 ms: 9 patches all bicubic are predicted 900 ms.
    TimeModel slow = TimeModel.perPatch(Batching.Path.WHOLE, 8, new double[] {100, 200, 300, 400});
    LatencyFeedback feedback = new LatencyFeedback();
    RoutingMode.TimeBudget plain = new RoutingMode.TimeBudget(1450, slow);
    RoutingMode.TimeBudget budget = plain.withFeedback(feedback);
    Rgb8Image lr = randomImage(64, 64, 3);
    try (ArmModel model = ArmModel.of(new NearestSupernet(0), flatTable())) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults());
      assertEquals(1, feedback.ratio(slow));
      int[] first = up.upscale(lr, budget).subnets();
      assertEquals(0.95, feedback.ratio(slow), 1e-12);
      UpscaleResult second = up.upscale(lr, budget);
      assertEquals(0.905, feedback.ratio(slow), 1e-12);
      // The result names the budget asked for, not the corrected one it was routed by.
      assertEquals(budget, second.mode());

      // Without feedback the same engine routes as at first, however often it ran.
      assertArrayEquals(first, up.upscale(lr, plain).subnets());
      assertArrayEquals(up.upscale(lr, plain.corrected(0.95)).subnets(), second.subnets());
      // More predicted time to spend: more patches above bicubic.
      assertTrue(
          java.util.Arrays.stream(second.subnets()).sum() > java.util.Arrays.stream(first).sum(),
          java.util.Arrays.toString(first)
              + " then "
              + java.util.Arrays.toString(second.subnets()));
    }
  }
}

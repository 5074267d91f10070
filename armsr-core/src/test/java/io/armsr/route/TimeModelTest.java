package io.armsr.route;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.model.Backbone;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The batch plan, the batch-aware time model and time-budget routing on it. */
class TimeModelTest {
  private static final TimeModel MODEL =
      new TimeModel(
          Batching.Path.STREAMING,
          32,
          5,
          0.5,
          new double[] {0.1, 1, 1.5, 2},
          new double[] {1, 2, 2.5, 3});

  @Test
  void planRunsEachGroupsSubnetsInOrderInChunks() {
    // Two grid rows of three patches: [0 3 3] [0 3 3].
    int[] routing = {0, 3, 3, 0, 3, 3};
    List<Batching.Batch> plan =
        Batching.of(Batching.Path.STREAMING, 3, 1).plan(6, new int[][] {routing});
    List<Batching.Batch> want =
        List.of(
            new Batching.Batch(0, 0, List.of(0)),
            new Batching.Batch(0, 3, List.of(1)),
            new Batching.Batch(0, 3, List.of(2)),
            new Batching.Batch(1, 0, List.of(3)),
            new Batching.Batch(1, 3, List.of(4)),
            new Batching.Batch(1, 3, List.of(5)));
    assertEquals(want, plan);
    assertEquals(
        List.of(
            new Batching.Batch(0, 0, List.of(0, 3)), new Batching.Batch(0, 3, List.of(1, 2, 4, 5))),
        Batching.of(Batching.Path.WHOLE, 3, 32).plan(6, new int[][] {routing}));
    // Two routings of the same patches: each needed (patch, subnet) pair once.
    assertEquals(
        List.of(
            new Batching.Batch(0, 0, List.of(0, 3)),
            new Batching.Batch(0, 1, List.of(1, 4)),
            new Batching.Batch(0, 3, List.of(1, 2, 4, 5))),
        Batching.of(Batching.Path.WHOLE, 3, 32).plan(6, new int[][] {routing, {0, 1, 3, 0, 1, 3}}));
    assertArrayEquals(
        new int[] {2, 0, 0, 4},
        Batching.of(Batching.Path.STREAMING, 3, 1).batchesPerSubnet(routing, 4));
  }

  @Test
  void predictedTimeByHand() {
    int[] routing = {0, 3, 3, 0, 3, 3};
    // 5 + 6 x 0.5 + 2 x 0.1 + 4 x 2 = 16.2 ms before batches.
    // Streaming, 3 columns: one bicubic and one full-width batch per row: + 2 x 1 + 2 x 3.
    assertEquals(
        24.2, MODEL.predictedMs(routing, Batching.of(Batching.Path.STREAMING, 3, 32)), 1e-12);
    // Whole image: one batch of each: + 1 + 3.
    assertEquals(20.2, MODEL.predictedMs(routing, Batching.of(Batching.Path.WHOLE, 3, 32)), 1e-12);
    // Whole image, batches of 1: + 2 x 1 + 4 x 3.
    assertEquals(30.2, MODEL.predictedMs(routing, Batching.of(Batching.Path.WHOLE, 3, 1)), 1e-12);
    assertEquals(8, MODEL.fixedMs(6), 0);
    assertArrayEquals(
        new double[] {0.1 + 1 / 32.0, 1 + 2 / 32.0, 1.5 + 2.5 / 32.0, 2 + 3 / 32.0},
        MODEL.amortisedMsPerPatch(),
        1e-15);
    assertThrows(
        IllegalArgumentException.class,
        () -> new TimeModel(Batching.Path.WHOLE, 32, -1, 0, new double[4], new double[4]));
    assertThrows(
        IllegalArgumentException.class,
        () -> new TimeModel(Batching.Path.WHOLE, 0, 1, 0, new double[4], new double[4]));
    assertThrows(
        IllegalArgumentException.class,
        () -> new TimeModel(Batching.Path.WHOLE, 32, 1, 0, new double[4], new double[3]));
  }

  @Test
  void uniformRoutingsByHand() {
    Batching rows = Batching.of(Batching.Path.STREAMING, 3, 32);
    // Six patches, two rows of three, all to one subnet: 5 + 6 x 0.5 = 8 ms fixed, then 6 patches
    // in 2 batches: bicubic 8 + 0.6 + 2 = 10.6; w16 8 + 6 + 4 = 18.
    assertEquals(10.6, MODEL.uniformMs(6, 0, rows), 1e-12);
    assertEquals(18, MODEL.uniformMs(6, 1, rows), 1e-12);
    assertArrayEquals(new int[] {2, 2, 2}, BudgetRouter.uniform(3, 2));
    assertEquals(0, MODEL.fastestUniform(6, rows));
    // A bicubic batch so dear that w16 is the floor (8 + 6 x 1 + 2 x 2 = 18 against 8 + 0.6 +
    // 2 x 10 = 28.6), and on a tie the first subnet.
    TimeModel dearBicubic =
        new TimeModel(
            Batching.Path.STREAMING,
            32,
            5,
            0.5,
            new double[] {0.1, 1, 1, 2},
            new double[] {10, 2, 2, 3});
    assertEquals(1, dearBicubic.fastestUniform(6, rows));
    RoutingMode.TimeBudget budget = new RoutingMode.TimeBudget(17.9, dearBicubic);
    assertFalse(budget.feasible(6, rows));
    assertTrue(new RoutingMode.TimeBudget(18, dearBicubic).feasible(6, rows));
  }

  private static double[][] randomPredictions(Random r, int n) {
    double[][] psnr = new double[n][Backbone.SUBNETS];
    for (int p = 0; p < n; p++) {
      double base = 20 + 15 * r.nextDouble();
      for (int j = 0; j < Backbone.SUBNETS; j++) {
        // Mostly rising with width, sometimes not; now and then an empty bin.
        psnr[p][j] =
            r.nextInt(40) == 0 ? Double.NaN : base + j * r.nextDouble() - 0.3 * r.nextDouble();
      }
    }
    return psnr;
  }

  private static TimeModel randomModel(Random r, Batching.Path path, int batch) {
    double[] inBatch = new double[Backbone.SUBNETS];
    double[] perBatch = new double[Backbone.SUBNETS];
    for (int j = 0; j < Backbone.SUBNETS; j++) {
      inBatch[j] = (j == 0 ? 0.1 : j) * r.nextDouble();
      perBatch[j] = r.nextInt(5) == 0 ? 0 : 10 * r.nextDouble();
    }
    return new TimeModel(path, batch, 20 * r.nextDouble(), 0.2 * r.nextDouble(), inBatch, perBatch);
  }

  @Test
  void timeBudgetIsNeverPredictedOverItsTargetWhenAnyRoutingFits() {
    Random r = new Random(7);
    int fallbacks = 0;
    int feasible = 0;
    for (int i = 0; i < 1500; i++) {
      int cols = 1 + r.nextInt(14);
      int n = cols * (1 + r.nextInt(14)) - (r.nextInt(3) == 0 ? r.nextInt(cols) : 0);
      int batch = 1 + r.nextInt(40);
      Batching.Path path = r.nextBoolean() ? Batching.Path.WHOLE : Batching.Path.STREAMING;
      Batching batching = Batching.of(path, cols, batch);
      TimeModel model = randomModel(r, path, 1 + r.nextInt(40));
      double[][] psnr = randomPredictions(r, n);
      int[] full = new int[n];
      Arrays.fill(full, Backbone.SUBNETS - 1);
      double low = model.predictedMs(new int[n], batching);
      double high = model.predictedMs(full, batching);
      double target = Math.max(1e-3, 0.7 * low + (1.2 * high - 0.7 * low) * r.nextDouble());
      RoutingMode.TimeBudget mode = new RoutingMode.TimeBudget(target, model);
      BudgetRouter.Allocation a = mode.allocate(psnr, batching);
      double ms = model.predictedMs(a.choices(), batching);
      assertEquals(ms, a.cost(), 1e-9 * Math.max(1, ms), "cost is the prediction, case " + i);
      assertArrayEquals(a.choices(), mode.allocate(psnr, batching).choices(), "deterministic");
      if (mode.feasible(n, batching)) {
        feasible++;
        assertTrue(a.withinBudget(), "case " + i);
        assertTrue(ms <= target, "case " + i + ": predicted " + ms + " over " + target);
        // The cheapest uniform routing when there was clearly room for more.
        int[] floor = new int[n];
        Arrays.fill(floor, a.choices()[0]);
        if (target > 1.3 * low && target < 0.9 * high && Arrays.equals(floor, a.choices())) {
          fallbacks++;
        }
      } else {
        assertFalse(a.withinBudget(), "case " + i);
        assertTrue(ms > target);
        assertEquals(1, Arrays.stream(a.choices()).distinct().count(), "a uniform routing");
      }
    }
    // With room for more than the cheapest uniform routing, the re-routes mostly find a mixed one
    // that fits.
    assertTrue(feasible > 500, "feasible " + feasible);
    // Proportional re-routes with growing minimum cuts: 22 of 1332 (cutting by the whole
    // excess: 425; proportional cuts alone: 73).
    assertTrue(fallbacks < feasible / 10, fallbacks + " uniform of " + feasible);
  }

  @Test
  void rerouteUsesTheBudgetThatPartialBatchesLeave() {
    // Streaming, rows of 4 patches, big per-batch costs: the amortised knapsack would put a few
    // full-width patches in many rows (each a 10 ms batch); the re-route cuts it back until the
    // batch-aware prediction fits, and spends most of the budget.
    TimeModel model =
        new TimeModel(
            Batching.Path.STREAMING,
            32,
            2,
            0,
            new double[] {0, 1, 1, 1},
            new double[] {0, 10, 10, 10});
    Batching batching = Batching.of(Batching.Path.STREAMING, 4, 32);
    Random r = new Random(2);
    double[][] psnr = randomPredictions(r, 40);
    double target = 60;
    RoutingMode.TimeBudget mode = new RoutingMode.TimeBudget(target, model);
    int[] first = BudgetRouter.route(psnr, model.amortisedMsPerPatch(), target - 2).choices();
    assertTrue(model.predictedMs(first, batching) > target, "the amortised routing overshoots");
    BudgetRouter.Allocation a = mode.allocate(psnr, batching);
    assertTrue(a.cost() <= target && a.cost() > 0.5 * target, "predicted " + a.cost());
    assertTrue(Arrays.stream(a.choices()).anyMatch(s -> s > 0), "not all bicubic");
  }

  @Test
  void aPartialBatchThatEveryRerouteKeepsDoesNotEndInTheUniformFallback() {
    // As fitted on a loaded 2-core machine: one subnet with a batch cost, the others none. Each
    // re-route keeps a partial batch of subnet 1, so cuts of exactly the share that fits approach
    // the target from above and, before the growing minimum cut, fell back to all bicubic.
    TimeModel model =
        new TimeModel(
            Batching.Path.WHOLE,
            32,
            3.422,
            0.0086,
            new double[] {0.19, 0.556, 1.109, 1.515},
            new double[] {0, 2.961, 0, 0});
    Batching batching = Batching.of(Batching.Path.WHOLE, 19, 32);
    Random r = new Random(4);
    for (int image = 0; image < 10; image++) {
      double[][] psnr = randomPredictions(r, 361);
      int[] full = new int[361];
      Arrays.fill(full, Backbone.SUBNETS - 1);
      double low = model.predictedMs(new int[361], batching);
      double high = model.predictedMs(full, batching);
      for (double f : new double[] {0.15, 0.35, 0.55, 0.75, 0.95}) {
        double target = low + f * (high - low);
        BudgetRouter.Allocation a =
            new RoutingMode.TimeBudget(target, model).allocate(psnr, batching);
        assertTrue(a.cost() <= target, "over at " + f);
        assertTrue(
            a.cost() > 0.9 * target,
            "image " + image + " at " + f + ": " + a.cost() + " of " + target);
      }
    }
  }
}

package io.armsr.route;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/** The smoothed measured/predicted ratio of time-budget upscales, by hand. */
class LatencyFeedbackTest {
  private static TimeModel model() {
    return TimeModel.perPatch(Batching.Path.WHOLE, 8, new double[] {1, 2, 3, 4});
  }

  @Test
  void smoothsClampsAndFollowsOneModel() {
    TimeModel a = model();
    TimeModel b = model();
    LatencyFeedback f = new LatencyFeedback();
    assertEquals(1, f.ratio(a));
    f.record(a, 100, 150); // 1 + 0.1 (1.5 - 1)
    assertEquals(1.05, f.ratio(a), 1e-12);
    f.record(a, 100, 900); // clamped to 2: 1.05 + 0.1 (2 - 1.05)
    assertEquals(1.145, f.ratio(a), 1e-12);
    f.record(a, 100, 1); // clamped to 1/2: 1.145 + 0.1 (0.5 - 1.145)
    assertEquals(1.0805, f.ratio(a), 1e-12);
    // Nothing usable: ignored.
    f.record(a, 0, 10);
    f.record(a, 10, Double.NaN);
    f.record(a, Double.POSITIVE_INFINITY, 10);
    assertEquals(1.0805, f.ratio(a), 1e-12);
    // Another model (an equal one, but another profile object) starts again from 1.
    assertEquals(1, f.ratio(b));
    f.record(b, 100, 80);
    assertEquals(0.98, f.ratio(b), 1e-12);
    assertEquals(1, f.ratio(a));
  }

  @Test
  void aCorrectedBudgetRoutesForTheTimeTheMachineTakes() {
    RoutingMode.TimeBudget budget = new RoutingMode.TimeBudget(100, model());
    assertEquals(125, budget.corrected(0.8).milliseconds(), 1e-12);
    assertEquals(budget, budget.corrected(1));
    assertEquals(budget.model(), budget.corrected(2).model());
  }
}

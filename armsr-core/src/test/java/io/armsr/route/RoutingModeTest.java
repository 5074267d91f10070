package io.armsr.route;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class RoutingModeTest {
  // FSRCNN cost_list (ARM.md 3.2).
  private static final double[] COSTS = {0, 141_262_852, 304_570_372, 467_877_892};

  @Test
  void labelsMatchTheGoldenFiles() {
    assertEquals("fixed0", new RoutingMode.Fixed(0).label());
    assertEquals("fixed3", new RoutingMode.Fixed(3).label());
    assertEquals("best", new RoutingMode.Best().label());
    assertEquals("k0.75", new RoutingMode.Tradeoff(0.75).label());
    assertEquals("k1.5", new RoutingMode.Tradeoff(1.5).label());
    assertEquals("k4.0", new RoutingMode.Tradeoff(4).label());
    assertEquals("budget0.5", new RoutingMode.Budget(0.5).label());
    assertEquals("budget1.0", new RoutingMode.Budget(1).label());
  }

  @Test
  void tradeoffPenalisesTheFullNetByOneOverKDecibels() {
    // utility_j = pred_j - (C_j / C_full) / k. With k = 1 the full net costs 1 dB against bicubic:
    // pred = {30, 30.2, 30.6, 31.05}: utilities 30, 29.898, 29.949, 30.05 -> full net wins.
    double[] pred = {30, 30.2, 30.6, 31.05};
    assertEquals(3, new RoutingMode.Tradeoff(1).choose(pred, COSTS));
    // pred full 30.95: utility 29.95 < bicubic's 30 -> bicubic.
    pred[3] = 30.95;
    assertEquals(0, new RoutingMode.Tradeoff(1).choose(pred, COSTS));
    // k = 4: utilities 30, 30.2-0.0755=30.1245, 30.6-0.1627=30.4373, 30.95-0.25=30.70 -> full.
    assertEquals(3, new RoutingMode.Tradeoff(4).choose(pred, COSTS));
  }

  @Test
  void firstMaximumWinsTiesAndNanWinsLikeNumpy() {
    assertEquals(1, RoutingMode.argmax(new double[] {1, 5, 5, 2}));
    assertEquals(2, RoutingMode.argmax(new double[] {1, 5, Double.NaN, 9}));
    assertEquals(1, new RoutingMode.Best().choose(new double[] {40, 41, 41, 40.5}, COSTS));
  }

  @Test
  void fixedAlwaysReturnsItsSubnetAndRejectsOthers() {
    assertEquals(2, new RoutingMode.Fixed(2).choose(new double[] {99, 0, 0, 0}, COSTS));
    assertThrows(IllegalArgumentException.class, () -> new RoutingMode.Fixed(4));
    assertThrows(IllegalArgumentException.class, () -> new RoutingMode.Tradeoff(0));
    assertThrows(IllegalArgumentException.class, () -> new RoutingMode.Tradeoff(Double.NaN));
    assertThrows(IllegalArgumentException.class, () -> new RoutingMode.Budget(0));
    assertThrows(IllegalArgumentException.class, () -> new RoutingMode.Budget(1.01));
    assertThrows(IllegalArgumentException.class, () -> new RoutingMode.Budget(Double.NaN));
  }

  @Test
  void budgetRoutesTheWholeImageWithinFractionTimesPatchesTimesFullCost() {
    // Two patches, 0.5 of full width = 467,877,892 in all: one full-width patch, or w16 + w36.
    // Patch 0 gains 1 dB from any width, patch 1 gains 4 dB at full width only.
    double[][] pred = {{30, 31, 31, 31}, {25, 25.5, 26, 29}};
    RoutingMode.Budget b = new RoutingMode.Budget(0.5);
    assertEquals(COSTS[3], b.total(2, COSTS));
    // MSE 65.0 + 81.9 (patch 1 at full) beats 51.7 + 163.3 (w16 + w36, 445,833,224).
    assertArrayEquals(new int[] {0, 3}, b.route(pred, COSTS));
    BudgetRouter.Allocation a = b.allocate(pred, COSTS);
    assertEquals(COSTS[3], a.cost());
    assertTrue(a.withinBudget());
    // Per-patch modes route patch by patch.
    assertArrayEquals(new int[] {1, 3}, new RoutingMode.Best().route(pred, COSTS));
  }
}

package io.armsr.route;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigDecimal;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;

class BudgetRouterTest {

  /** The PSNR whose predicted MSE is {@code mse} (inverse of {@link BudgetRouter#mse}). */
  static double psnr(double mse) {
    return 10 * Math.log10(255.0 * 255.0 / mse);
  }

  static double[][] psnrs(double[]... mses) {
    double[][] out = new double[mses.length][];
    for (int p = 0; p < mses.length; p++) {
      out[p] = Arrays.stream(mses[p]).map(BudgetRouterTest::psnr).toArray();
    }
    return out;
  }

  private static final double[] COSTS_012 = {0, 1, 2};

  // Patch A: MSE 100, 60, 50 at cost 0, 1, 2: a convex hull, steps of efficiency 40 then 10.
  // Patch B: MSE 80, 70, 20: option 1 lies above the chord from 0 to 2 (50 at cost 1), so its
  // hull is 0 -> 2 with efficiency 30.
  private static final double[][] TWO_PATCHES =
      psnrs(new double[] {100, 60, 50}, new double[] {80, 70, 20});

  @Test
  void budgetTwoPrefersTheBigUpgradeTheGreedyRefuses() {
    // Greedy: A 0->1 (eff 40, total 1), B 0->2 refused (total 3), A 1->2 (eff 10, total 2):
    // {2, 0} = 50 + 80 = 130. The alternatives: {1, 1} = 60 + 70 = 130, {0, 2} = 100 + 20 = 120.
    BudgetRouter.Allocation plain = BudgetRouter.route(TWO_PATCHES, COSTS_012, 2, 0);
    assertArrayEquals(new int[] {2, 0}, plain.choices());
    assertEquals(65, plain.meanMse(), 1e-9);
    // Re-trying the refused patch B at option 2 finds the optimum.
    BudgetRouter.Allocation a = BudgetRouter.route(TWO_PATCHES, COSTS_012, 2);
    assertArrayEquals(new int[] {0, 2}, a.choices());
    assertEquals(2, a.cost());
    assertEquals(60, a.meanMse(), 1e-9);
    assertEquals(psnr(60), a.predictedPsnr(), 1e-9);
    assertTrue(a.withinBudget());
  }

  @Test
  void budgetThreeTakesBothEfficientSteps() {
    // A 0->1 (total 1), B 0->2 (total 3), A 1->2 refused: {1, 2} = 60 + 20, the optimum.
    BudgetRouter.Allocation a = BudgetRouter.route(TWO_PATCHES, COSTS_012, 3);
    assertArrayEquals(new int[] {1, 2}, a.choices());
    assertEquals(3, a.cost());
    assertEquals(40, a.meanMse(), 1e-9);
    // Budget 0: bicubic everywhere; budget 4 (full): the lowest MSE everywhere.
    assertArrayEquals(new int[] {0, 0}, BudgetRouter.route(TWO_PATCHES, COSTS_012, 0).choices());
    assertArrayEquals(new int[] {2, 2}, BudgetRouter.route(TWO_PATCHES, COSTS_012, 4).choices());
  }

  @Test
  void fillSpendsTheRemainderOnANonHullOption() {
    double[][] psnr = TWO_PATCHES;
    double[] costs = {0, 0.5, 2};
    // A: MSE 100, 60, 50 at 0, 0.5, 2: steps 0->1 eff 80, 1->2 eff 6.67.
    // B: MSE 80, 70, 20 at 0, 0.5, 2: 70 vs chord 80 - 60*0.25 = 65, above: hull 0 -> 2, eff 30.
    // Greedy with 1.5: A 0->1 (0.5), B 0->2 refused (2.5), A 1->2 refused (2.0). The fill moves
    // B to its non-hull option 1 with the 1.0 left: {1, 1} = 60 + 70 = 130, the optimum.
    BudgetRouter.Allocation a = BudgetRouter.route(psnr, costs, 1.5, 0);
    assertArrayEquals(new int[] {1, 1}, a.choices());
    assertEquals(1.0, a.cost());
    assertEquals(65, a.meanMse(), 1e-9);
  }

  @Test
  void nanPredictionsAreNeverChosen() {
    // A's bicubic is unusable: its cheapest usable option is subnet 1 (cost 1), all the budget.
    double[][] psnr = psnrs(new double[] {100, 60, 50}, new double[] {80, 70, 20});
    psnr[0][0] = Double.NaN;
    BudgetRouter.Allocation a = BudgetRouter.route(psnr, COSTS_012, 1);
    assertArrayEquals(new int[] {1, 0}, a.choices());
    assertEquals(70, a.meanMse(), 1e-9);
    // A patch with no usable prediction gets its cheapest subnet and counts nothing.
    double[][] none = {{Double.NaN, Double.NaN, Double.NaN}, psnr[1]};
    BudgetRouter.Allocation b = BudgetRouter.route(none, new double[] {3, 1, 2}, 3);
    assertArrayEquals(new int[] {1, 2}, b.choices());
    assertEquals(20, b.meanMse(), 1e-9);
  }

  @Test
  void anUnreachableBudgetGivesTheCheapestAndSaysSo() {
    BudgetRouter.Allocation a = BudgetRouter.route(TWO_PATCHES, new double[] {1, 2, 3}, 1.5);
    assertFalse(a.withinBudget());
    assertArrayEquals(new int[] {0, 0}, a.choices());
    assertEquals(2, a.cost());
    assertThrows(
        IllegalArgumentException.class,
        () -> BudgetRouter.route(TWO_PATCHES, new double[] {0, -1, 2}, 1));
    assertThrows(
        IllegalArgumentException.class, () -> BudgetRouter.route(TWO_PATCHES, COSTS_012, -1));
    assertThrows(
        IllegalArgumentException.class,
        () -> BudgetRouter.route(TWO_PATCHES, COSTS_012, Double.NaN));
    assertThrows(
        IllegalArgumentException.class,
        () -> BudgetRouter.route(TWO_PATCHES, new double[] {0, 1}, 1));
  }

  /** A random LUT-like instance: PSNR mostly rising with the subnet, sometimes not; some NaN. */
  record Instance(double[][] psnr, double[] costs, double budget) {}

  static Instance randomInstance(Random r, int patches, int subnets) {
    return randomInstance(r, patches, subnets, true);
  }

  static Instance randomInstance(Random r, int patches, int subnets, boolean nan) {
    double[] costs = new double[subnets];
    switch (r.nextInt(4)) {
      case 0 -> { // FLOPs-like: bicubic free, integer costs rising with the width
        for (int j = 1; j < subnets; j++) {
          costs[j] = costs[j - 1] + 1 + r.nextInt(400);
        }
      }
      case 1 -> { // measured milliseconds: bicubic not free, any real values, not sorted
        for (int j = 0; j < subnets; j++) {
          costs[j] = r.nextDouble() * 5;
        }
        costs[subnets - 1] = Math.max(costs[subnets - 1], 4);
      }
      case 2 -> { // ties in cost
        for (int j = 1; j < subnets; j++) {
          costs[j] = r.nextInt(3);
        }
      }
      default -> { // rising real costs, bicubic free
        for (int j = 1; j < subnets; j++) {
          costs[j] = costs[j - 1] + r.nextDouble();
        }
      }
    }
    double[][] psnr = new double[patches][subnets];
    for (int p = 0; p < patches; p++) {
      double level = 18 + 30 * r.nextDouble();
      psnr[p][0] = level + 0.5 * r.nextGaussian();
      double x = level;
      for (int j = 1; j < subnets; j++) {
        x += 0.5 + 0.6 * r.nextGaussian();
        psnr[p][j] = x;
      }
      for (int j = 0; j < subnets; j++) {
        if (nan && r.nextInt(40) == 0) {
          psnr[p][j] = Double.NaN;
        }
      }
    }
    double full = patches * Arrays.stream(costs).max().orElseThrow();
    double budget =
        switch (r.nextInt(8)) {
          case 0 -> 0;
          case 1 -> full;
          case 2 -> patches * costs[subnets - 1];
          default -> full * r.nextDouble();
        };
    return new Instance(psnr, costs, budget);
  }

  /**
   * The budget router's acceptance test: random instances of 1..8 patches, never over budget and
   * within 1% of the exhaustive optimum. Also printed, for the record: the plain greedy + fill (no
   * core search, no retries) and a core of only 16 leaves, which show what the core and the retries
   * recover on instances this small.
   */
  @Test
  void neverOverBudgetAndWithinOnePercentOfTheExactOptimum() {
    Random r = new Random(20240604);
    int instances = 5000;
    double worst = 1;
    double worstPlain = 1;
    double worstSmall = 1;
    double sumRatio = 0;
    int optimal = 0;
    int feasibleCount = 0;
    for (int i = 0; i < instances; i++) {
      int subnets = i % 10 == 0 ? 2 + r.nextInt(4) : 4;
      int patches = 1 + r.nextInt(subnets == 5 ? 7 : 8);
      Instance in = randomInstance(r, patches, subnets);
      BudgetRouter.Allocation a = BudgetRouter.route(in.psnr(), in.costs(), in.budget());
      BudgetRouter.Allocation again = BudgetRouter.route(in.psnr(), in.costs(), in.budget());
      assertArrayEquals(a.choices(), again.choices(), "deterministic, instance " + i);
      BigDecimal spent = ExhaustiveBudgetSolver.cost(a.choices(), in.costs());
      assertEquals(spent.doubleValue(), a.cost(), "reported cost, instance " + i);
      ExhaustiveBudgetSolver.Optimum opt =
          ExhaustiveBudgetSolver.solve(in.psnr(), in.costs(), in.budget());
      assertEquals(opt.feasible(), a.withinBudget(), "feasibility, instance " + i);
      if (!opt.feasible()) {
        continue;
      }
      feasibleCount++;
      assertTrue(
          spent.compareTo(new BigDecimal(in.budget())) <= 0,
          "instance " + i + " spends " + spent + " of " + in.budget());
      double total = a.meanMse() * counted(in.psnr(), a.choices());
      double ratio = opt.totalMse() == 0 ? 1 : total / opt.totalMse();
      assertTrue(ratio >= 1 - 1e-9, "better than the optimum? instance " + i + ": " + ratio);
      worst = Math.max(worst, ratio);
      sumRatio += ratio;
      optimal += ratio <= 1 + 1e-12 ? 1 : 0;
      BudgetRouter.Allocation plain = BudgetRouter.route(in.psnr(), in.costs(), in.budget(), 0);
      double plainTotal = plain.meanMse() * counted(in.psnr(), plain.choices());
      BudgetRouter.Allocation small = BudgetRouter.route(in.psnr(), in.costs(), in.budget(), 16);
      worstSmall =
          Math.max(
              worstSmall, small.meanMse() * counted(in.psnr(), small.choices()) / opt.totalMse());
      worstPlain = Math.max(worstPlain, opt.totalMse() == 0 ? 1 : plainTotal / opt.totalMse());
    }
    System.out.printf(
        "budget property test: %d instances (%d feasible), worst ratio to optimum %.6f, mean %.6f,"
            + " optimal in %d; plain greedy + fill worst %.6f; core of 16 leaves worst %.6f%n",
        instances, feasibleCount, worst, sumRatio / feasibleCount, optimal, worstPlain, worstSmall);
    assertTrue(worst <= 1.01, "worst ratio to the optimum " + worst);
  }

  @Test
  void largeImagesStayWithinBudgetAndBeatEveryFixedSubnetThatFits() {
    Random r = new Random(7);
    int compared = 0;
    for (int i = 0; i < 20; i++) {
      int patches = 500 + r.nextInt(4500);
      Instance in = randomInstance(r, patches, 4, false);
      BudgetRouter.Allocation a = BudgetRouter.route(in.psnr(), in.costs(), in.budget());
      BigDecimal spent = ExhaustiveBudgetSolver.cost(a.choices(), in.costs());
      assertTrue(
          !a.withinBudget() || spent.compareTo(new BigDecimal(in.budget())) <= 0,
          "instance " + i + " spends " + spent + " of " + in.budget());
      double total = a.meanMse() * patches;
      for (int j = 0; j < 4; j++) {
        int[] fixed = new int[patches];
        Arrays.fill(fixed, j);
        if (!BudgetRouter.fits(fixed, in.costs(), in.budget())) {
          continue;
        }
        assertTrue(a.withinBudget());
        double fixedTotal = 0;
        for (int p = 0; p < patches; p++) {
          fixedTotal += BudgetRouter.mse(in.psnr()[p][j]);
        }
        compared++;
        assertTrue(
            total <= fixedTotal * (1 + 1e-12),
            "instance " + i + ": " + total + " vs fixed" + j + " " + fixedTotal);
      }
    }
    assertTrue(compared >= 20, "only " + compared + " fixed allocations fitted");
  }

  /** Number of patches whose chosen subnet has a usable prediction (meanMse's denominator). */
  private static int counted(double[][] psnr, int[] choices) {
    int n = 0;
    for (int p = 0; p < psnr.length; p++) {
      n += Double.isFinite(BudgetRouter.mse(psnr[p][choices[p]])) ? 1 : 0;
    }
    return n;
  }
}

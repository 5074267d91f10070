package io.armsr.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.route.BudgetRouter;
import io.armsr.route.ExhaustiveBudgetSolver;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The corpus budget's multiplier search against two independent references: a plain sort of every
 * hull step of the corpus (the prefix the search must find, exactly), and the exhaustive optimum of
 * the corpus as one knapsack ({@link ExhaustiveBudgetSolver}), which the Lagrangian bound must hold
 * against.
 */
class CorpusBudgetTest {

  /** One hull step of the reference: where it is, its efficiency and tie hash. */
  private record Step(int image, int patch, int step, double efficiency, long hash) {}

  @Test
  void searchFindsTheLongestFittingPrefixAndTheLagrangianBoundOnRandomHulls() {
    Random rnd = new Random(17);
    int exactAtLagrangianPoints = 0;
    for (int trial = 0; trial < 3000; trial++) {
      double[] costs = costs(rnd);
      // A few prediction vectors shared by many patches, as a binned table gives: ties.
      double[][] vectors = new double[1 + rnd.nextInt(3)][];
      for (int v = 0; v < vectors.length; v++) {
        vectors[v] = prediction(rnd, costs.length);
      }
      int images = 1 + rnd.nextInt(4);
      List<double[][]> predicted = new ArrayList<>();
      List<CorpusBudget.ImageHulls> hulls = new ArrayList<>();
      int total = 0;
      for (int i = 0; i < images && total < 8; i++) {
        int n = 1 + rnd.nextInt(Math.min(3, 8 - total));
        double[][] p = new double[n][];
        for (int k = 0; k < n; k++) {
          p[k] = vectors[rnd.nextInt(vectors.length)];
        }
        total += n;
        predicted.add(p);
        hulls.add(CorpusBudget.ImageHulls.of(CorpusBudget.key("img" + i + ".png"), p, costs));
      }
      double full = total * costs[costs.length - 1];
      double budget = rnd.nextInt(5) == 0 ? full * rnd.nextInt(3) / 2.0 : rnd.nextDouble() * full;
      CorpusBudget.Result r =
          CorpusBudget.search(CorpusBudget.inMemory(hulls, costs.length), costs, exact(budget));
      assertTrue(r.withinBudget(), "bicubic costs 0: always feasible");
      assertTrue(r.cost().compareTo(exact(budget)) <= 0, "over budget in trial " + trial);
      assertTrue(r.passes() <= 30, r.passes() + " aggregations");

      int[][] choices = new int[hulls.size()][];
      long[] counted = new long[costs.length];
      for (int i = 0; i < hulls.size(); i++) {
        choices[i] = hulls.get(i).choices(r.threshold());
        for (int c : choices[i]) {
          counted[c]++;
        }
        assertArrayEquals(
            hulls.get(i).counts(r.threshold(), costs.length), histogram(choices[i], costs.length));
      }
      assertArrayEquals(counted, r.counts(), "the counts are those of the choices");

      // Reference 1: every step of the corpus in the order (efficiency desc, hash asc); the
      // longest prefix whose routing fits.
      int[][] reference = longestFittingPrefix(predicted, hulls, costs, budget);
      for (int i = 0; i < hulls.size(); i++) {
        assertArrayEquals(reference[i], choices[i], "trial " + trial + " image " + i);
      }

      // Reference 2: the exhaustive optimum of the corpus as one knapsack. The search's routing
      // minimises MSE + lambda * cost, so it is within lambda x (unspent budget) of the optimum.
      double[][] all = predicted.stream().flatMap(Arrays::stream).toArray(double[][]::new);
      int[] flat = Arrays.stream(choices).flatMapToInt(Arrays::stream).toArray();
      ExhaustiveBudgetSolver.Optimum opt = ExhaustiveBudgetSolver.solve(all, costs, budget);
      double mse = totalMse(all, flat);
      double unspent = exact(budget).subtract(r.cost()).doubleValue();
      double lambda = r.threshold().lambda();
      assertTrue(mse >= opt.totalMse() - 1e-9 * Math.max(1, opt.totalMse()), "below the optimum");
      assertTrue(
          mse <= opt.totalMse() + lambda * unspent + 1e-9 * Math.max(1, opt.totalMse()),
          "trial "
              + trial
              + ": "
              + mse
              + " vs optimum "
              + opt.totalMse()
              + " + "
              + lambda * unspent);
      if (unspent == 0 || mse <= opt.totalMse() * (1 + 1e-12)) {
        exactAtLagrangianPoints++;
      }
    }
    assertTrue(exactAtLagrangianPoints > 300, exactAtLagrangianPoints + " optimal instances");
  }

  @Test
  void aBudgetAtALagrangianPointIsSpentExactlyAndOptimally() {
    Random rnd = new Random(5);
    for (int trial = 0; trial < 1000; trial++) {
      double[] costs = costs(rnd);
      double[][] p = new double[2 + rnd.nextInt(6)][];
      for (int k = 0; k < p.length; k++) {
        p[k] = prediction(rnd, costs.length);
      }
      CorpusBudget.ImageHulls h = CorpusBudget.ImageHulls.of(7, p, costs);
      // Everett: every patch at the end of its steps above some lambda is optimal for its cost.
      double lambda = Math.exp(rnd.nextGaussian() * 3 - 4);
      int[] at = h.choices(new CorpusBudget.Threshold(lambda, Long.MIN_VALUE));
      BigDecimal cost = CorpusBudget.cost(histogram(at, costs.length), costs);
      double budget = cost.doubleValue();
      if (cost.compareTo(exact(budget)) != 0) {
        continue; // the exact sum is not a double: the budget would be rounded
      }
      CorpusBudget.Result r =
          CorpusBudget.search(CorpusBudget.inMemory(List.of(h), costs.length), costs, cost);
      ExhaustiveBudgetSolver.Optimum opt = ExhaustiveBudgetSolver.solve(p, costs, budget);
      double mse = totalMse(p, h.choices(r.threshold()));
      assertEquals(opt.totalMse(), mse, 1e-9 * opt.totalMse(), "trial " + trial);
    }
  }

  @Test
  void tiedStepsAreSharedByHashUntilTheBudgetIsFull() {
    // 1000 patches of one table bin, so every patch has the same hull and efficiencies.
    double[] costs = {0, 1, 3, 10};
    double[] bin = {25, 27, 28, 29};
    List<CorpusBudget.ImageHulls> images = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      double[][] p = new double[100][];
      Arrays.fill(p, bin);
      images.add(CorpusBudget.ImageHulls.of(CorpusBudget.key("a/" + i + ".png"), p, costs));
    }
    BigDecimal budget = BigDecimal.valueOf(1234);
    CorpusBudget.Result r = CorpusBudget.search(CorpusBudget.inMemory(images, 4), costs, budget);
    assertTrue(r.cost().compareTo(budget) <= 0);
    int[] hull = BudgetRouter.hull(bin, costs);
    double smallestStep = Double.POSITIVE_INFINITY;
    for (int k = 0; k + 1 < hull.length; k++) {
      smallestStep = Math.min(smallestStep, costs[hull[k + 1]] - costs[hull[k]]);
    }
    // The longest prefix: less than the largest step of the hull is left.
    assertTrue(budget.subtract(r.cost()).doubleValue() < costs[3], "left " + r.cost());
    // Every image takes a share, not the first few by name.
    for (CorpusBudget.ImageHulls h : images) {
      long[] c = h.counts(r.threshold(), 4);
      assertTrue(c[0] < 100, Arrays.toString(c));
    }
    assertEquals(1000, r.patches());
    assertTrue(smallestStep > 0);
  }

  @Test
  void aBudgetUnderTheCheapestRoutingIsReportedAndUsesIt() {
    double[] costs = {2, 3, 5, 9};
    double[][] p = {{20, 22, 24, 25}, {30, 31, 32, 33}};
    CorpusBudget.ImageHulls h = CorpusBudget.ImageHulls.of(1, p, costs);
    CorpusBudget.Result r =
        CorpusBudget.search(CorpusBudget.inMemory(List.of(h), 4), costs, BigDecimal.valueOf(3));
    assertFalse(r.withinBudget());
    assertEquals(CorpusBudget.Threshold.NONE, r.threshold());
    assertArrayEquals(new int[] {0, 0}, h.choices(r.threshold()));
    CorpusBudget.Result all =
        CorpusBudget.search(CorpusBudget.inMemory(List.of(h), 4), costs, BigDecimal.valueOf(18));
    assertEquals(CorpusBudget.Threshold.ALL, all.threshold());
    assertArrayEquals(new int[] {3, 3}, h.choices(all.threshold()));
  }

  @Test
  void aCorpusFractionIsExact() {
    double[] costs = {0, 1, 2, 0.1};
    assertEquals(
        0,
        new BigDecimal("0.5")
            .multiply(BigDecimal.valueOf(3))
            .multiply(new BigDecimal(0.1))
            .compareTo(CorpusBudget.budget(new BigDecimal("0.5"), 3, costs)));
    // FNV-1a 64's published test vectors: the key is the same on every machine.
    assertEquals(0xcbf29ce484222325L, CorpusBudget.key(""));
    assertEquals(0xaf63dc4c8601ec8cL, CorpusBudget.key("a"));
  }

  // --- references ---------------------------------------------------------------------------

  /** The routing of the longest prefix of all steps, by efficiency then hash, that fits. */
  private static int[][] longestFittingPrefix(
      List<double[][]> predicted,
      List<CorpusBudget.ImageHulls> hulls,
      double[] costs,
      double budget) {
    List<Step> steps = new ArrayList<>();
    List<int[][]> hullOf = new ArrayList<>();
    for (int i = 0; i < predicted.size(); i++) {
      double[][] p = predicted.get(i);
      int[][] perPatch = new int[p.length][];
      for (int k = 0; k < p.length; k++) {
        int[] hull = BudgetRouter.hull(p[k], costs);
        perPatch[k] = hull;
        double least = Double.POSITIVE_INFINITY;
        for (int s = 0; s + 1 < hull.length; s++) {
          double e =
              (BudgetRouter.mse(p[k][hull[s]]) - BudgetRouter.mse(p[k][hull[s + 1]]))
                  / (costs[hull[s + 1]] - costs[hull[s]]);
          least = Math.min(least, e);
          steps.add(new Step(i, k, s, least, CorpusBudget.stepHash(hulls.get(i).key(), k, s)));
        }
      }
      hullOf.add(perPatch);
    }
    steps.sort(
        Comparator.comparingDouble((Step s) -> -s.efficiency()).thenComparingLong(Step::hash));
    int[][] best = null;
    for (int prefix = 0; prefix <= steps.size(); prefix++) {
      int[][] taken = new int[predicted.size()][];
      boolean[][][] in = new boolean[predicted.size()][][];
      for (int i = 0; i < predicted.size(); i++) {
        in[i] = new boolean[predicted.get(i).length][4];
      }
      for (int s = 0; s < prefix; s++) {
        Step st = steps.get(s);
        in[st.image()][st.patch()][st.step()] = true;
      }
      BigDecimal cost = BigDecimal.ZERO;
      for (int i = 0; i < predicted.size(); i++) {
        taken[i] = new int[predicted.get(i).length];
        for (int k = 0; k < taken[i].length; k++) {
          int[] hull = hullOf.get(i)[k];
          int s = 0;
          while (s + 1 < hull.length && in[i][k][s]) {
            s++;
          }
          taken[i][k] = hull[s];
          cost = cost.add(new BigDecimal(costs[hull[s]]));
        }
      }
      if (cost.compareTo(exact(budget)) <= 0) {
        best = taken;
      }
    }
    return best;
  }

  private static double totalMse(double[][] psnr, int[] choices) {
    double sum = 0;
    for (int p = 0; p < choices.length; p++) {
      double m = BudgetRouter.mse(psnr[p][choices[p]]);
      sum += Double.isFinite(m) ? m : 0;
    }
    return sum;
  }

  private static long[] histogram(int[] choices, int subnets) {
    long[] out = new long[subnets];
    for (int c : choices) {
      out[c]++;
    }
    return out;
  }

  private static BigDecimal exact(double d) {
    return new BigDecimal(d);
  }

  /** Bicubic free, the rest rising (as FLOPs do), sometimes with a dominated option. */
  private static double[] costs(Random rnd) {
    double[] c = new double[4];
    for (int j = 1; j < 4; j++) {
      c[j] = c[j - 1] + 0.05 + rnd.nextDouble() * (rnd.nextInt(6) == 0 ? 0.01 : 1);
    }
    return c;
  }

  /** Predicted PSNRs, mostly rising with the width, sometimes not, sometimes NaN. */
  private static double[] prediction(Random rnd, int subnets) {
    double[] p = new double[subnets];
    double v = 20 + rnd.nextDouble() * 15;
    for (int j = 0; j < subnets; j++) {
      v += rnd.nextInt(5) == 0 ? -rnd.nextDouble() : rnd.nextDouble() * 2;
      p[j] = j > 0 && rnd.nextInt(12) == 0 ? Double.NaN : v;
    }
    return p;
  }
}

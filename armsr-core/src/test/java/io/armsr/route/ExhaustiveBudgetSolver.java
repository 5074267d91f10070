package io.armsr.route;

import java.math.BigDecimal;

/**
 * The exact budget-routing optimum by exhaustive search, for small instances (S^P leaves): the
 * reference {@link BudgetRouter} is measured against. Same conventions as the router: a NaN or
 * {@code -Infinity} prediction is unusable, a patch with no usable prediction gets its cheapest
 * subnet and adds nothing, the objective is the sum of predicted MSEs in patch order. Public for
 * the corpus budget's tests (armsr-spark), whose corpus is one such instance.
 */
public final class ExhaustiveBudgetSolver {

  /** The optimum, or {@code feasible == false} when no assignment fits the budget. */
  public record Optimum(int[] choices, double totalMse, boolean feasible) {}

  private final double[][] mse;
  private final double[] costs;
  private final double budget;
  // Prune a branch only when its double sum is clearly over budget; leaves are checked exactly.
  private final double slack;
  private final int[] current;
  private int[] best;
  private double bestMse = Double.POSITIVE_INFINITY;

  private ExhaustiveBudgetSolver(double[][] psnr, double[] costs, double budget) {
    this.costs = costs;
    this.budget = budget;
    this.slack = budget * (1 + 1e-9) + 1e-9;
    this.mse = new double[psnr.length][costs.length];
    for (int p = 0; p < psnr.length; p++) {
      boolean any = false;
      for (int j = 0; j < costs.length; j++) {
        double m = BudgetRouter.mse(psnr[p][j]);
        mse[p][j] = Double.isFinite(m) ? m : Double.NaN;
        any |= Double.isFinite(m);
      }
      if (!any) {
        int cheapest = 0;
        for (int j = 1; j < costs.length; j++) {
          if (costs[j] < costs[cheapest]) {
            cheapest = j;
          }
        }
        // The only option: the cheapest subnet, contributing nothing.
        mse[p][cheapest] = 0;
      }
    }
    this.current = new int[psnr.length];
  }

  public static Optimum solve(double[][] psnr, double[] costs, double budget) {
    ExhaustiveBudgetSolver s = new ExhaustiveBudgetSolver(psnr, costs, budget);
    s.search(0, 0, 0);
    return s.best == null
        ? new Optimum(null, Double.NaN, false)
        : new Optimum(s.best, s.bestMse, true);
  }

  private void search(int p, double cost, double total) {
    if (cost > slack) {
      return;
    }
    if (p == current.length) {
      if (total < bestMse && BudgetRouter.fits(current, costs, budget)) {
        bestMse = total;
        best = current.clone();
      }
      return;
    }
    for (int j = 0; j < costs.length; j++) {
      if (!Double.isNaN(mse[p][j])) {
        current[p] = j;
        search(p + 1, cost + costs[j], total + mse[p][j]);
      }
    }
  }

  /** The exact total cost of an assignment. */
  static BigDecimal cost(int[] choices, double[] costs) {
    BigDecimal total = BigDecimal.ZERO;
    for (int c : choices) {
      total = total.add(new BigDecimal(costs[c]));
    }
    return total;
  }
}

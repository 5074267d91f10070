package io.armsr.infer;

import io.armsr.model.Backbone;
import io.armsr.route.BudgetRouter;
import io.armsr.route.RoutingMode;

/**
 * Which subnet every patch of an upscaled image went to, and what that cost: shared by {@link
 * UpscaleResult} (which also holds the canvas) and {@link Upscaler.Routed} (a streamed upscale,
 * whose rows went elsewhere).
 */
public interface RoutedPatches {

  RoutingMode mode();

  PatchGrid grid();

  /** The subnet chosen for every patch, row-major. */
  int[] subnets();

  /** Cost of every subnet (the table's {@code cost_list}). */
  double[] costs();

  /** Patches per subnet, {@code [n0 bicubic, n1, n2, n3 full]}. */
  default int[] classes() {
    int[] out = new int[Backbone.SUBNETS];
    for (int s : subnets()) {
      out[s]++;
    }
    return out;
  }

  /**
   * Mean cost per 32x32 patch, {@code sum_j cost_j n_j / sum_j n_j} as the release's {@code
   * cal_FLOPs} (ARM.md 3.3).
   */
  default double meanFlops() {
    int[] n = classes();
    double[] costs = costs();
    double total = 0;
    for (int j = 0; j < n.length; j++) {
      total += costs[j] * n[j];
    }
    return total / subnets().length;
  }

  /** Mean true multiply-adds per patch of the chosen subnets (the user-facing cost figure). */
  default double meanMultiplyAdds(Backbone backbone) {
    int[] n = classes();
    double total = 0;
    for (int j = 0; j < n.length; j++) {
      total += (double) backbone.multiplyAdds(j) * n[j];
    }
    return total / subnets().length;
  }

  /**
   * False only for a budget that could not be met because even the cheapest routing costs more: for
   * {@code --budget} the cheapest subnet of every patch (possible only when bicubic's cost is not
   * 0; the total is summed exactly, as the router does), for {@code --budget-ms} the fastest
   * uniform routing as the profile's batching runs it ({@link RoutingMode.TimeBudget#feasible}).
   */
  default boolean withinBudget() {
    int[] subnets = subnets();
    if (mode() instanceof RoutingMode.TimeBudget t) {
      return t.feasible(subnets.length, t.model().batching(grid().cols()));
    }
    return !(mode() instanceof RoutingMode.Budget b)
        || BudgetRouter.fits(subnets, costs(), b.total(subnets.length, costs()));
  }
}

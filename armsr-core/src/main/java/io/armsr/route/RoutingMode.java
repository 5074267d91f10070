package io.armsr.route;

import io.armsr.model.Backbone;
import java.util.Locale;
import java.util.Objects;

/**
 * How every patch's sub-network is chosen from the predicted PSNR of every subnet (ARM.md 4.4). The
 * {@link PerPatch} modes decide each patch alone:
 *
 * <ul>
 *   <li>{@link Fixed}: always subnet {@code j} (0 = bicubic everywhere, the official {@code eta <
 *       100} case);
 *   <li>{@link Best}: {@code argmax_j pred_j}, ignoring cost (the official {@code eta == 'best'});
 *   <li>{@link Tradeoff}: ARM's rule {@code argmax_j (eta * pred_j - cost_j)} with {@code eta = k *
 *       cost_full}, i.e. the full network is penalised by {@code 1/k} dB against bicubic.
 * </ul>
 *
 * {@link Budget} and {@link TimeBudget} route the whole image at once: the least predicted MSE
 * within a total cost or time, solved by {@link BudgetRouter}; {@link Given} replays a routing.
 *
 * <p>Every mode has the label the golden files and {@code eval --json} use: {@code fixed0..fixed3},
 * {@code best}, {@code k<K>} with K printed as a Java/Python double ({@code k1.5}, {@code k4.0}),
 * and {@code budget<F>} likewise ({@code budget0.5}).
 */
public sealed interface RoutingMode {

  /** The label used in reports and JSON. */
  String label();

  /**
   * Chooses the subnet of every patch.
   *
   * @param predictedPsnr {@code [patch][subnet]} predicted PSNR (index 0 = bicubic)
   * @param costs cost of every subnet
   * @return the subnet of every patch
   */
  int[] route(double[][] predictedPsnr, double[] costs);

  /**
   * Chooses the subnet of every patch of an image the engine will run by {@code batching}; only a
   * time budget looks at it.
   */
  default int[] route(double[][] predictedPsnr, double[] costs, Batching batching) {
    return route(predictedPsnr, costs);
  }

  /** A mode that decides each patch from its own predictions alone. */
  sealed interface PerPatch extends RoutingMode {
    /**
     * Chooses a subnet from the predicted PSNR and cost of every subnet (index 0 = bicubic). Ties
     * go to the first index and a NaN prediction wins as numpy's {@code argmax} returns the first
     * NaN (ARM.md 4.2: an empty LUT bin is NaN).
     */
    int choose(double[] predictedPsnr, double[] costs);

    @Override
    default int[] route(double[][] predictedPsnr, double[] costs) {
      int[] out = new int[predictedPsnr.length];
      for (int p = 0; p < out.length; p++) {
        out[p] = choose(predictedPsnr[p], costs);
      }
      return out;
    }
  }

  /**
   * Budget routing: the image's total cost is at most {@code fraction} of running every patch at
   * full width, and within it the predicted MSE is least ({@link BudgetRouter}). Unlike the eta
   * rule the cost is guaranteed, whatever the image; a NaN prediction is never chosen.
   *
   * @param fraction of the full-width cost, {@code 0 < fraction <= 1}
   */
  record Budget(double fraction) implements RoutingMode {
    public Budget {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new IllegalArgumentException(
            "a budget must be a fraction in (0, 1] of the full-width cost, got " + fraction);
      }
    }

    @Override
    public String label() {
      return "budget" + Double.toString(fraction).toLowerCase(Locale.ROOT);
    }

    /** The total budget for this many patches: {@code fraction * patches * cost_full}. */
    public double total(int patches, double[] costs) {
      return fraction * patches * costs[costs.length - 1];
    }

    /** The allocation, with its cost and whether the budget could be met. */
    public BudgetRouter.Allocation allocate(double[][] predictedPsnr, double[] costs) {
      return BudgetRouter.route(predictedPsnr, costs, total(predictedPsnr.length, costs));
    }

    @Override
    public int[] route(double[][] predictedPsnr, double[] costs) {
      return allocate(predictedPsnr, costs).choices();
    }
  }

  /**
   * Time-budget routing: the image's predicted wall time under a batch-aware {@link TimeModel} (a
   * device profile from {@code armsr calibrate}) is at most {@code milliseconds}; within it the
   * predicted MSE is least. The table's FLOPs are not used.
   *
   * <p>The knapsack ({@link BudgetRouter}) needs a cost per patch, but the time of a routing also
   * depends on how many batches it splits into. So the fixed terms (per image, per patch) are taken
   * off the budget, the knapsack runs with each subnet's time per patch plus its batch cost shared
   * by a full batch, and the routing's batch-aware time is predicted; while that is over the
   * target, the knapsack's budget is scaled down by the share of the routing's variable time that
   * fits, and at least by 1%, 2%, 4%, ... of itself, and the image re-routed (at most {@value
   * #REROUTES} times, then the cheapest uniform routing). The result is never predicted over the
   * target when the cheapest uniform routing (usually all bicubic) fits; when it does not, that is
   * returned and {@link BudgetRouter.Allocation#withinBudget()} is false. Deterministic.
   *
   * <p>With a {@code feedback}, the engine corrects the model by what it measured on the earlier
   * upscales routed with the same feedback (the machine runs slower or faster than at calibration),
   * and records each upscale's measured time in it. The feedback belongs to the caller (one per
   * folder run, per service, ...), so an engine shared by many callers holds no such state; it is
   * thread-safe.
   *
   * @param milliseconds the time budget for the image
   * @param model the device's time model
   * @param feedback measured against predicted times of earlier upscales, or null for none
   */
  record TimeBudget(double milliseconds, TimeModel model, LatencyFeedback feedback)
      implements RoutingMode {
    /** Most re-routes after the first knapsack before falling back to a uniform routing. */
    static final int REROUTES = 8;

    /** Images of at most this many patches are routed by the full solver, larger by its greedy. */
    static final int FULL_SOLVER_PATCHES = 64;

    public TimeBudget {
      if (!(milliseconds > 0) || Double.isInfinite(milliseconds)) {
        throw new IllegalArgumentException(
            "a time budget must be a positive number of milliseconds, got " + milliseconds);
      }
      Objects.requireNonNull(model, "model");
      if (model.subnets() != Backbone.SUBNETS) {
        throw new IllegalArgumentException(
            "a device profile needs " + Backbone.SUBNETS + " subnets, has " + model.subnets());
      }
    }

    /** A time budget routed for the model as it is, with no run-time correction. */
    public TimeBudget(double milliseconds, TimeModel model) {
      this(milliseconds, model, null);
    }

    /** The same budget, corrected at run time by {@code feedback}. */
    public TimeBudget withFeedback(LatencyFeedback feedback) {
      return new TimeBudget(milliseconds, model, feedback);
    }

    @Override
    public String label() {
      return "budget-ms" + Double.toString(milliseconds).toLowerCase(Locale.ROOT);
    }

    /**
     * The same budget for a machine that runs {@code ratio} times as long as {@code model}
     * predicts: routed for a predicted {@code milliseconds / ratio} ({@link LatencyFeedback}).
     */
    public TimeBudget corrected(double ratio) {
      if (!(ratio > 0) || Double.isInfinite(ratio)) {
        throw new IllegalArgumentException("a time ratio must be positive, got " + ratio);
      }
      return ratio == 1 ? this : new TimeBudget(milliseconds / ratio, model, feedback);
    }

    /**
     * The allocation for an image run by {@code batching}, with its predicted time as its cost and
     * whether the budget could be met.
     */
    public BudgetRouter.Allocation allocate(double[][] predictedPsnr, Batching batching) {
      int n = predictedPsnr.length;
      int[] floor = BudgetRouter.uniform(n, model.fastestUniform(n, batching));
      double floorMs = model.predictedMs(floor, batching);
      if (floorMs > milliseconds) {
        return allocation(predictedPsnr, floor, floorMs, false);
      }
      double[] perPatch = model.amortisedMsPerPatch();
      double fixed = model.fixedMs(n);
      double knapsack = milliseconds - fixed;
      // The routing's own time counts against the budget: on a large image the plain greedy and
      // fill, within one hull step of the LP bound (tiny there), take a few milliseconds where the
      // full solver takes tens; on a small one that step matters and the full solver is cheap.
      int coreLimit = n <= FULL_SOLVER_PATCHES ? BudgetRouter.CORE_LEAVES : 1;
      for (int i = 0; i <= REROUTES && knapsack >= 0; i++) {
        int[] choices = BudgetRouter.route(predictedPsnr, perPatch, knapsack, coreLimit).choices();
        double ms = model.predictedMs(choices, batching);
        if (ms <= milliseconds) {
          return allocation(predictedPsnr, choices, ms, true);
        }
        // Over by the partial batches: scale the knapsack's budget by the share of the routing's
        // variable time that fits (less than the excess when the variable time is well above the
        // knapsack's own estimate of it, many partial batches), and by at least 1%, 2%, 4%, ...
        // of itself: a partial batch that every re-route keeps would otherwise leave each next
        // routing a little over, approaching the target from above without reaching it.
        double minimumCut = Math.min(0.5, 0.01 * (1 << i));
        knapsack *= Math.min((milliseconds - fixed) / (ms - fixed), 1 - minimumCut);
      }
      return allocation(predictedPsnr, floor, floorMs, true);
    }

    private static BudgetRouter.Allocation allocation(
        double[][] predictedPsnr, int[] choices, double ms, boolean within) {
      return new BudgetRouter.Allocation(
          choices, ms, BudgetRouter.meanMse(predictedPsnr, choices), within);
    }

    /** Whether any routing of {@code patches} run by {@code batching} fits: a uniform one. */
    public boolean feasible(int patches, Batching batching) {
      return model.uniformMs(patches, model.fastestUniform(patches, batching), batching)
          <= milliseconds;
    }

    @Override
    public int[] route(double[][] predictedPsnr, double[] costs, Batching batching) {
      return allocate(predictedPsnr, batching).choices();
    }

    /** Routes as the whole-image path runs, with the profile's batch size. */
    @Override
    public int[] route(double[][] predictedPsnr, double[] costs) {
      return route(predictedPsnr, costs, Batching.of(Batching.Path.WHOLE, 1, model.batchSize()));
    }

    /** Predicted milliseconds of these choices run by {@code batching}. */
    public double predictedMs(int[] subnets, Batching batching) {
      return model.predictedMs(subnets, batching);
    }
  }

  /**
   * A routing decided elsewhere, e.g. by {@code armsr calibrate}, which times chosen mixtures of
   * subnets.
   *
   * @param subnets the subnet of every patch, row-major
   */
  record Given(int[] subnets) implements RoutingMode {
    public Given {
      for (int s : subnets) {
        if (s < 0 || s >= Backbone.SUBNETS) {
          throw new IllegalArgumentException(
              "subnet " + s + " is not 0.." + (Backbone.SUBNETS - 1));
        }
      }
      subnets = subnets.clone();
    }

    @Override
    public int[] subnets() {
      return subnets.clone();
    }

    @Override
    public String label() {
      return "given";
    }

    @Override
    public int[] route(double[][] predictedPsnr, double[] costs) {
      if (predictedPsnr.length != subnets.length) {
        throw new IllegalArgumentException(
            "a routing of "
                + subnets.length
                + " patches for an image of "
                + predictedPsnr.length
                + " patches");
      }
      return subnets.clone();
    }
  }

  /** A fixed subnet for every patch. */
  record Fixed(int subnet) implements PerPatch {
    public Fixed {
      if (subnet < 0 || subnet >= Backbone.SUBNETS) {
        throw new IllegalArgumentException(
            "subnet must be 0.." + (Backbone.SUBNETS - 1) + ", got " + subnet);
      }
    }

    @Override
    public String label() {
      return "fixed" + subnet;
    }

    @Override
    public int choose(double[] predictedPsnr, double[] costs) {
      return subnet;
    }
  }

  /** The subnet with the highest predicted PSNR. */
  record Best() implements PerPatch {
    @Override
    public String label() {
      return "best";
    }

    @Override
    public int choose(double[] predictedPsnr, double[] costs) {
      return argmax(predictedPsnr);
    }
  }

  /** ARM's eta rule with {@code eta = k * cost_full} (ARM.md 4.4). */
  record Tradeoff(double k) implements PerPatch {
    public Tradeoff {
      if (!(k > 0) || Double.isInfinite(k)) {
        throw new IllegalArgumentException("K must be a positive finite number, got " + k);
      }
    }

    @Override
    public String label() {
      return "k" + Double.toString(k).toLowerCase(Locale.ROOT);
    }

    @Override
    public int choose(double[] predictedPsnr, double[] costs) {
      double eta = k * costs[costs.length - 1];
      double[] utility = new double[predictedPsnr.length];
      for (int j = 0; j < utility.length; j++) {
        utility[j] = eta * predictedPsnr[j] - costs[j];
      }
      return argmax(utility);
    }
  }

  /** numpy {@code argmax}: the first maximum, or the first NaN if there is one. */
  static int argmax(double[] values) {
    int best = 0;
    for (int i = 0; i < values.length; i++) {
      if (Double.isNaN(values[i])) {
        return i;
      }
      if (values[i] > values[best]) {
        best = i;
      }
    }
    return best;
  }
}

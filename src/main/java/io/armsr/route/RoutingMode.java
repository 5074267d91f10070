package io.armsr.route;

import io.armsr.model.Backbone;
import java.util.Locale;

/**
 * How every patch's sub-network is chosen from the predicted PSNR of every subnet (ARM-SPEC 4.4).
 * The {@link PerPatch} modes decide each patch alone:
 *
 * <ul>
 *   <li>{@link Fixed}: always subnet {@code j} (0 = bicubic everywhere, the official {@code eta <
 *       100} case);
 *   <li>{@link Best}: {@code argmax_j pred_j}, ignoring cost (the official {@code eta == 'best'});
 *   <li>{@link Tradeoff}: ARM's rule {@code argmax_j (eta * pred_j - cost_j)} with {@code eta = k *
 *       cost_full}, i.e. the full network is penalised by {@code 1/k} dB against bicubic.
 * </ul>
 *
 * {@link Budget} (issue 4) routes the whole image at once: the least predicted MSE within a total
 * cost, solved by {@link BudgetRouter}.
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

  /** A mode that decides each patch from its own predictions alone. */
  sealed interface PerPatch extends RoutingMode {
    /**
     * Chooses a subnet from the predicted PSNR and cost of every subnet (index 0 = bicubic). Ties
     * go to the first index and a NaN prediction wins as numpy's {@code argmax} returns the first
     * NaN (ARM-SPEC 4.2: an empty LUT bin is NaN).
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
   * Budget routing (issue 4): the image's total cost is at most {@code fraction} of running every
   * patch at full width, and within it the predicted MSE is least ({@link BudgetRouter}). Unlike
   * the eta rule the cost is guaranteed, whatever the image; a NaN prediction is never chosen.
   *
   * @param fraction of the full-width cost, {@code 0 < fraction <= 1}
   */
  record Budget(double fraction) implements RoutingMode {
    public Budget {
      if (!(fraction > 0 && fraction <= 1)) {
        throw new IllegalArgumentException("--budget must be in (0, 1], got " + fraction);
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
   * Time-budget routing (issue 4, {@code --budget-ms}): the image's predicted wall time, the sum of
   * the measured milliseconds per patch of each chosen subnet (a device profile from {@code armsr
   * calibrate}), is at most {@code milliseconds}; within it the predicted MSE is least. The table's
   * FLOPs are not used.
   *
   * @param milliseconds the time budget for the image's patches
   * @param msPerPatch measured time per patch of every subnet, bicubic included
   */
  record TimeBudget(double milliseconds, double[] msPerPatch) implements RoutingMode {
    public TimeBudget {
      if (!(milliseconds > 0) || Double.isInfinite(milliseconds)) {
        throw new IllegalArgumentException(
            "--budget-ms must be a positive number, got " + milliseconds);
      }
      if (msPerPatch.length != Backbone.SUBNETS) {
        throw new IllegalArgumentException(
            "a device profile needs " + Backbone.SUBNETS + " times, has " + msPerPatch.length);
      }
      for (double t : msPerPatch) {
        if (!(t >= 0) || Double.isInfinite(t)) {
          throw new IllegalArgumentException("device profile time " + t + " is not a time");
        }
      }
      msPerPatch = msPerPatch.clone();
    }

    @Override
    public double[] msPerPatch() {
      return msPerPatch.clone();
    }

    @Override
    public String label() {
      return "budget-ms" + Double.toString(milliseconds).toLowerCase(Locale.ROOT);
    }

    /** The allocation, with its predicted time and whether the budget could be met. */
    public BudgetRouter.Allocation allocate(double[][] predictedPsnr) {
      return BudgetRouter.route(predictedPsnr, msPerPatch, milliseconds);
    }

    @Override
    public int[] route(double[][] predictedPsnr, double[] costs) {
      return allocate(predictedPsnr).choices();
    }

    /** Predicted milliseconds of these choices. */
    public double predictedMs(int[] subnets) {
      double sum = 0;
      for (int s : subnets) {
        sum += msPerPatch[s];
      }
      return sum;
    }
  }

  /** A fixed subnet for every patch. */
  record Fixed(int subnet) implements PerPatch {
    public Fixed {
      if (subnet < 0 || subnet >= Backbone.SUBNETS) {
        throw new IllegalArgumentException(
            "--subnet must be 0.." + (Backbone.SUBNETS - 1) + ", got " + subnet);
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

  /** ARM's eta rule with {@code eta = k * cost_full} (ARM-SPEC 4.4). */
  record Tradeoff(double k) implements PerPatch {
    public Tradeoff {
      if (!(k > 0) || Double.isInfinite(k)) {
        throw new IllegalArgumentException("--k must be a positive finite number, got " + k);
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

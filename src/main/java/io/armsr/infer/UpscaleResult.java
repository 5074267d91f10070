package io.armsr.infer;

import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.model.Backbone;
import io.armsr.route.BudgetRouter;
import io.armsr.route.RoutingMode;

/**
 * The outcome of upscaling one image with one routing mode.
 *
 * @param mode the routing mode
 * @param grid the patch grid that was used
 * @param edgeScores edge score of every patch (ARM-SPEC 4.1), row-major
 * @param subnets the subnet chosen for every patch, row-major
 * @param costs cost of every subnet (the table's {@code cost_list})
 * @param canvas the stitched SR image, (3, 4 * coveredHeight, 4 * coveredWidth), values on the
 *     0..255 scale and not rounded (the official {@code combine} output, ARM-SPEC 5.4)
 */
public record UpscaleResult(
    RoutingMode mode,
    PatchGrid grid,
    double[] edgeScores,
    int[] subnets,
    double[] costs,
    PlanarImage canvas) {

  /** Patches per subnet, {@code [n0 bicubic, n1, n2, n3 full]}. */
  public int[] classes() {
    int[] out = new int[Backbone.SUBNETS];
    for (int s : subnets) {
      out[s]++;
    }
    return out;
  }

  /**
   * Mean cost per 32x32 patch, {@code sum_j cost_j n_j / sum_j n_j} as the release's {@code
   * cal_FLOPs} (ARM-SPEC 3.3).
   */
  public double meanFlops() {
    int[] n = classes();
    double total = 0;
    for (int j = 0; j < n.length; j++) {
      total += costs[j] * n[j];
    }
    return total / subnets.length;
  }

  /**
   * False only for a {@link RoutingMode.Budget} whose budget could not be met because even the
   * cheapest subnet of every patch costs more (possible only when bicubic's cost is not 0); the
   * total cost is summed exactly, as the router does.
   */
  public boolean withinBudget() {
    if (mode instanceof RoutingMode.TimeBudget t) {
      return BudgetRouter.fits(subnets, t.msPerPatch(), t.milliseconds());
    }
    return !(mode instanceof RoutingMode.Budget b)
        || BudgetRouter.fits(subnets, costs, b.total(subnets.length, costs));
  }

  /** Mean true multiply-adds per patch of the chosen subnets (the user-facing cost figure). */
  public double meanMultiplyAdds(Backbone backbone) {
    int[] n = classes();
    double total = 0;
    for (int j = 0; j < n.length; j++) {
      total += (double) backbone.multiplyAdds(j) * n[j];
    }
    return total / subnets.length;
  }

  /** The output image: the canvas clamped to 0..255 and rounded half to even. */
  public Rgb8Image image() {
    return toRgb8(canvas);
  }

  /** Rounds a 0..255 float canvas to 8 bits (clamped, half to even). */
  public static Rgb8Image toRgb8(PlanarImage canvas255) {
    int h = canvas255.height();
    int w = canvas255.width();
    int plane = h * w;
    float[] d = canvas255.data();
    byte[] out = new byte[plane * 3];
    for (int i = 0; i < plane; i++) {
      for (int c = 0; c < 3; c++) {
        float v = Math.min(255f, Math.max(0f, d[c * plane + i]));
        out[i * 3 + c] = (byte) (int) Math.rint(v);
      }
    }
    return new Rgb8Image(w, h, out);
  }
}

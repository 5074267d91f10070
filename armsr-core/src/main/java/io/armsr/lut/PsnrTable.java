package io.armsr.lut;

import java.util.Arrays;
import java.util.Objects;

/**
 * The Edge-to-PSNR lookup table (ARM.md 4): for every subnet j (0 = bicubic) the centres of its
 * edge-score bins and the mean PSNR of the validation patches in each bin, plus the cost of every
 * subnet. All arrays are indexed {@code [subnet][bin]}; the official tables have 4 subnets and 30
 * bins that share their x-bins.
 *
 * @param binCentres {@code hmap_x_list}: bin centres per subnet, ascending
 * @param meanPsnr {@code hmap_y_mean_list}: mean PSNR per bin (NaN for an empty bin)
 * @param costs {@code cost_list}: FLOPs per subnet on a 32x32 LR patch (paper convention)
 */
public record PsnrTable(double[][] binCentres, double[][] meanPsnr, double[] costs) {

  public PsnrTable {
    Objects.requireNonNull(binCentres, "binCentres");
    Objects.requireNonNull(meanPsnr, "meanPsnr");
    Objects.requireNonNull(costs, "costs");
    if (binCentres.length != costs.length || meanPsnr.length != costs.length) {
      throw new IllegalArgumentException(
          "LUT has "
              + binCentres.length
              + " bin rows, "
              + meanPsnr.length
              + " PSNR rows and "
              + costs.length
              + " costs; they must agree");
    }
    for (int j = 0; j < costs.length; j++) {
      if (binCentres[j].length == 0 || binCentres[j].length != meanPsnr[j].length) {
        throw new IllegalArgumentException("LUT row " + j + " has mismatched or empty bins");
      }
    }
  }

  public int subnets() {
    return costs.length;
  }

  public int bins() {
    return binCentres[0].length;
  }

  /**
   * Predicted PSNR of every subnet for a patch with this edge score (ARM.md 4.3): the mean PSNR of
   * the bin whose centre is nearest, the lower index on ties; scores beyond the range clamp to the
   * first or last bin.
   */
  public double[] predict(double edgeScore) {
    double[] out = new double[costs.length];
    for (int j = 0; j < costs.length; j++) {
      out[j] = meanPsnr[j][nearestBin(binCentres[j], edgeScore)];
    }
    return out;
  }

  /** {@code argmin_i |centres[i] - score|}, first index on ties (numpy argmin). */
  static int nearestBin(double[] centres, double score) {
    int best = 0;
    double bestDistance = Math.abs(centres[0] - score);
    for (int i = 1; i < centres.length; i++) {
      double d = Math.abs(centres[i] - score);
      if (d < bestDistance) {
        best = i;
        bestDistance = d;
      }
    }
    return best;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof PsnrTable t
        && Arrays.deepEquals(binCentres, t.binCentres)
        && Arrays.deepEquals(meanPsnr, t.meanPsnr)
        && Arrays.equals(costs, t.costs);
  }

  @Override
  public int hashCode() {
    return Arrays.deepHashCode(binCentres) * 31 + Arrays.hashCode(costs);
  }

  @Override
  public String toString() {
    return "PsnrTable[" + subnets() + " subnets x " + bins() + " bins]";
  }
}

package io.armsr.lut;

import java.util.Arrays;

/**
 * The edge-score bins of the Edge-to-PSNR table (ARM.md 4.2), reproducing numpy bit for bit.
 *
 * <p>Edges are {@code np.linspace(min, max, bins + 1)}: numpy computes {@code start + i * step}
 * with {@code step = (stop - start) / bins} in float64 and then sets the last edge to {@code stop}
 * exactly, which this class repeats operation for operation. When every score is the same, numpy's
 * {@code histogram2d} (which makes the official edges) widens the range to {@code [min - 0.5, max +
 * 0.5]}; so does {@link #fit}, which keeps a degenerate table routable: the single occupied bin
 * lies in the middle and the rest are filled from it (see {@link LutBuilder}).
 *
 * <p>Bin assignment follows the official statistics, not {@code np.histogram}'s uniform-bin
 * shortcut: both {@code np.histogram2d} (counts) and {@code scipy.stats.binned_statistic} with
 * explicit edges (means) take {@code searchsorted(edges, s, side='right') - 1}, i.e. bin {@code i}
 * holds {@code edges[i] <= s < edges[i + 1]} compared against the <em>computed</em> float64 edges,
 * and a score equal to the last edge goes into the last bin (closed on the right).
 */
public final class ScoreBins {
  private final double[] edges;

  private ScoreBins(double[] edges) {
    this.edges = edges;
  }

  /**
   * {@code np.linspace(min, max, bins + 1)}, widened by 0.5 on both sides when {@code min == max}
   * as numpy's {@code _get_outer_edges} does.
   *
   * @throws IllegalArgumentException if {@code bins < 1}, a bound is not finite or {@code min >
   *     max}
   */
  public static ScoreBins of(double min, double max, int bins) {
    if (bins < 1) {
      throw new IllegalArgumentException("bins must be >= 1, got " + bins);
    }
    if (!Double.isFinite(min) || !Double.isFinite(max) || min > max) {
      throw new IllegalArgumentException("bad score range [" + min + ", " + max + "]");
    }
    if (min == max) {
      min -= 0.5;
      max += 0.5;
    }
    double step = (max - min) / bins;
    double[] e = new double[bins + 1];
    for (int i = 0; i < bins; i++) {
      // numpy: y = arange(num) * step; y += start (two roundings, in this order).
      e[i] = i * step + min;
    }
    e[bins] = max;
    return new ScoreBins(e);
  }

  /** The bins numpy would make for these scores: {@link #of} over their minimum and maximum. */
  public static ScoreBins fit(double[] scores, int bins) {
    if (scores.length == 0) {
      throw new IllegalArgumentException("no scores to bin");
    }
    double min = Double.POSITIVE_INFINITY;
    double max = Double.NEGATIVE_INFINITY;
    for (double s : scores) {
      if (!Double.isFinite(s)) {
        throw new IllegalArgumentException("edge score is not finite: " + s);
      }
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    return of(min, max, bins);
  }

  public int bins() {
    return edges.length - 1;
  }

  /** The bin edges, {@code bins() + 1} ascending values; a copy. */
  public double[] edges() {
    return edges.clone();
  }

  /**
   * {@code hmap_x = edges[:-1] + (edges[1] - edges[0]) / 2}: the official code adds the width of
   * the <em>first</em> bin to every left edge, so the centres carry its rounding.
   */
  public double[] centres() {
    double half = (edges[1] - edges[0]) / 2;
    double[] c = new double[bins()];
    for (int i = 0; i < c.length; i++) {
      c[i] = edges[i] + half;
    }
    return c;
  }

  /**
   * The bin of {@code score}: {@code searchsorted(edges, score, 'right') - 1}, with the last edge
   * itself in the last bin.
   *
   * @throws IllegalArgumentException if the score lies outside {@code [edges[0], edges[bins]]}
   *     (numpy would count it as an outlier; the builder's scores never are)
   */
  public int binOf(double score) {
    int last = edges.length - 1;
    if (!(score >= edges[0] && score <= edges[last])) {
      throw new IllegalArgumentException(
          "score " + score + " outside the bins [" + edges[0] + ", " + edges[last] + "]");
    }
    if (score == edges[last]) {
      return last - 1;
    }
    // Number of edges <= score, minus one: first index with edges[i] > score, less one.
    int lo = 0;
    int hi = last;
    while (lo < hi) {
      int mid = (lo + hi) >>> 1;
      if (edges[mid] <= score) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    return lo - 1;
  }

  /** Patches per bin ({@code np.histogram2d} row sums). */
  public int[] counts(double[] scores) {
    int[] n = new int[bins()];
    for (double s : scores) {
      n[binOf(s)]++;
    }
    return n;
  }

  @Override
  public String toString() {
    return "ScoreBins" + Arrays.toString(edges);
  }
}

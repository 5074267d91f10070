package io.armsr.lut;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import io.armsr.image.EdgeScore;
import io.armsr.image.ImageMetrics;
import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.model.Backbone;
import io.armsr.model.SrBenchmark;
import io.armsr.model.Supernet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.function.IntConsumer;

/**
 * Builds the Edge-to-PSNR table from validation patch pairs as the release does (ARM.md 4.2).
 *
 * <p>For every patch: its edge score (ARM.md 4.1, of the LR patch), and for every subnet j (0 = the
 * bicubic branch) the PSNR of the {@code tensor2img}-rounded SR patch against the HR patch, RGB,
 * 4-pixel border crop, 80 dB when identical (ARM.md 5.5). The scores are binned by {@link
 * ScoreBins} (numpy's {@code linspace} edges and {@code searchsorted} assignment, last bin closed),
 * and each bin's PSNRs are averaged in float64 by summing in patch order and dividing by the count,
 * as {@code scipy.stats.binned_statistic(..., 'mean')} does. All subnets share the same bins.
 *
 * <p>Two deliberate departures from the release, both only where it would break:
 *
 * <ul>
 *   <li>The official bicubic row comes from two precomputed logs with a 90 dB cap (ARM.md 4.2);
 *       here it is measured like the other rows, through {@code forward(x, 0)} and the 80 dB cap.
 *   <li>An empty bin is NaN in the release, and numpy's {@code argmax} then picks the first NaN, so
 *       routing breaks (ARM.md 4.2). Here an empty bin is filled by linear interpolation between
 *       the nearest non-empty bins on either side (by bin index, which is the same as by centre
 *       since the bins are uniform) or, where there is a non-empty bin on one side only, copied
 *       from the nearest one; it is flagged in {@link BuiltTable#filled()}. Only the degenerate
 *       range ({@code min == max}, see {@link ScoreBins#of}) can leave the end bins empty.
 * </ul>
 *
 * <p>The builder streams: patches are read from the {@link Iterable} one batch at a time and only
 * one score and {@code subnets} PSNRs (doubles) are kept per patch, since the bin edges depend on
 * the smallest and largest score and are known only at the end.
 */
public final class LutBuilder {
  /** The official table's number of edge-score bins (ARM.md 4.2). */
  public static final int OFFICIAL_BINS = 30;

  private LutBuilder() {}

  /** {@link #build(Supernet, double[], Iterable, int, int, IntConsumer)} without progress. */
  public static BuiltTable build(
      Supernet net, double[] costs, Iterable<PatchPair> patches, int bins, int batchSize) {
    return build(net, costs, patches, bins, batchSize, done -> {});
  }

  /**
   * Measures every patch with every subnet and tabulates the result.
   *
   * @param net the supernet; subnets {@code 0 .. costs.length - 1} are run
   * @param costs {@code cost_list}, one per subnet (e.g. {@link Backbone#paperFlopsList()})
   * @param patches validation pairs; consecutive pairs of the same size share a forward pass
   * @param bins number of edge-score bins (the release uses {@value #OFFICIAL_BINS})
   * @param batchSize largest number of patches per forward pass
   * @param progress called with the number of patches measured so far after every batch
   * @throws IllegalArgumentException if there are no patches or an argument is out of range
   */
  public static BuiltTable build(
      Supernet net,
      double[] costs,
      Iterable<PatchPair> patches,
      int bins,
      int batchSize,
      IntConsumer progress) {
    Objects.requireNonNull(net, "net");
    Objects.requireNonNull(patches, "patches");
    if (costs.length < 1) {
      throw new IllegalArgumentException("costs must name at least one subnet");
    }
    if (bins < 1) {
      throw new IllegalArgumentException("bins must be >= 1, got " + bins);
    }
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    int subnets = costs.length;
    Measurements m = new Measurements(subnets);
    List<PatchPair> batch = new ArrayList<>(batchSize);
    try (NDManager manager = NDManager.newBaseManager()) {
      for (PatchPair p : patches) {
        if (!batch.isEmpty() && !sameSize(batch.get(0), p)) {
          measure(net, manager, batch, m);
          progress.accept(m.size);
        }
        batch.add(p);
        if (batch.size() == batchSize) {
          measure(net, manager, batch, m);
          progress.accept(m.size);
        }
      }
      if (!batch.isEmpty()) {
        measure(net, manager, batch, m);
        progress.accept(m.size);
      }
    }
    if (m.size == 0) {
      throw new IllegalArgumentException("no validation patches");
    }
    double[][] psnr = new double[subnets][];
    for (int j = 0; j < subnets; j++) {
      psnr[j] = Arrays.copyOf(m.psnr[j], m.size);
    }
    return tabulate(Arrays.copyOf(m.scores, m.size), psnr, costs, bins);
  }

  /**
   * The table from measurements already taken: bins fitted to the scores, per-bin mean PSNR per
   * subnet, empty bins filled (see the class comment).
   *
   * @param scores edge score of every patch
   * @param psnr {@code psnr[j][p]}: PSNR of subnet j on patch p
   * @param costs one per subnet
   * @return the table; its {@code scoreMin}/{@code scoreMax} are the smallest and largest score,
   *     which are the outer bin edges except in the degenerate case, where the edges lie 0.5 beyond
   */
  public static BuiltTable tabulate(double[] scores, double[][] psnr, double[] costs, int bins) {
    if (psnr.length != costs.length) {
      throw new IllegalArgumentException(
          psnr.length + " PSNR rows for " + costs.length + " subnets");
    }
    ScoreBins sb = ScoreBins.fit(scores, bins);
    int[] bin = new int[scores.length];
    for (int p = 0; p < scores.length; p++) {
      bin[p] = sb.binOf(scores[p]);
    }
    int[] counts = sb.counts(scores);
    int subnets = costs.length;
    double[][] centres = new double[subnets][];
    double[][] means = new double[subnets][];
    boolean[][] filled = new boolean[subnets][];
    for (int j = 0; j < subnets; j++) {
      if (psnr[j].length != scores.length) {
        throw new IllegalArgumentException(
            "subnet " + j + " has " + psnr[j].length + " PSNRs for " + scores.length + " scores");
      }
      // np.bincount(bin, weights) / np.bincount(bin): a float64 sum in patch order.
      double[] sum = new double[bins];
      for (int p = 0; p < scores.length; p++) {
        sum[bin[p]] += psnr[j][p];
      }
      double[] mean = new double[bins];
      for (int i = 0; i < bins; i++) {
        mean[i] = counts[i] == 0 ? Double.NaN : sum[i] / counts[i];
      }
      filled[j] = fillEmpty(mean);
      means[j] = mean;
      centres[j] = sb.centres();
    }
    double min = scores[0];
    double max = scores[0];
    for (double s : scores) {
      min = Math.min(min, s);
      max = Math.max(max, s);
    }
    return new BuiltTable(
        new PsnrTable(centres, means, costs.clone()), counts, filled, scores.length, min, max);
  }

  /**
   * Replaces every NaN of {@code row} in place: linear interpolation between the nearest measured
   * bins on both sides, or a copy of the only side that has one.
   *
   * @return which entries were filled
   * @throws IllegalArgumentException if no bin was measured
   */
  static boolean[] fillEmpty(double[] row) {
    int n = row.length;
    boolean[] filled = new boolean[n];
    int[] left = new int[n];
    int last = -1;
    for (int i = 0; i < n; i++) {
      if (!Double.isNaN(row[i])) {
        last = i;
      }
      left[i] = last;
    }
    if (last < 0) {
      throw new IllegalArgumentException("every bin is empty");
    }
    int right = -1;
    for (int i = n - 1; i >= 0; i--) {
      if (!Double.isNaN(row[i])) {
        right = i;
        continue;
      }
      filled[i] = true;
      int lo = left[i];
      if (lo < 0) {
        row[i] = row[right];
      } else if (right < 0) {
        row[i] = row[lo];
      } else {
        row[i] = row[lo] + (row[right] - row[lo]) * (i - lo) / (right - lo);
      }
    }
    return filled;
  }

  /** Scores and PSNRs of the patches seen so far, grown by doubling. */
  private static final class Measurements {
    int size;
    double[] scores = new double[1024];
    final double[][] psnr;

    Measurements(int subnets) {
      psnr = new double[subnets][1024];
    }

    void ensure(int extra) {
      if (size + extra > scores.length) {
        int cap = Math.max(scores.length * 2, size + extra);
        scores = Arrays.copyOf(scores, cap);
        for (int j = 0; j < psnr.length; j++) {
          psnr[j] = Arrays.copyOf(psnr[j], cap);
        }
      }
    }
  }

  /** Scores the batch, runs every subnet on it, records the PSNRs and empties the batch. */
  private static void measure(
      Supernet net, NDManager manager, List<PatchPair> batch, Measurements m) {
    int n = batch.size();
    m.ensure(n);
    Rgb8Image lr0 = batch.get(0).lr();
    int h = lr0.height();
    int w = lr0.width();
    int plane = 3 * h * w;
    float[] input = new float[n * plane];
    for (int b = 0; b < n; b++) {
      Rgb8Image lr = batch.get(b).lr();
      m.scores[m.size + b] = EdgeScore.of(lr);
      System.arraycopy(PlanarImage.fromRgb8(lr).data(), 0, input, b * plane, plane);
    }
    int srH = Backbone.SCALE * h;
    int srW = Backbone.SCALE * w;
    int srPlane = 3 * srH * srW;
    for (int j = 0; j < m.psnr.length; j++) {
      float[] sr;
      try (NDManager batchManager = manager.newSubManager()) {
        NDArray x = batchManager.create(input, new Shape(n, 3, h, w)); // (N, 3, h, w)
        NDArray y = net.forward(x, j); // (N, 3, 4h, 4w), unclamped
        long[] shape = y.getShape().getShape();
        if (shape.length != 4 || shape[0] != n || shape[2] != srH || shape[3] != srW) {
          throw new IllegalStateException(
              "subnet " + j + " returned " + y.getShape() + " for input " + x.getShape());
        }
        sr = y.toFloatArray();
      }
      for (int b = 0; b < n; b++) {
        // tensor2img (clamp, x255, round half to even) and the PSNR on those uint8 values.
        float[] rounded = new float[srPlane];
        for (int k = 0; k < srPlane; k++) {
          rounded[k] = PlanarImage.toByte(sr[b * srPlane + k]);
        }
        m.psnr[j][m.size + b] =
            ImageMetrics.psnr(
                new PlanarImage(3, srH, srW, rounded), batch.get(b).hr(), SrBenchmark.PSNR_BORDER);
      }
    }
    m.size += n;
    batch.clear();
  }

  private static boolean sameSize(PatchPair a, PatchPair b) {
    return a.lr().width() == b.lr().width() && a.lr().height() == b.lr().height();
  }
}

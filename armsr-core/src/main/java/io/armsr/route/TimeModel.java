package io.armsr.route;

import java.util.Objects;

/**
 * The predicted wall time of upscaling one image with a given routing, batch-aware: a run is a
 * fixed cost, a cost per patch whatever its subnet (scoring and LUT prediction), and, for every
 * forward pass the engine runs ({@link Batching}), a fixed cost of its subnet plus a cost per patch
 * in it (the network, patch extraction and stitching):
 *
 * <pre>
 *   ms = imageMs + patches * patchMs + sum_j (n_j * batchPatchMs[j] + b_j * batchMs[j])
 * </pre>
 *
 * where {@code n_j} patches run on subnet {@code j} in {@code b_j} batches. A routing that mixes
 * subnets runs more, partly empty, batches than one that does not, which a cost per patch alone
 * cannot see. The coefficients are fitted by {@code armsr calibrate}.
 *
 * @param path the engine path the coefficients were measured on
 * @param batchSize the largest batch they were measured with
 * @param imageMs fixed milliseconds per image
 * @param patchMs milliseconds per patch, any subnet: scoring, LUT prediction and a time budget's
 *     own routing
 * @param batchPatchMs milliseconds per patch inside a batch of each subnet (bicubic first)
 * @param batchMs fixed milliseconds per batch of each subnet
 */
public record TimeModel(
    Batching.Path path,
    int batchSize,
    double imageMs,
    double patchMs,
    double[] batchPatchMs,
    double[] batchMs) {

  public TimeModel {
    Objects.requireNonNull(path, "path");
    if (batchSize < 1) {
      throw new IllegalArgumentException("batch size must be positive, got " + batchSize);
    }
    if (batchPatchMs.length == 0 || batchPatchMs.length != batchMs.length) {
      throw new IllegalArgumentException(
          "one time per patch and one per batch of every subnet, got "
              + batchPatchMs.length
              + " and "
              + batchMs.length);
    }
    check(imageMs);
    check(patchMs);
    batchPatchMs = batchPatchMs.clone();
    batchMs = batchMs.clone();
    for (int j = 0; j < batchMs.length; j++) {
      check(batchPatchMs[j]);
      check(batchMs[j]);
    }
  }

  private static void check(double ms) {
    if (!(ms >= 0) || Double.isInfinite(ms)) {
      throw new IllegalArgumentException("time " + ms + " ms is not a non-negative time");
    }
  }

  /**
   * A model with a time per patch of every subnet and nothing else (the version-1 device profile):
   * no fixed costs, so the predicted time of a routing is the sum over its patches.
   */
  public static TimeModel perPatch(Batching.Path path, int batchSize, double[] msPerPatch) {
    return new TimeModel(path, batchSize, 0, 0, msPerPatch, new double[msPerPatch.length]);
  }

  @Override
  public double[] batchPatchMs() {
    return batchPatchMs.clone();
  }

  @Override
  public double[] batchMs() {
    return batchMs.clone();
  }

  public int subnets() {
    return batchMs.length;
  }

  /** The batching these coefficients were measured with, over a grid of {@code cols} columns. */
  public Batching batching(int cols) {
    return Batching.of(path, cols, batchSize);
  }

  /** The part of every routing's time that does not depend on the routing. */
  public double fixedMs(int patches) {
    return imageMs + patches * patchMs;
  }

  /**
   * Milliseconds per patch of every subnet as a knapsack cost: its time in a batch plus its batch's
   * fixed cost shared by a full batch. Exact when every batch is full, an underestimate otherwise.
   */
  public double[] amortisedMsPerPatch() {
    double[] out = new double[batchMs.length];
    for (int j = 0; j < out.length; j++) {
      out[j] = batchPatchMs[j] + batchMs[j] / batchSize;
    }
    return out;
  }

  /**
   * Predicted milliseconds of upscaling an image routed {@code subnets}, run by {@code batching}.
   */
  public double predictedMs(int[] subnets, Batching batching) {
    int[] batches = batching.batchesPerSubnet(subnets, subnets());
    double ms = fixedMs(subnets.length);
    for (int s : subnets) {
      ms += batchPatchMs[s];
    }
    for (int j = 0; j < batches.length; j++) {
      ms += batches[j] * batchMs[j];
    }
    return ms;
  }

  /** Predicted milliseconds of routing all {@code patches} patches to {@code subnet}. */
  public double uniformMs(int patches, int subnet, Batching batching) {
    return predictedMs(BudgetRouter.uniform(patches, subnet), batching);
  }

  /**
   * The subnet whose uniform routing of {@code patches} patches is predicted fastest (usually the
   * bicubic branch): the floor of any time budget; the first on ties.
   */
  public int fastestUniform(int patches, Batching batching) {
    int fastest = 0;
    for (int j = 1; j < subnets(); j++) {
      if (uniformMs(patches, j, batching) < uniformMs(patches, fastest, batching)) {
        fastest = j;
      }
    }
    return fastest;
  }
}

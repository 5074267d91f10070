package io.armsr.route;

/**
 * What an engine has measured against a {@link TimeModel}: the ratio of measured to predicted wall
 * time of its upscales under a time budget ({@link RoutingMode.TimeBudget}), smoothed over the
 * recent ones. A calibration is a snapshot of a machine that other work shares; when the machine
 * runs steadily faster or slower than the model says, the next budgets are routed for the time the
 * machine takes now: a budget of T ms routes for a predicted {@code T / ratio}.
 *
 * <p>Tracks one model at a time (the one last used; a different model starts again from 1).
 * Thread-safe.
 */
public final class LatencyFeedback {
  /** Weight of the newest ratio in the running average (exponential smoothing). */
  public static final double WEIGHT = 0.1;

  /** The correction is kept within [1/2, 2]: beyond that the model, not the load, is wrong. */
  static final double LIMIT = 2;

  private TimeModel model;
  private double ratio = 1;

  /** Measured over predicted time for {@code model} so far; 1 before anything was measured. */
  public synchronized double ratio(TimeModel model) {
    return model == this.model ? ratio : 1;
  }

  /**
   * Records one upscale routed by a budget on {@code model}: its predicted and its measured
   * milliseconds. Ignored unless both are positive and finite.
   */
  public synchronized void record(TimeModel model, double predictedMs, double measuredMs) {
    if (!(predictedMs > 0 && measuredMs > 0)
        || Double.isInfinite(predictedMs)
        || Double.isInfinite(measuredMs)) {
      return;
    }
    if (model != this.model) {
      this.model = model;
      ratio = 1;
    }
    double r = Math.min(LIMIT, Math.max(1 / LIMIT, measuredMs / predictedMs));
    ratio += WEIGHT * (r - ratio);
  }
}

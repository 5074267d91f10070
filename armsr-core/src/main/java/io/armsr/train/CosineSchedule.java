package io.armsr.train;

/**
 * The official learning-rate schedule (ARM.md 2.3): {@code CosineAnnealingLR_Restart} with one
 * period of T iterations and no restart inside the run, which reduces to
 *
 * <pre>lr(t) = etaMin + (lr0 - etaMin) * (1 + cos(pi * t / T)) / 2</pre>
 *
 * The official loop steps the scheduler after the optimizer, so iteration i (1-based) trains with
 * {@code lr(i - 1)}: the first iteration uses lr0 exactly.
 *
 * @param lr0 initial learning rate, positive
 * @param etaMin floor reached at t = T, 0 <= etaMin <= lr0
 * @param total T, the schedule's period in iterations, positive
 */
public record CosineSchedule(double lr0, double etaMin, long total) {
  /** The official floor {@code eta_min} (ARM.md 2.3). */
  public static final double ETA_MIN = 1e-7;

  public CosineSchedule {
    if (!(lr0 > 0) || Double.isInfinite(lr0)) {
      throw new IllegalArgumentException("learning rate must be positive and finite: " + lr0);
    }
    if (!(etaMin >= 0) || etaMin > lr0) {
      throw new IllegalArgumentException("eta_min must be in [0, lr0]: " + etaMin);
    }
    if (total <= 0) {
      throw new IllegalArgumentException("schedule length must be positive: " + total);
    }
  }

  /** The learning rate at schedule position {@code t} (0 <= t <= T). */
  public double at(long t) {
    if (t < 0 || t > total) {
      throw new IllegalArgumentException("t must be in 0.." + total + ": " + t);
    }
    return etaMin + (lr0 - etaMin) * (1 + Math.cos(Math.PI * t / total)) / 2;
  }

  /** The learning rate used by 1-based iteration {@code i}: {@code at(i - 1)}. */
  public double forIteration(long i) {
    return at(i - 1);
  }
}

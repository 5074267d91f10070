package io.armsr.server;

import java.util.Locale;
import java.util.PriorityQueue;

/**
 * The admission and SLO rules of the service, as plain arithmetic (no threads, no clock), so that
 * each rule has its own test. {@link Admission} applies them to the live queue.
 *
 * <p>ARM serves any compute budget with one model, so under load the service trades quality for
 * latency, as ARM trades it for FLOPs, instead of letting a queue grow. With an SLO of {@code T} ms
 * ({@code --slo-ms}):
 *
 * <ol>
 *   <li><b>Refused at once, never queued past the SLO.</b> An arriving request's wait for a worker
 *       is predicted ({@link #predictedWaitMs}) from when the running upscales are predicted to end
 *       and from the least time each request queued ahead of it can take (its {@code floor}: the
 *       bicubic routing's predicted time plus decoding and encoding). When that wait plus its own
 *       floor is over the time it has left ({@link #TARGET} of the SLO less what it has spent),
 *       even the bicubic branch cannot meet the SLO: it is refused at once with 503 {@code
 *       slo_unreachable} and {@code Retry-After}. So is a request that finds the queue full (503
 *       {@code overloaded}). A request admitted waits at most until its own floor no longer fits,
 *       then is refused (503 {@code deadline_exceeded}).
 *   <li><b>Each request's time budget.</b> Once a worker is free and its image decoded, a request
 *       of the {@code auto} routing is routed by the time-budget knapsack ({@link
 *       io.armsr.route.RoutingMode.TimeBudget}) on this machine's fitted time model, for a budget
 *       of {@link #TARGET} of the SLO less the time already spent (waiting, reading, decoding) less
 *       the predicted encoding time, and no more than an equal share of what the requests queued
 *       behind it have left, and of what one arriving now would have ({@link #budgetMs}): an
 *       upscale that took all its own slack would push every later one down to bicubic, or out; and
 *       no longer than keeps the workers {@link #UTILISATION} busy at the rate requests arrive
 *       ({@link #rateCapMs}), so that the queue stays short and requests that a cheaper routing can
 *       serve are not refused. When the service is idle a request gets the best routing that fits
 *       half the SLO; as load rises, cheaper routings, down to the bicubic branch.
 *   <li><b>Named routings.</b> A request that names its own routing ({@code k}, {@code budget},
 *       {@code subnet}, ...) gets it, but with an SLO it is admitted, waits and is refused by the
 *       same rules as any other.
 * </ol>
 *
 * Without an SLO a request waits at most {@code queueTimeoutMs} for a worker, behind at most {@code
 * maxQueue} others.
 *
 * @param workers upscales at once
 * @param maxQueue requests that may wait for a worker
 * @param queueTimeoutMs the longest wait of a request without a deadline
 */
public record SloPolicy(int workers, int maxQueue, double queueTimeoutMs) {

  /**
   * The share of its SLO a request's routing aims at: the rest absorbs what the time model cannot
   * see (the machine's other work, garbage collection, the response's transfer).
   */
  public static final double TARGET = 0.9;

  public SloPolicy {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be positive, got " + workers);
    }
    if (maxQueue < 0) {
      throw new IllegalArgumentException("maxQueue must be >= 0, got " + maxQueue);
    }
    if (!(queueTimeoutMs > 0)) {
      throw new IllegalArgumentException("queueTimeoutMs must be positive, got " + queueTimeoutMs);
    }
  }

  /** What to do with an arriving request. */
  public sealed interface Decision {}

  /** Let it wait for a worker, at most {@code maxWaitMs}. */
  public record Admit(double maxWaitMs) implements Decision {}

  /** Refuse it now, with the HTTP error to answer. */
  public record Reject(ApiError error) implements Decision {}

  /**
   * Decides on a request arriving now.
   *
   * @param running requests holding a worker
   * @param queued requests waiting for one
   * @param waitMs the predicted wait for a worker ({@link #predictedWaitMs})
   * @param floorMs the least time the request takes once it has a worker (the bicubic routing,
   *     decoding and encoding)
   * @param leftMs the time the request has left (its SLO or deadline less what it has spent), or
   *     null for none
   * @param slo whether that time is the server's SLO: then a request that cannot get even the
   *     bicubic image in time is refused even with a worker free; a deadline of the request's own
   *     ({@code deadline-ms}) with a worker free gets the bicubic image as fast as it can be made
   */
  public Decision admit(
      int running, int queued, double waitMs, double floorMs, Double leftMs, boolean slo) {
    boolean busy = running >= workers;
    if (busy && queued >= maxQueue) {
      return new Reject(
          new ApiError(
              503,
              ApiError.OVERLOADED,
              "the server is busy: "
                  + running
                  + " upscales running and "
                  + queued
                  + " waiting, the most it queues; try again later",
              retryAfterSeconds(waitMs)));
    }
    if (leftMs != null && (busy || slo) && waitMs + floorMs > leftMs) {
      return new Reject(
          new ApiError(
              503,
              ApiError.SLO_UNREACHABLE,
              String.format(
                  Locale.ROOT,
                  "not even the bicubic image can be served in time: %.0f ms are left, a worker"
                      + " is predicted free in %.0f ms and the image then takes at least %.0f ms;"
                      + " try again later",
                  leftMs,
                  waitMs,
                  floorMs),
              retryAfterSeconds(waitMs)));
    }
    return new Admit(leftMs != null ? Math.max(0, leftMs - floorMs) : queueTimeoutMs);
  }

  /**
   * When a worker is predicted to come free for a request arriving now: the running upscales end at
   * their predicted times ({@code runningLeftMs}, ms from now, one per busy worker; the other
   * workers are free now), and each request queued ahead of it ({@code queuedFloorMs}, in order)
   * takes the next worker to come free for at least its floor.
   */
  public double predictedWaitMs(double[] runningLeftMs, double[] queuedFloorMs) {
    PriorityQueue<Double> free = new PriorityQueue<>();
    for (int i = 0; i < workers; i++) {
      free.add(i < runningLeftMs.length ? Math.max(0, runningLeftMs[i]) : 0.0);
    }
    for (double floor : queuedFloorMs) {
      free.add(free.poll() + floor);
    }
    return free.poll();
  }

  /**
   * The time budget of a request starting now: what it has left less its {@code overheadMs} (the
   * predicted encoding and the like), and at most an equal share for every request queued behind
   * it: the {@code i}-th of them (1-based) starts after {@code ceil(i / workers)} upscales of every
   * worker, so if each took {@code s} ms plus its overhead it would end after {@code (ceil(i /
   * workers) + 1) (s + overheadMs)}, which must fit in what it has left ({@code
   * queuedLeftMs[i-1]}). Never negative (0: the bicubic routing).
   */
  public double budgetMs(double leftMs, double overheadMs, double[] queuedLeftMs) {
    double budget = leftMs - overheadMs;
    for (int i = 1; i <= queuedLeftMs.length; i++) {
      int rounds = (i + workers - 1) / workers + 1;
      budget = Math.min(budget, queuedLeftMs[i - 1] / rounds - overheadMs);
    }
    return Math.max(0, budget);
  }

  /**
   * The share of the time the workers may be busy at the arrival rate measured: a budget that kept
   * them busier would let the queue grow until the SLO refuses requests that a cheaper routing
   * could have served.
   */
  public static final double UTILISATION = 0.9;

  /**
   * The longest upscale that keeps the workers at most {@link #UTILISATION} busy when requests
   * arrive at {@code perSecond} and each also takes {@code overheadMs} outside its upscale
   * (decoding, encoding): {@code workers * UTILISATION / rate - overhead}; unbounded while no rate
   * is known (0).
   */
  public double rateCapMs(double perSecond, double overheadMs) {
    if (!(perSecond > 0)) {
      return Double.POSITIVE_INFINITY;
    }
    return Math.max(0, workers * UTILISATION * 1000 / perSecond - overheadMs);
  }

  /** {@code Retry-After} for a predicted wait: whole seconds, at least 1. */
  static int retryAfterSeconds(double waitMs) {
    return (int) Math.max(1, Math.min(3600, Math.ceil(waitMs / 1000)));
  }
}

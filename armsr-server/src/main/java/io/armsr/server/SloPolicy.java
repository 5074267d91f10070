package io.armsr.server;

/**
 * The admission and SLO rules of the service, as plain arithmetic (no threads, no clock), so that
 * each rule has its own test.
 *
 * <p>ARM is an any-time method: a request with a deadline always gets a complete image, the bicubic
 * one at worst, with as many patches upgraded towards its routing as the time left allows ({@link
 * io.armsr.infer.ProgressiveUpscaler}). So under load the service degrades quality, not latency:
 * what a request waits for an engine slot comes out of its own upscale's time. The rules:
 *
 * <ol>
 *   <li><b>Bounded queue.</b> With every slot busy and {@code maxQueue} requests already waiting, a
 *       request is refused at once (503 {@code overloaded}, with {@code Retry-After}): waiting
 *       longer would only make every later response late too.
 *   <li><b>No hopeless waits.</b> When every slot is busy, a request whose deadline would pass
 *       before a slot is predicted to come free (from the recent mean time a request holds a slot)
 *       plus the least it then takes (the recent mean time of decoding and encoding, the {@code
 *       floor}) is refused at once (503 {@code deadline_exceeded}) instead of timing out in the
 *       queue. With a slot free a request is always admitted: even a deadline of 0 gets the bicubic
 *       image, as fast as it can be made.
 *   <li><b>Bounded waits.</b> A request waits at most until its deadline less the floor (or the
 *       server's queue timeout when it has none), then is refused (503 {@code deadline_exceeded}).
 *   <li><b>Time left.</b> Once running, the any-time upscale gets the deadline less the time
 *       already spent (queueing, reading the body, decoding) and less the recent time of encoding a
 *       response ({@link #upscaleBudgetMs}); at 0 the answer is the bicubic image.
 * </ol>
 *
 * @param concurrency engine slots (upscales at once)
 * @param maxQueue requests that may wait for a slot
 * @param queueTimeoutMs the longest wait of a request without a deadline
 */
public record SloPolicy(int concurrency, int maxQueue, double queueTimeoutMs) {

  public SloPolicy {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency must be positive, got " + concurrency);
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

  /** Let it wait for a slot, at most {@code maxWaitMs}. */
  public record Admit(double maxWaitMs) implements Decision {}

  /** Refuse it now, with the HTTP error to answer. */
  public record Reject(ApiError error) implements Decision {}

  /**
   * Decides on a request arriving now.
   *
   * @param running requests holding a slot
   * @param queued requests waiting for one
   * @param serviceMs the recent mean time a request holds a slot (0 while nothing has run)
   * @param floorMs the recent mean time of the work a request does even at a deadline of 0
   *     (decoding and encoding)
   * @param deadlineMs the time the request has left, or null for none
   */
  public Decision admit(
      int running, int queued, double serviceMs, double floorMs, Double deadlineMs) {
    boolean busy = running >= concurrency;
    double predictedWait = predictedWaitMs(running, queued, serviceMs);
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
              retryAfterSeconds(predictedWait)));
    }
    if (busy && deadlineMs != null && predictedWait + floorMs > deadlineMs) {
      return new Reject(
          new ApiError(
              503,
              ApiError.DEADLINE,
              String.format(
                  java.util.Locale.ROOT,
                  "the deadline would pass in the queue: %.0f ms are left, a slot is predicted"
                      + " free in %.0f ms and the image then takes at least %.0f ms; try again"
                      + " later or allow more time",
                  deadlineMs,
                  predictedWait,
                  floorMs),
              retryAfterSeconds(predictedWait)));
    }
    return new Admit(deadlineMs != null ? Math.max(0, deadlineMs - floorMs) : queueTimeoutMs);
  }

  /**
   * When a slot is predicted to come free for a request arriving now: 0 while one is free; else the
   * requests ahead of it ({@code queued}, and itself) served {@code concurrency} at a time, each
   * taking {@code serviceMs}.
   */
  public double predictedWaitMs(int running, int queued, double serviceMs) {
    if (running < concurrency) {
      return 0;
    }
    return serviceMs * (queued + 1) / concurrency;
  }

  /**
   * The time the any-time upscale of a running request may take: its deadline less what it has
   * spent and less the predicted encoding time, never negative (0: bicubic only).
   */
  public static double upscaleBudgetMs(double deadlineMs, double spentMs, double encodeMs) {
    return Math.max(0, deadlineMs - spentMs - encodeMs);
  }

  /** {@code Retry-After} for a predicted wait: whole seconds, at least 1. */
  static int retryAfterSeconds(double waitMs) {
    return (int) Math.max(1, Math.min(3600, Math.ceil(waitMs / 1000)));
  }
}

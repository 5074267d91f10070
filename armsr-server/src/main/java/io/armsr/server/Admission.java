package io.armsr.server;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import java.util.stream.DoubleStream;

/**
 * The workers and the queue in front of them, as {@link SloPolicy} rules them: every upscale runs
 * holding a {@link Permit}, of which there are {@code workers}; the others wait in arrival order
 * (first come, first served: with one SLO for all, also earliest deadline first), each at most as
 * long as the policy allows.
 *
 * <p>It also keeps what the policy predicts with: when each running upscale is expected to end
 * ({@link Permit#expectEnd}), and the recent means (exponential, weight {@value #EWMA_WEIGHT} for
 * the newest) of the time a request holds a worker and of decoding and encoding per pixel, which
 * with the bicubic routing's predicted time make a request's floor.
 */
public final class Admission {
  static final double EWMA_WEIGHT = 0.2;

  private final SloPolicy policy;
  private final List<Permit> running = new ArrayList<>();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>();

  /** Arrivals the rate is measured over. */
  static final int RATE_WINDOW = 32;

  private final long[] arrivals = new long[RATE_WINDOW];
  private long arrived;
  private double serviceMs;
  private double encodeMsPerPixel;
  private double decodeMsPerPixel;

  public Admission(SloPolicy policy) {
    this.policy = policy;
  }

  public SloPolicy policy() {
    return policy;
  }

  /** A request waiting for a worker: when its time runs out, and the least it will take. */
  private record Waiter(long deadlineNanos, double floorMs) {}

  /** A held worker; closing it gives it back and records how long it was held. */
  public final class Permit implements AutoCloseable {
    private final long acquired = System.nanoTime();
    private final double waitedMs;
    private long expectedEnd;
    private boolean closed;

    private Permit(double waitedMs, double expectedMs) {
      this.waitedMs = waitedMs;
      this.expectedEnd = acquired + (long) (expectedMs * 1e6);
    }

    /** How long the request waited for the worker. */
    public double waitedMs() {
      return waitedMs;
    }

    /** Tells the queue when this upscale is now expected to give the worker back. */
    public void expectEnd(double msFromNow) {
      synchronized (Admission.this) {
        expectedEnd = System.nanoTime() + (long) (Math.max(0, msFromNow) * 1e6);
      }
    }

    /**
     * The time budget of this request starting now with {@code leftMs} left ({@link
     * SloPolicy#budgetMs}), against the requests queued behind it at this moment and one more that
     * arrives now with {@code nextLeftMs} (the SLO), so that a request arriving while this one runs
     * is not left less than its own floor; {@code nextLeftMs} 0 for none.
     */
    public double budgetMs(double leftMs, double overheadMs, double nextLeftMs) {
      synchronized (Admission.this) {
        long now = System.nanoTime();
        DoubleStream queued =
            queue.stream()
                .filter(w -> w.deadlineNanos() != Long.MAX_VALUE)
                .mapToDouble(w -> (w.deadlineNanos() - now) / 1e6);
        double[] behind =
            (nextLeftMs > 0 ? DoubleStream.concat(queued, DoubleStream.of(nextLeftMs)) : queued)
                .toArray();
        return policy.budgetMs(leftMs, overheadMs, behind);
      }
    }

    @Override
    public void close() {
      synchronized (Admission.this) {
        if (closed) {
          return;
        }
        closed = true;
        running.remove(this);
        serviceMs = mean(serviceMs, (System.nanoTime() - acquired) / 1e6);
        Admission.this.notifyAll();
      }
    }
  }

  /**
   * Waits for a worker, as the policy allows.
   *
   * @param leftMs the time the request has left, or null for none
   * @param slo whether that is the server's SLO ({@link SloPolicy#admit})
   * @param floor the least time the request takes once it has a worker (its image decoded, the
   *     bicubic routing, its response encoded), predicted
   * @throws ApiError 503 when refused at once or when the wait allowed ran out
   * @throws InterruptedException if the waiting thread is interrupted (the server stops)
   */
  public synchronized Permit enter(Double leftMs, boolean slo, double floor)
      throws InterruptedException {
    long t0 = System.nanoTime();
    arrivals[(int) (arrived++ % RATE_WINDOW)] = t0;
    double[] runningLeft =
        running.stream()
            .mapToDouble(p -> (p.expectedEnd - t0) / 1e6)
            .limit(policy.workers())
            .toArray();
    double[] ahead = queue.stream().mapToDouble(Waiter::floorMs).toArray();
    double predicted = policy.predictedWaitMs(runningLeft, ahead);
    SloPolicy.Decision d =
        policy.admit(running.size(), queue.size(), predicted, floor, leftMs, slo);
    if (d instanceof SloPolicy.Reject r) {
      throw r.error();
    }
    double maxWait = ((SloPolicy.Admit) d).maxWaitMs();
    Waiter w = new Waiter(leftMs == null ? Long.MAX_VALUE : t0 + (long) (leftMs * 1e6), floor);
    queue.addLast(w);
    long until = t0 + (long) (maxWait * 1e6);
    try {
      while (queue.peekFirst() != w || running.size() >= policy.workers()) {
        long rest = until - System.nanoTime();
        if (rest <= 0) {
          queue.remove(w);
          notifyAll();
          double waited = (System.nanoTime() - t0) / 1e6;
          throw new ApiError(
              503,
              ApiError.DEADLINE,
              String.format(
                  Locale.ROOT,
                  "no worker came free within %s (waited %.0f ms); try again later",
                  leftMs != null ? "the time the request had" : "the server's queue timeout",
                  waited),
              SloPolicy.retryAfterSeconds(serviceMs));
        }
        TimeUnit.NANOSECONDS.timedWait(this, rest);
      }
    } catch (InterruptedException e) {
      queue.remove(w);
      notifyAll();
      throw e;
    }
    queue.removeFirst();
    Permit p = new Permit((System.nanoTime() - t0) / 1e6, Math.max(serviceMs, floor));
    running.add(p);
    notifyAll();
    return p;
  }

  /** {@link #enter(Double, boolean, double)} for a deadline of the request's own, or none. */
  public Permit enter(Double leftMs) throws InterruptedException {
    return enter(leftMs, false, 0);
  }

  /** Records the time a response of {@code pixels} pixels took to encode. */
  public synchronized void recordEncodeMs(double ms, long pixels) {
    encodeMsPerPixel = mean(encodeMsPerPixel, ms / Math.max(1, pixels));
  }

  /** Records the time an image of {@code pixels} pixels took to decode. */
  public synchronized void recordDecodeMs(double ms, long pixels) {
    decodeMsPerPixel = mean(decodeMsPerPixel, ms / Math.max(1, pixels));
  }

  /** The predicted time of decoding an image of {@code pixels} pixels (0 before the first). */
  public synchronized double decodeMs(long pixels) {
    return decodeMsPerPixel * pixels;
  }

  /** The predicted time of encoding a response of {@code pixels} pixels (0 before the first). */
  public synchronized double encodeMs(long pixels) {
    return encodeMsPerPixel * pixels;
  }

  /**
   * Requests arriving per second, over the last {@value #RATE_WINDOW} arrivals (refused ones
   * included) up to now; 0 before the second.
   */
  public synchronized double arrivalRate() {
    if (arrived < 2) {
      return 0;
    }
    int n = (int) Math.min(arrived, RATE_WINDOW);
    long oldest = arrivals[(int) ((arrived - n) % RATE_WINDOW)];
    double seconds = (System.nanoTime() - oldest) / 1e9;
    return seconds > 0 ? (n - 1) / seconds : 0;
  }

  public synchronized int running() {
    return running.size();
  }

  public synchronized int queued() {
    return queue.size();
  }

  /** The recent mean time a request holds a worker, ms (0 before the first). */
  public synchronized double serviceMs() {
    return serviceMs;
  }

  private static double mean(double old, double sample) {
    return old == 0 ? sample : (1 - EWMA_WEIGHT) * old + EWMA_WEIGHT * sample;
  }
}

package io.armsr.server;

import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * The engine slots and the queue in front of them: every upscale runs holding a {@link Permit}, of
 * which there are {@code concurrency}; {@link SloPolicy} decides whether an arriving request waits
 * or is refused. Slots are handed out in arrival order (a fair semaphore).
 *
 * <p>It also keeps the recent means the policy predicts with: the time a request holds a slot, and
 * the times its image takes to decode and its response to encode (exponential moving averages,
 * weight {@value #EWMA_WEIGHT} for the newest).
 */
public final class Admission {
  static final double EWMA_WEIGHT = 0.2;

  private final SloPolicy policy;
  private final Semaphore slots;
  private int running;
  private int queued;
  private double serviceMs;
  private double encodeMs;
  private double decodeMs;

  public Admission(SloPolicy policy) {
    this.policy = policy;
    this.slots = new Semaphore(policy.concurrency(), true);
  }

  public SloPolicy policy() {
    return policy;
  }

  /** A held engine slot; closing it gives it back and records how long it was held. */
  public final class Permit implements AutoCloseable {
    private final long acquired = System.nanoTime();
    private final double waitedMs;
    private boolean closed;

    private Permit(double waitedMs) {
      this.waitedMs = waitedMs;
    }

    /** How long the request waited for the slot. */
    public double waitedMs() {
      return waitedMs;
    }

    @Override
    public void close() {
      synchronized (Admission.this) {
        if (closed) {
          return;
        }
        closed = true;
        running--;
        serviceMs = mean(serviceMs, (System.nanoTime() - acquired) / 1e6);
      }
      slots.release();
    }
  }

  /**
   * Waits for a slot, as the policy allows.
   *
   * @param deadlineMs the time the request has left, or null for none
   * @throws ApiError 503 when refused at once or when the wait allowed ran out
   * @throws InterruptedException if the waiting thread is interrupted (the server stops)
   */
  public Permit enter(Double deadlineMs) throws InterruptedException {
    long t0 = System.nanoTime();
    double maxWait;
    synchronized (this) {
      SloPolicy.Decision d =
          policy.admit(running, queued, serviceMs, decodeMs + encodeMs, deadlineMs);
      if (d instanceof SloPolicy.Reject r) {
        throw r.error();
      }
      maxWait = ((SloPolicy.Admit) d).maxWaitMs();
      queued++;
    }
    boolean got = false;
    try {
      got = slots.tryAcquire((long) Math.ceil(maxWait * 1e3), TimeUnit.MICROSECONDS);
    } finally {
      synchronized (this) {
        queued--;
        if (got) {
          running++;
        }
      }
    }
    double waited = (System.nanoTime() - t0) / 1e6;
    if (!got) {
      throw new ApiError(
          503,
          ApiError.DEADLINE,
          String.format(
              java.util.Locale.ROOT,
              "no engine slot came free within %s (waited %.0f ms); try again later",
              deadlineMs != null ? "the request's deadline" : "the server's queue timeout",
              waited),
          SloPolicy.retryAfterSeconds(serviceMs));
    }
    return new Permit(waited);
  }

  /** Records the time one response took to encode. */
  public synchronized void recordEncodeMs(double ms) {
    encodeMs = mean(encodeMs, ms);
  }

  /** Records the time one image took to decode. */
  public synchronized void recordDecodeMs(double ms) {
    decodeMs = mean(decodeMs, ms);
  }

  public synchronized int running() {
    return running;
  }

  public synchronized int queued() {
    return queued;
  }

  /** The recent mean time a request holds a slot, ms (0 before the first). */
  public synchronized double serviceMs() {
    return serviceMs;
  }

  /** The recent mean time of encoding a response, ms (0 before the first). */
  public synchronized double encodeMs() {
    return encodeMs;
  }

  private static double mean(double old, double sample) {
    return old == 0 ? sample : (1 - EWMA_WEIGHT) * old + EWMA_WEIGHT * sample;
  }
}

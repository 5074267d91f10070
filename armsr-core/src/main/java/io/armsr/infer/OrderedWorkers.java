package io.armsr.infer;

import io.armsr.model.EngineThreads;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Future;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiConsumer;
import java.util.function.Function;

/**
 * Runs work items on worker threads and hands the results back on the calling thread in plan order
 * so that both cores stay busy: the batches of an image ({@link BatchRunner}), or the images of a
 * folder ({@link FolderJob}).
 *
 * <p>For batches, the workers compute (patch extraction, the forward pass, copying the SR patches
 * out); the caller consumes (stitching) while the next batches run. Because results are consumed
 * strictly in plan order, the float sums of the overlap averaging happen in the same order as with
 * one worker, so the image is bit-identical for any worker count. At most {@code 2 x workers} items
 * are in flight, which bounds the memory held by results waiting to be consumed.
 *
 * <p>With one worker everything runs on the calling thread, with whatever libtorch threads it has.
 * Several workers are daemon threads (ending after 30 s idle) that each run libtorch with one
 * intra-op thread ({@link EngineThreads}; docs/ENGINE.md: libtorch's spinning threads and Java
 * threads on the same cores slow each other down many times over).
 */
public final class OrderedWorkers {
  private static final AtomicInteger POOLS = new AtomicInteger();

  private final int workers;
  private final ThreadPoolExecutor pool;

  /**
   * @param workers threads running batches; 1 runs them on the caller
   */
  public OrderedWorkers(int workers) {
    if (workers < 1) {
      throw new IllegalArgumentException("workers must be positive, got " + workers);
    }
    this.workers = workers;
    if (workers == 1) {
      this.pool = null;
    } else {
      int id = POOLS.incrementAndGet();
      AtomicInteger n = new AtomicInteger();
      ThreadFactory factory =
          r -> {
            Runnable withOneThread =
                () -> {
                  EngineThreads.set(1);
                  r.run();
                };
            Thread t = new Thread(withOneThread, "armsr-batch-" + id + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
          };
      this.pool =
          new ThreadPoolExecutor(
              workers, workers, 30, TimeUnit.SECONDS, new LinkedBlockingQueue<>(), factory);
      this.pool.allowCoreThreadTimeOut(true);
    }
  }

  int workers() {
    return workers;
  }

  /**
   * Computes every item with {@code compute} (on the workers) and passes each result to {@code
   * consume} (on the calling thread), in the order of {@code plan}.
   *
   * @throws RuntimeException whatever {@code compute} or {@code consume} threw; batches not yet
   *     started are cancelled
   */
  public <B, R> void run(List<B> plan, Function<B, R> compute, BiConsumer<B, R> consume) {
    if (pool == null || plan.size() < 2) {
      for (B b : plan) {
        consume.accept(b, compute.apply(b));
      }
      return;
    }
    int ahead = 2 * workers;
    Deque<Future<R>> inFlight = new ArrayDeque<>();
    int next = 0;
    try {
      for (int i = 0; i < plan.size(); i++) {
        while (next < plan.size() && next < i + ahead) {
          B b = plan.get(next++);
          inFlight.addLast(pool.submit(() -> compute.apply(b)));
        }
        consume.accept(plan.get(i), await(inFlight.removeFirst()));
      }
    } finally {
      // After a failure: drop what has not started and let running batches finish, so none of
      // them still uses the model when the caller goes on (or closes it).
      for (Future<R> f : inFlight) {
        f.cancel(false);
      }
      for (Future<R> f : inFlight) {
        try {
          if (!f.isCancelled()) {
            f.get();
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        } catch (ExecutionException | CancellationException e) {
          // the first failure is the one being reported
        }
      }
    }
  }

  private static <R> R await(Future<R> f) {
    try {
      return f.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancellationException("interrupted while waiting for a batch");
    } catch (ExecutionException e) {
      Throwable cause = e.getCause();
      if (cause instanceof RuntimeException r) {
        throw r;
      }
      if (cause instanceof Error err) {
        throw err;
      }
      throw new IllegalStateException(cause);
    }
  }
}

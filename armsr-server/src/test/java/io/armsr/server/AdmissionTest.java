package io.armsr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** The slots and the queue, with real threads: waits, refusals and the order of hand-over. */
@Timeout(value = 30, unit = TimeUnit.SECONDS)
class AdmissionTest {

  private static void awaitQueued(Admission a, int n) throws InterruptedException {
    for (int i = 0; i < 2000 && a.queued() != n; i++) {
      Thread.sleep(5);
    }
    assertEquals(n, a.queued());
  }

  @Test
  void aWaitingRequestGetsTheSlotWhenItIsGivenBack() throws Exception {
    Admission a = new Admission(new SloPolicy(1, 1, 30_000));
    Admission.Permit held = a.enter(null);
    assertEquals(1, a.running());
    CompletableFuture<Admission.Permit> waiting =
        CompletableFuture.supplyAsync(
            () -> {
              try {
                return a.enter(null);
              } catch (InterruptedException e) {
                throw new IllegalStateException(e);
              }
            });
    awaitQueued(a, 1);
    // The queue (1) is full: a third is refused at once.
    ApiError e = assertThrows(ApiError.class, () -> a.enter(null));
    assertEquals(ApiError.OVERLOADED, e.code());
    Thread.sleep(50);
    held.close();
    held.close(); // closing twice gives back one slot
    Admission.Permit next = waiting.get(10, TimeUnit.SECONDS);
    assertTrue(next.waitedMs() >= 40, "waited " + next.waitedMs());
    assertEquals(1, a.running());
    assertEquals(0, a.queued());
    assertTrue(a.serviceMs() >= 40, "held " + a.serviceMs());
    next.close();
    assertEquals(0, a.running());
  }

  @Test
  void aDeadlineEndsTheWait() throws Exception {
    Admission a = new Admission(new SloPolicy(1, 4, 30_000));
    try (Admission.Permit held = a.enter(null)) {
      long t0 = System.nanoTime();
      ApiError e = assertThrows(ApiError.class, () -> a.enter(150.0));
      double ms = (System.nanoTime() - t0) / 1e6;
      assertEquals(ApiError.DEADLINE, e.code());
      assertEquals(503, e.status());
      assertTrue(ms >= 149 && ms < 5000, "waited " + ms + " ms");
      assertTrue(e.getMessage().contains("within the request's deadline (waited "), e.getMessage());
      assertEquals(0, a.queued());
      assertEquals(1, a.running());
    }
  }

  @Test
  void theMeansAreExponentiallyWeighted() {
    Admission a = new Admission(new SloPolicy(1, 0, 1000));
    a.recordEncodeMs(100);
    assertEquals(100, a.encodeMs(), 1e-9);
    a.recordEncodeMs(200);
    assertEquals(0.8 * 100 + 0.2 * 200, a.encodeMs(), 1e-9);
    assertEquals(0, a.serviceMs());
  }
}

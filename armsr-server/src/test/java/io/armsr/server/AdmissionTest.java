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
      assertTrue(
          e.getMessage().contains("within the time the request had (waited "), e.getMessage());
      assertEquals(0, a.queued());
      assertEquals(1, a.running());
    }
  }

  @Test
  void aRequestThatCannotEvenGetBicubicInTimeIsRefusedAtOnce() throws Exception {
    Admission a = new Admission(new SloPolicy(1, 4, 30_000));
    try (Admission.Permit held = a.enter(null)) {
      held.expectEnd(200); // the running upscale ends in 200 ms
      long t0 = System.nanoTime();
      ApiError e = assertThrows(ApiError.class, () -> a.enter(150.0, true, 20));
      assertTrue((System.nanoTime() - t0) / 1e6 < 100, "refused at once");
      assertEquals(ApiError.SLO_UNREACHABLE, e.code());
      assertEquals(0, a.queued());
      // 300 ms left: 200 to wait and 20 to serve fit, so it waits its turn
      CompletableFuture<Admission.Permit> waiting =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return a.enter(300.0, true, 20);
                } catch (InterruptedException ex) {
                  throw new IllegalStateException(ex);
                }
              });
      awaitQueued(a, 1);
      // Queued behind it with under 300 ms left: this one's budget is at most 300 / 2 less the
      // overhead.
      double budget = held.budgetMs(1000, 20, 0);
      assertTrue(budget > 100 && budget <= 130, budget + " ms");
      // One more arriving now with 240 ms: it ends after three rounds, 240 / 3 - 20 = 60.
      assertEquals(60.0, held.budgetMs(1000, 20, 240), 1e-9);
      held.close();
      waiting.get(10, TimeUnit.SECONDS).close();
    }
  }

  @Test
  void theArrivalRateIsMeasuredOverTheLastArrivals() throws Exception {
    Admission a = new Admission(new SloPolicy(1, 4, 30_000));
    assertEquals(0, a.arrivalRate());
    long t0 = System.nanoTime();
    for (int i = 0; i < 3; i++) {
      a.enter(null).close();
      Thread.sleep(50);
    }
    // three arrivals at least 100 ms apart in all: at most 2 / 0.1 s
    double rate = a.arrivalRate();
    double elapsed = (System.nanoTime() - t0) / 1e9;
    assertTrue(rate <= 20.0 + 1e-9 && rate >= 2 / elapsed - 1e-9, rate + " per second");
  }

  @Test
  void theMeansAreExponentiallyWeighted() {
    Admission a = new Admission(new SloPolicy(1, 0, 1000));
    a.recordEncodeMs(100, 1000);
    assertEquals(100, a.encodeMs(1000), 1e-9);
    a.recordEncodeMs(400, 2000); // 0.2 ms per pixel
    assertEquals((0.8 * 0.1 + 0.2 * 0.2) * 1000, a.encodeMs(1000), 1e-9);
    a.recordDecodeMs(3, 100);
    assertEquals(6, a.decodeMs(200), 1e-9);
    assertEquals(0, a.serviceMs());
  }
}

package io.armsr.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** Each admission and SLO rule on its own, with hand-computed numbers. */
class SloPolicyTest {
  private final SloPolicy policy = new SloPolicy(2, 3, 30_000);

  private ApiError rejected(SloPolicy.Decision d) {
    return assertInstanceOf(SloPolicy.Reject.class, d).error();
  }

  @Test
  void aFreeSlotAdmitsAtOnceWithTheDeadlineAsTheLongestWait() {
    // a slot is free: waits at most the deadline less the floor (decode + encode)
    assertEquals(new SloPolicy.Admit(220.0), policy.admit(1, 0, 400, 30, 250.0));
    // even a deadline below the floor: the bicubic image, as fast as it comes
    assertEquals(new SloPolicy.Admit(0.0), policy.admit(1, 0, 400, 30, 0.0));
    assertEquals(0.0, policy.predictedWaitMs(1, 0, 400));
    // no deadline: the queue timeout
    assertEquals(new SloPolicy.Admit(30_000.0), policy.admit(0, 0, 0, 0, null));
  }

  @Test
  void aFullQueueRefusesAtOnceWithRetryAfter() {
    // 2 running, 3 queued: the queue is full. Predicted wait 400 * 4 / 2 = 800 ms -> 1 s.
    ApiError e = rejected(policy.admit(2, 3, 400, 30, null));
    assertEquals(503, e.status());
    assertEquals(ApiError.OVERLOADED, e.code());
    assertEquals(1, e.retryAfterSeconds());
    assertTrue(e.getMessage().contains("2 upscales running and 3 waiting"), e.getMessage());
    // 3 s per request: 3000 * 4 / 2 = 6000 ms
    assertEquals(6, rejected(policy.admit(2, 3, 3000, 30, null)).retryAfterSeconds());
    // one place left in the queue: admitted
    assertInstanceOf(SloPolicy.Admit.class, policy.admit(2, 2, 400, 30, null));
  }

  @Test
  void aDeadlineThatWouldPassInTheQueueIsRefusedAtOnce() {
    // Busy, 1 queued ahead: wait 400 * 2 / 2 = 400 ms.
    assertEquals(400.0, policy.predictedWaitMs(2, 1, 400));
    // With a floor of 30 ms the deadline must be at least 430 ms.
    ApiError e = rejected(policy.admit(2, 1, 400, 30, 429.0));
    assertEquals(ApiError.DEADLINE, e.code());
    assertEquals(503, e.status());
    assertTrue(e.getMessage().contains("429 ms are left"), e.getMessage());
    assertTrue(e.getMessage().contains("predicted free in 400 ms"), e.getMessage());
    assertTrue(e.getMessage().contains("at least 30 ms"), e.getMessage());
    assertEquals(new SloPolicy.Admit(400.0), policy.admit(2, 1, 400, 30, 430.0));
    // Nothing measured yet: no prediction, admitted.
    assertEquals(new SloPolicy.Admit(10.0), policy.admit(2, 1, 0, 0, 10.0));
  }

  @Test
  void theUpscaleGetsTheDeadlineLessWhatWasSpentAndTheEncoding() {
    assertEquals(170.0, SloPolicy.upscaleBudgetMs(250, 50, 30));
    assertEquals(0.0, SloPolicy.upscaleBudgetMs(250, 240, 30)); // bicubic only
    assertEquals(1, SloPolicy.retryAfterSeconds(0));
    assertEquals(2, SloPolicy.retryAfterSeconds(1001));
    assertEquals(3600, SloPolicy.retryAfterSeconds(1e9));
  }
}

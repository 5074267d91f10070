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
  void aFreeWorkerAdmitsWithTheTimeLeftLessTheFloorAsTheLongestWait() {
    assertEquals(new SloPolicy.Admit(220.0), policy.admit(1, 0, 0, 30, 250.0, false));
    // no SLO: the queue timeout
    assertEquals(new SloPolicy.Admit(30_000.0), policy.admit(0, 0, 0, 0, null, false));
    // a worker free now: no wait, whatever the other one does
    assertEquals(0.0, policy.predictedWaitMs(new double[] {400}, new double[0]));
  }

  @Test
  void aFullQueueRefusesAtOnceWithRetryAfter() {
    ApiError e = rejected(policy.admit(2, 3, 800, 30, null, false));
    assertEquals(503, e.status());
    assertEquals(ApiError.OVERLOADED, e.code());
    assertEquals(1, e.retryAfterSeconds());
    assertTrue(e.getMessage().contains("2 upscales running and 3 waiting"), e.getMessage());
    assertEquals(6, rejected(policy.admit(2, 3, 5500, 30, null, false)).retryAfterSeconds());
    // one place left in the queue: admitted
    assertInstanceOf(SloPolicy.Admit.class, policy.admit(2, 2, 400, 30, null, false));
  }

  @Test
  void theWaitIsTheRunningUpscalesEndsAndTheFloorsQueuedAhead() {
    // Workers free in 100 and 40 ms; queued ahead floors 30, 50, 20:
    // 30 takes the one free at 40 (-> 70), 50 the one free at 70 (-> 120), 20 the one at 100
    // (-> 120): the next is free at 120.
    assertEquals(
        120.0, policy.predictedWaitMs(new double[] {100, 40}, new double[] {30, 50, 20}), 1e-9);
    // An upscale already over its expected end counts as ending now.
    assertEquals(0.0, policy.predictedWaitMs(new double[] {-5, 10}, new double[0]));
  }

  @Test
  void whenNotEvenBicubicFitsTheRequestIsRefusedAtOnce() {
    // A wait of 400 ms and a floor of 30 ms need 430 ms.
    ApiError e = rejected(policy.admit(2, 1, 400, 30, 429.0, false));
    assertEquals(ApiError.SLO_UNREACHABLE, e.code());
    assertEquals(503, e.status());
    assertEquals(1, e.retryAfterSeconds());
    assertTrue(e.getMessage().contains("429 ms are left"), e.getMessage());
    assertTrue(e.getMessage().contains("predicted free in 400 ms"), e.getMessage());
    assertTrue(e.getMessage().contains("at least 30 ms"), e.getMessage());
    assertEquals(new SloPolicy.Admit(400.0), policy.admit(2, 1, 400, 30, 430.0, false));
    // Under the SLO, a request with less than its floor left is refused even with a worker free;
    // a deadline of its own gets the bicubic image as fast as it comes.
    assertEquals(ApiError.SLO_UNREACHABLE, rejected(policy.admit(0, 0, 0, 30, 29.0, true)).code());
    assertEquals(new SloPolicy.Admit(0.0), policy.admit(0, 0, 0, 30, 0.0, false));
  }

  @Test
  void theBudgetIsTheTimeLeftAndAnEqualShareForEveryoneQueuedBehind() {
    // Nobody behind: what is left less the overhead.
    assertEquals(170.0, policy.budgetMs(200, 30, new double[0]), 1e-9);
    // Behind it, with 2 workers: the 1st and 2nd start after one round and end after two, so
    // each may take 220 / 2 - 30 = 80 and 260 / 2 - 30 = 100; the 3rd ends after three rounds:
    // 240 / 3 - 30 = 50.
    assertEquals(80.0, policy.budgetMs(200, 30, new double[] {220, 260}), 1e-9);
    assertEquals(50.0, policy.budgetMs(200, 30, new double[] {220, 260, 240}), 1e-9);
    // One worker: the 1st behind ends after two rounds, the 2nd after three.
    SloPolicy one = new SloPolicy(1, 3, 30_000);
    assertEquals(
        Math.min(170, Math.min(250 / 2.0 - 30, 240 / 3.0 - 30)),
        one.budgetMs(200, 30, new double[] {250, 240}),
        1e-9);
    // Never negative: the bicubic routing.
    assertEquals(0.0, policy.budgetMs(20, 30, new double[0]));
    assertEquals(1, SloPolicy.retryAfterSeconds(0));
    assertEquals(2, SloPolicy.retryAfterSeconds(1001));
    assertEquals(3600, SloPolicy.retryAfterSeconds(1e9));
  }

  @Test
  void theRateCapKeepsTheWorkersUnderTheirUtilisation() {
    // 2 workers, 20 requests a second: each may hold one for 2 * 0.9 / 20 s = 90 ms, of which 10
    // are spent outside the upscale.
    assertEquals(2 * SloPolicy.UTILISATION * 1000 / 20 - 10, policy.rateCapMs(20, 10), 1e-9);
    assertEquals(80.0, policy.rateCapMs(20, 10), 1e-9);
    assertEquals(Double.POSITIVE_INFINITY, policy.rateCapMs(0, 10));
    assertEquals(0.0, policy.rateCapMs(1000, 10)); // not even the overhead fits: bicubic
  }
}

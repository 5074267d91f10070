package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

/** Results in plan order whatever finishes first; failures surface on the caller; no hang. */
class OrderedWorkersTest {

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void resultsComeBackInPlanOrderFromSeveralThreads() {
    List<Integer> plan = IntStream.range(0, 40).boxed().toList();
    Set<String> threads = ConcurrentHashMap.newKeySet();
    List<Integer> consumed = new ArrayList<>();
    String caller = Thread.currentThread().getName();
    new OrderedWorkers(3)
        .run(
            plan,
            i -> {
              threads.add(Thread.currentThread().getName());
              sleep(i % 3 == 0 ? 8 : 1); // later items often finish first
              return i * i;
            },
            (i, r) -> {
              assertEquals(caller, Thread.currentThread().getName(), "consumed on the caller");
              assertEquals(i * i, r);
              consumed.add(i);
            });
    assertEquals(plan, consumed);
    assertTrue(threads.size() > 1, "computed on several threads: " + threads);
    assertTrue(!threads.contains(caller), "not on the caller: " + threads);
  }

  @Test
  void oneWorkerRunsEverythingOnTheCaller() {
    String caller = Thread.currentThread().getName();
    List<String> seen = new ArrayList<>();
    new OrderedWorkers(1)
        .run(List.of(1, 2, 3), i -> Thread.currentThread().getName(), (i, name) -> seen.add(name));
    assertEquals(List.of(caller, caller, caller), seen);
  }

  @Test
  void aFailureInAWorkerSurfacesOnTheCallerAndStopsTheRun() {
    List<Integer> plan = IntStream.range(0, 30).boxed().toList();
    List<Integer> consumed = new ArrayList<>();
    Set<Integer> computed = ConcurrentHashMap.newKeySet();
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                new OrderedWorkers(2)
                    .run(
                        plan,
                        i -> {
                          computed.add(i);
                          if (i == 5) {
                            throw new IllegalStateException("batch 5 failed");
                          }
                          return i;
                        },
                        (i, r) -> consumed.add(i)));
    assertEquals("batch 5 failed", e.getMessage());
    assertEquals(List.of(0, 1, 2, 3, 4), consumed);
    // At most 2 x workers batches run ahead of the one that failed.
    assertTrue(computed.stream().allMatch(i -> i <= 5 + 4), computed.toString());
  }
}

package io.armsr.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class CosineScheduleTest {
  private static final long T = 2_000_000;
  private final CosineSchedule s = new CosineSchedule(1e-3, 1e-7, T);

  @Test
  void startsAtLr0() {
    assertEquals(1e-3, s.at(0), 0);
    assertEquals(1e-3, s.forIteration(1), 0); // iteration i uses t = i - 1 (ARM.md 2.3)
  }

  @Test
  void halfwayIsTheMidpoint() {
    // (1 + cos(pi/2)) / 2 = 1/2: 1e-7 + (1e-3 - 1e-7) / 2
    assertEquals(5.0005e-4, s.at(T / 2), 1e-18);
  }

  @Test
  void lastIterationIsJustAboveEtaMin() {
    // (1 + cos(pi (T-1)/T)) / 2 = sin^2(pi / 2T) = 6.1685e-13; times (1e-3 - 1e-7) = 6.168e-16
    double tail = Math.pow(Math.sin(Math.PI / (2.0 * T)), 2) * (1e-3 - 1e-7);
    // 1e-19: the official formula's 1 + cos(~pi) cancels in double; the tail itself is 6e-16.
    assertEquals(1e-7 + tail, s.at(T - 1), 1e-19);
    assertEquals(1e-7, s.at(T), 1e-22);
  }

  @Test
  void matchesTheOfficialLogAt10k() {
    // arm-fsrcnn.log prints lr 9.999e-04 at iteration 10,000 (ARM.md 2.3).
    assertEquals(9.999e-4, s.forIteration(10_000), 0.5e-7);
  }

  @Test
  void rejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(0, 0, 10));
    assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(1e-3, 1e-2, 10));
    assertThrows(IllegalArgumentException.class, () -> new CosineSchedule(1e-3, 0, 0));
    assertThrows(IllegalArgumentException.class, () -> s.at(T + 1));
  }
}

package io.armsr.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The routing choice by name: parsing, ranges, exclusivity and the message's spelling. */
class RoutingChoiceTest {

  private static RoutingChoice parse(Map<String, String> values) {
    return RoutingChoice.parse(values::get, "");
  }

  private static String refused(Map<String, String> values, String prefix) {
    return assertThrows(
            IllegalArgumentException.class, () -> RoutingChoice.parse(values::get, prefix))
        .getMessage();
  }

  @Test
  void everyChoiceGivesItsMode() {
    assertEquals(new RoutingMode.Tradeoff(4.0), parse(Map.of()).mode());
    assertEquals(new RoutingMode.Fixed(2), parse(Map.of("subnet", "2")).mode());
    assertEquals(new RoutingMode.Best(), parse(Map.of("best", "")).mode());
    assertEquals(new RoutingMode.Best(), parse(Map.of("best", "true")).mode());
    assertEquals(new RoutingMode.Tradeoff(4.0), parse(Map.of("best", "false")).mode());
    assertEquals(new RoutingMode.Tradeoff(1.5), parse(Map.of("k", "1.5")).mode());
    assertEquals(new RoutingMode.Budget(0.25), parse(Map.of("budget", " 0.25")).mode());
    RoutingChoice timed = parse(Map.of("budget-ms", "40"));
    assertTrue(timed.timed());
    assertEquals(40.0, timed.budgetMs());
    assertThrows(IllegalStateException.class, timed::mode);
  }

  @Test
  void badValuesAreNamedAsTheUserSpellsThem() {
    assertEquals("subnet must be 0..3, got 4", refused(Map.of("subnet", "4"), ""));
    assertEquals("--subnet must be 0..3, got -1", refused(Map.of("subnet", "-1"), "--"));
    assertEquals("subnet must be an integer, got 'x'", refused(Map.of("subnet", "x"), ""));
    assertEquals("k must be a number, got 'abc'", refused(Map.of("k", "abc"), ""));
    assertEquals("k must be a positive finite number, got NaN", refused(Map.of("k", "NaN"), ""));
    assertEquals(
        "k must be a positive finite number, got Infinity", refused(Map.of("k", "Infinity"), ""));
    assertEquals("budget must be in (0, 1], got 1.5", refused(Map.of("budget", "1.5"), ""));
    assertEquals(
        "budget-ms must be a positive number, got 0.0", refused(Map.of("budget-ms", "0"), ""));
    assertEquals(
        "best takes no value (or true/false), got 'yes'", refused(Map.of("best", "yes"), ""));
    assertEquals(
        "subnet, k are mutually exclusive (give at most one)",
        refused(Map.of("subnet", "1", "k", "2"), ""));
  }
}

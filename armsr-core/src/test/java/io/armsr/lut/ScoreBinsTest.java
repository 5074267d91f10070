package io.armsr.lut;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.armsr.testing.Shared;
import io.armsr.torch.OfficialCheckpoint;
import org.junit.jupiter.api.Test;

/** Expectations produced with numpy 2.4 (linspace, histogram2d, searchsorted). */
class ScoreBinsTest {

  /**
   * {@code np.linspace(0.1, 0.7, 7)}; scores: every edge, the doubles just below and above each,
   * and decimal products such as {@code 0.1 * 3 = 0.30000000000000004} that land beside an edge.
   * Bins: {@code np.searchsorted(edges, s, 'right') - 1}, last edge in the last bin; the counts
   * equal {@code np.histogram2d}'s.
   */
  @Test
  void matchesNumpyOnExactEdges() {
    ScoreBins b = ScoreBins.of(0.1, 0.7, 6);
    assertArrayEquals(new double[] {0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7}, b.edges(), 0);
    assertArrayEquals(
        new double[] {0.15000000000000002, 0.25, 0.35, 0.45, 0.55, 0.65}, b.centres(), 0);
    double[] scores = {
      0.1,
      0.2,
      0.3,
      0.4,
      0.5,
      0.6,
      0.7,
      0.19999999999999998,
      0.29999999999999993,
      0.39999999999999997,
      0.49999999999999994,
      0.5999999999999999,
      0.6999999999999998,
      0.10000000000000002,
      0.20000000000000004,
      0.30000000000000004,
      0.4000000000000001,
      0.5000000000000001,
      0.6000000000000001,
      0.1,
      0.2,
      0.30000000000000004,
      0.4,
      0.5,
      0.6000000000000001,
      0.3,
      0.30000000000000004,
      0.5
    };
    int[] expected = {
      0, 1, 2, 3, 4, 5, 5, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 0, 1, 2, 3, 4, 5, 2, 2, 4
    };
    for (int i = 0; i < scores.length; i++) {
      assertEquals(expected[i], b.binOf(scores[i]), "score " + scores[i]);
    }
    assertArrayEquals(new int[] {4, 4, 6, 4, 5, 5}, b.counts(scores));
  }

  /** The official range (ARM.md 4.2) gives numpy's edges, e.g. 95.18056640625001. */
  @Test
  void officialRangeEdgesAndAssignment() {
    ScoreBins b = ScoreBins.of(0, 219.6474609375, 30);
    double[] e = b.edges();
    assertEquals(7.32158203125, e[1], 0);
    assertEquals(95.18056640625001, e[13], 0);
    assertEquals(153.75322265625002, e[21], 0);
    assertEquals(190.36113281250002, e[26], 0);
    assertEquals(219.6474609375, e[30], 0);
    assertEquals(25.625537109375003, b.centres()[3], 0);
    assertEquals(69.55502929687499, b.centres()[9], 0);
    for (int i = 0; i < 30; i++) {
      assertEquals(i, b.binOf(e[i]), "edge " + i);
      assertEquals(i, b.binOf(Math.nextDown(e[i + 1])), "below edge " + (i + 1));
    }
    assertEquals(29, b.binOf(219.6474609375));
    assertEquals(5, b.binOf(37.9716796875)); // 38883/1024
    assertThrows(IllegalArgumentException.class, () -> b.binOf(Math.nextUp(219.6474609375)));
    assertThrows(IllegalArgumentException.class, () -> b.binOf(-0.0009765625));
  }

  @Test
  void centresEqualTheOfficialTable() {
    double[][] official =
        OfficialCheckpoint.readLut(Shared.require("reference/arm-net/arm-fsrcnn.state"))
            .binCentres();
    double[] ours = ScoreBins.of(0, 219.6474609375, 30).centres();
    for (double[] row : official) {
      assertArrayEquals(row, ours, 0);
    }
  }

  @Test
  void degenerateRangeIsWidenedAsNumpyDoes() {
    ScoreBins b = ScoreBins.fit(new double[] {0, 0, 0}, 4);
    assertArrayEquals(new double[] {-0.5, -0.25, 0, 0.25, 0.5}, b.edges(), 0);
    assertArrayEquals(new int[] {0, 0, 3, 0}, b.counts(new double[] {0, 0, 0}));
    assertThrows(IllegalArgumentException.class, () -> ScoreBins.fit(new double[0], 4));
    assertThrows(IllegalArgumentException.class, () -> ScoreBins.of(1, 0, 4));
    assertThrows(IllegalArgumentException.class, () -> ScoreBins.of(0, 1, 0));
  }
}

package io.armsr.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class DihedralTest {

  @Test
  void allEightVariantsOfA2x2PatchAreDistinctAndCorrect() {
    // [[1, 2], [3, 4]]; bit 0 hflip, bit 1 vflip, bit 2 transpose, applied in that order.
    float[] p = {1, 2, 3, 4};
    float[][] expected = {
      {1, 2, 3, 4}, // identity
      {2, 1, 4, 3}, // hflip
      {3, 4, 1, 2}, // vflip
      {4, 3, 2, 1}, // hflip + vflip = rot180
      {1, 3, 2, 4}, // transpose
      {2, 4, 1, 3}, // hflip, transpose = rot90 counter-clockwise
      {3, 1, 4, 2}, // vflip, transpose = rot90 clockwise
      {4, 2, 3, 1}, // rot180, transpose = anti-transpose
    };
    Set<List<Float>> seen = new HashSet<>();
    for (int k = 0; k < 8; k++) {
      float[] out = Dihedral.apply(p, 1, 2, k);
      assertArrayEquals(expected[k], out, "variant " + k);
      seen.add(List.of(out[0], out[1], out[2], out[3]));
    }
    assertEquals(8, seen.size());
  }

  @Test
  void channelsTransformAlikeAndPlanesStayApart() {
    // Two channels, the second = first + 10: every variant keeps that relation.
    float[] p = {1, 2, 3, 4, 11, 12, 13, 14};
    for (int k = 0; k < 8; k++) {
      float[] out = Dihedral.apply(p, 2, 2, k);
      for (int i = 0; i < 4; i++) {
        assertEquals(out[i] + 10, out[4 + i], 0);
      }
    }
  }
}

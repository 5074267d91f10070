package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class PatchGridTest {

  @Test
  void referenceGridDropsTheRemainderLikeCropCpu() {
    // BSD100 LR 120x80: arange(0, 120-32+1, 28) = 0,28,56,84; arange(0, 80-32+1, 28) = 0,28.
    PatchGrid g = PatchGrid.reference(120, 80);
    assertArrayEquals(new int[] {0, 28, 56, 84}, g.xs());
    assertArrayEquals(new int[] {0, 28}, g.ys());
    assertEquals(8, g.size());
    assertEquals(116, g.coveredWidth());
    assertEquals(60, g.coveredHeight());
    // Set14 img_001 LR 125 wide x 120 high -> grid 4x4 (golden "grid": [4, 4]).
    PatchGrid s = PatchGrid.reference(125, 120);
    assertEquals(4, s.rows());
    assertEquals(4, s.cols());
    assertEquals(new PatchGrid.Patch(5, 1, 1, 28, 28, 32, 32), s.patch(5));
  }

  @Test
  void referenceGridRefusesImagesSmallerThanAPatch() {
    assertThrows(IllegalArgumentException.class, () -> PatchGrid.reference(31, 100));
  }

  @Test
  void fullGridAddsAFlushPatchAndCoversEverything() {
    PatchGrid g = PatchGrid.full(120, 80);
    assertArrayEquals(new int[] {0, 28, 56, 84, 88}, g.xs());
    assertArrayEquals(new int[] {0, 28, 48}, g.ys());
    assertEquals(120, g.coveredWidth());
    assertEquals(80, g.coveredHeight());
    // An exact fit gets no extra patch: 60 = 28 + 32.
    assertArrayEquals(new int[] {0, 28}, PatchGrid.full(60, 60).xs());
    assertArrayEquals(new int[] {0, 1}, PatchGrid.full(33, 47).xs());
  }

  @Test
  void fullGridShrinksPatchesToSmallImages() {
    PatchGrid g = PatchGrid.full(7, 300);
    assertArrayEquals(new int[] {0}, g.xs());
    assertEquals(7, g.patchWidth());
    assertEquals(32, g.patchHeight());
    assertEquals(300, g.coveredHeight());
    PatchGrid one = PatchGrid.full(1, 1);
    assertEquals(1, one.size());
    assertEquals(1, one.patchWidth());
  }
}

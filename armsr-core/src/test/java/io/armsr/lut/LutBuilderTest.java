package io.armsr.lut;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class LutBuilderTest {
  private static final double[] COSTS = {0, 10, 20, 30};
  private static final int BACKGROUND = 100;

  /**
   * An 8x8 grey LR patch of level 100 with one pixel at (3, 4) raised by {@code d}, and its HR: the
   * nearest-neighbour x4 of the LR plus {@code e} levels everywhere.
   *
   * <p>Edge score by hand (ARM.md 4.1; grey R = G = B maps to the same luma): the Laplacian is
   * {@code -8d} at the pixel and {@code 2d} at its four diagonal neighbours, 0 elsewhere, so the
   * score is {@code 16d / 64 = d / 4} while {@code 8d <= 255}. PSNR by hand: {@link
   * LevelShiftSupernet}'s subnet j is off by {@code j - e} levels at every pixel, so MSE = {@code
   * (j - e)^2} and PSNR = {@code 10 log10(255^2 / (j - e)^2)}, or 80 dB when {@code j == e}.
   */
  private static PatchPair patch(int d, int e) {
    byte[] lr = new byte[8 * 8 * 3];
    Arrays.fill(lr, (byte) BACKGROUND);
    for (int c = 0; c < 3; c++) {
      lr[(4 * 8 + 3) * 3 + c] = (byte) (BACKGROUND + d);
    }
    byte[] hr = new byte[32 * 32 * 3];
    for (int y = 0; y < 32; y++) {
      for (int x = 0; x < 32; x++) {
        for (int c = 0; c < 3; c++) {
          hr[(y * 32 + x) * 3 + c] = (byte) ((lr[((y / 4) * 8 + x / 4) * 3 + c] & 0xff) + e);
        }
      }
    }
    return new PatchPair(new Rgb8Image(8, 8, lr), new Rgb8Image(32, 32, hr));
  }

  /**
   * Scores 0, 0, 1 | (empty) | 3 | 4.5, 6 with 4 bins over [0, 6]: edges 0, 1.5, 3, 4.5, 6. The
   * scores 3 and 4.5 lie exactly on edges and go right; the maximum 6 goes into the last bin.
   */
  private static List<PatchPair> handSet() {
    return List.of(patch(0, 0), patch(0, 1), patch(4, 2), patch(12, 3), patch(18, 1), patch(24, 0));
  }

  private static double psnr(int levels) {
    return levels == 0 ? 80.0 : 10 * Math.log10(255.0 * 255.0 / (levels * levels));
  }

  @Test
  void handComputedBinsCountsAndMeans() {
    BuiltTable t = LutBuilder.build(new LevelShiftSupernet(), COSTS, handSet(), 4, 64);

    assertEquals(6, t.patches());
    assertEquals(0.0, t.scoreMin());
    assertEquals(6.0, t.scoreMax());
    assertArrayEquals(new int[] {3, 0, 1, 2}, t.binCounts());
    for (int j = 0; j < 4; j++) {
      assertArrayEquals(new double[] {0.75, 2.25, 3.75, 5.25}, t.table().binCentres()[j], 0);
      assertArrayEquals(new boolean[] {false, true, false, false}, t.filled()[j]);
    }
    assertArrayEquals(COSTS, t.table().costs(), 0);

    double[][] mean = t.table().meanPsnr();
    // Hand formula: bin 0 holds e = 0, 1, 2; bin 2 e = 3; bin 3 e = 1, 0.
    int[][] errors = {{0, 1, 2}, null, {3}, {1, 0}};
    for (int j = 0; j < 4; j++) {
      for (int bin : new int[] {0, 2, 3}) {
        double sum = 0;
        for (int e : errors[bin]) {
          sum += psnr(Math.abs(j - e));
        }
        assertEquals(sum / errors[bin].length, mean[j][bin], 1e-12, "subnet " + j + " bin " + bin);
      }
      // The empty bin lies halfway between its measured neighbours.
      assertEquals((mean[j][0] + mean[j][2]) / 2, mean[j][1], 1e-12);
    }
    // The same numbers written out (numpy bincount means of the hand PSNRs).
    assertArrayEquals(
        new double[] {56.74700243469287, 47.66769047448936, 38.58837851428586, 64.06540180433956},
        mean[0],
        1e-12);
    assertArrayEquals(
        new double[] {42.94312860612147, 61.47156430306073, 80.0, 40.34929110484266},
        mean[3],
        1e-12);
  }

  @Test
  void batchSizeDoesNotChangeTheTable() {
    LevelShiftSupernet net = new LevelShiftSupernet();
    BuiltTable one = LutBuilder.build(net, COSTS, handSet(), 4, 1);
    assertEquals(List.of(1L), net.batchSizes.stream().distinct().toList());
    LevelShiftSupernet net4 = new LevelShiftSupernet();
    List<Integer> progress = new ArrayList<>();
    BuiltTable four = LutBuilder.build(net4, COSTS, handSet(), 4, 4, progress::add);
    // Six patches in batches of 4 and 2, each run through the four subnets.
    assertEquals(List.of(4L, 4L, 4L, 4L, 2L, 2L, 2L, 2L), net4.batchSizes);
    assertEquals(List.of(4, 6), progress);
    assertEquals(one.table(), four.table());
    assertArrayEquals(one.binCounts(), four.binCounts());
  }

  @Test
  void patchesOfAnotherSizeStartANewBatch() {
    List<PatchPair> mixed = new ArrayList<>(handSet());
    Rgb8Image lr = new Rgb8Image(4, 4, new byte[4 * 4 * 3]);
    Rgb8Image hr = new Rgb8Image(16, 16, new byte[16 * 16 * 3]);
    mixed.add(2, new PatchPair(lr, hr));
    LevelShiftSupernet net = new LevelShiftSupernet();
    BuiltTable t = LutBuilder.build(net, new double[] {0}, mixed, 4, 64);
    assertEquals(List.of(2L, 1L, 4L), net.batchSizes);
    assertEquals(7, t.patches());
    // The black 4x4 patch scores 0 and its bicubic SR is exact.
    assertArrayEquals(new int[] {4, 0, 1, 2}, t.binCounts());
    assertEquals((80.0 + psnr(1) + psnr(2) + 80.0) / 4, t.table().meanPsnr()[0][0], 1e-12);
  }

  /**
   * All scores equal: numpy widens the range to [s - 0.5, s + 0.5]; the one occupied bin is copied
   * into every other, so routing sees a constant row per subnet.
   */
  @Test
  void degenerateRangeStillRoutes() {
    List<PatchPair> flat = List.of(patch(0, 0), patch(0, 2), patch(0, 0));
    BuiltTable t = LutBuilder.build(new LevelShiftSupernet(), COSTS, flat, 4, 64);
    assertArrayEquals(new int[] {0, 0, 3, 0}, t.binCounts());
    assertArrayEquals(new double[] {-0.375, -0.125, 0.125, 0.375}, t.table().binCentres()[0], 0);
    for (int j = 0; j < 4; j++) {
      assertArrayEquals(new boolean[] {true, true, false, true}, t.filled()[j]);
      double m = (2 * psnr(j) + psnr(Math.abs(j - 2))) / 3;
      assertArrayEquals(new double[] {m, m, m, m}, t.table().meanPsnr()[j], 1e-12);
    }
    double[] predicted = t.table().predict(0);
    for (double p : predicted) {
      assertTrue(Double.isFinite(p));
    }
    // Subnet 1 is one level off on all three patches (e = 0, 2, 0).
    assertEquals(psnr(1), predicted[1], 1e-12);
  }

  @Test
  void fillInterpolatesBetweenAndCopiesAtTheEnds() {
    double nan = Double.NaN;
    double[] row = {nan, 10, nan, nan, 40, nan};
    boolean[] filled = LutBuilder.fillEmpty(row);
    assertArrayEquals(new double[] {10, 10, 20, 30, 40, 40}, row, 1e-12);
    assertArrayEquals(new boolean[] {true, false, true, true, false, true}, filled);
    assertThrows(IllegalArgumentException.class, () -> LutBuilder.fillEmpty(new double[] {nan}));
  }

  @Test
  void rejectsNoPatchesAndBadArguments() {
    LevelShiftSupernet net = new LevelShiftSupernet();
    assertThrows(
        IllegalArgumentException.class, () -> LutBuilder.build(net, COSTS, List.of(), 4, 8));
    assertThrows(
        IllegalArgumentException.class, () -> LutBuilder.build(net, COSTS, handSet(), 0, 8));
    assertThrows(
        IllegalArgumentException.class, () -> LutBuilder.build(net, COSTS, handSet(), 4, 0));
  }
}

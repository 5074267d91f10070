package io.armsr.route;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import org.junit.jupiter.api.Test;

/** The windows of neighbouring same-subnet patches ({@link Batching.Windows}), by hand. */
class WindowsTest {

  // A grid of 3 rows x 5 columns:
  //   3 3 3 0 3
  //   3 3 1 3 3
  //   3 3 3 3 3
  private static final int[] ROUTING = {3, 3, 3, 0, 3, 3, 3, 1, 3, 3, 3, 3, 3, 3, 3};

  @Test
  void greedyRectanglesRowMajorWithinBands() {
    Batching.Windows w = new Batching.Windows(2, 4);
    // Row 0: 0..2 (width 3), then down: row 1 cols 0..2 has the 1 at col 2, so height 1.
    // Patch 4 (row 0, col 4): right edge, down to 9: 2x1. Row 1: 5..6 width 2, band ends at row 1.
    // Patch 8: row 1 col 3..4, 1x2 (band of rows 0-1). Row 2 starts a new band: 10..13, then 14.
    assertEquals(
        List.of(
            new Batching.Window(0, 1, 3, 5),
            new Batching.Window(4, 2, 1, 5),
            new Batching.Window(5, 1, 2, 5),
            Batching.Window.single(8),
            new Batching.Window(10, 1, 4, 5),
            Batching.Window.single(14)),
        w.of(ROUTING, 3, 5));
    assertEquals(List.of(Batching.Window.single(7)), w.of(ROUTING, 1, 5));
    // The window of every patch, of its own subnet.
    Batching.Window[] of = w.windowOf(ROUTING, 5);
    assertEquals(new Batching.Window(4, 2, 1, 5), of[9]);
    assertEquals(Batching.Window.single(3), of[3]);
    assertSame(of[10], of[13]);
    // Without windows, each patch alone: the 13 patches of subnet 3, in order.
    List<Batching.Window> alone = Batching.Windows.NONE.of(ROUTING, 3, 5);
    assertEquals(13, alone.size());
    assertEquals(Batching.Window.single(4), alone.get(3));
  }

  @Test
  void planBatchesWindowsOfOneSizeInPixels() {
    // 5 columns at x 0, 28, 56, 84, 88 (a 120-pixel-wide image: the last column is flush), rows
    // at y 0, 28, 48 (80 pixels high).
    int[] xs = {0, 28, 56, 84, 88};
    int[] ys = {0, 28, 48};
    Batching batching = Batching.of(Batching.Path.WHOLE, 5, 8, new Batching.Windows(2, 4));
    List<Batching.Batch> plan =
        batching.plan(List.of(new Batching.ImageRoutings(new int[][] {ROUTING}, 32, 32, xs, ys)));
    // Bicubic: patch 3 alone. Subnet 1: patch 7. Subnet 3 by size in pixels, in order of first
    // appearance: 32x88 (0, 1x3), 60x32 (4: rows 0-1 at the flush column), 32x60 (5), 32x32
    // (8, 14: one batch), 32x116 (10: cols 0..3).
    assertEquals(
        List.of(
            new Batching.Batch(0, 0, List.of(0), List.of(3), List.of(Batching.Window.single(3))),
            new Batching.Batch(0, 1, List.of(0), List.of(7), List.of(Batching.Window.single(7))),
            new Batching.Batch(
                0, 3, List.of(0, 0, 0), List.of(0, 1, 2), List.of(new Batching.Window(0, 1, 3, 5))),
            new Batching.Batch(
                0, 3, List.of(0, 0), List.of(4, 9), List.of(new Batching.Window(4, 2, 1, 5))),
            new Batching.Batch(
                0, 3, List.of(0, 0), List.of(5, 6), List.of(new Batching.Window(5, 1, 2, 5))),
            new Batching.Batch(
                0,
                3,
                List.of(0, 0),
                List.of(8, 14),
                List.of(Batching.Window.single(8), Batching.Window.single(14))),
            new Batching.Batch(
                0,
                3,
                List.of(0, 0, 0, 0),
                List.of(10, 11, 12, 13),
                List.of(new Batching.Window(10, 1, 4, 5)))),
        plan);
    // The streaming path's groups are bands of the windows' rows: rows 0-1, then row 2.
    List<Batching.Batch> streamed =
        Batching.of(Batching.Path.STREAMING, 5, 8, new Batching.Windows(2, 4))
            .plan(List.of(new Batching.ImageRoutings(new int[][] {ROUTING}, 32, 32, xs, ys)));
    assertEquals(
        List.of(0, 0, 0, 0, 0, 0, 1, 1), streamed.stream().map(Batching.Batch::group).toList());
  }

  @Test
  void theLargestShapeWithinAPatchCount() {
    assertEquals(new Batching.Windows(4, 8), Batching.Windows.within(64));
    assertEquals(new Batching.Windows(3, 6), Batching.Windows.within(31));
    assertEquals(new Batching.Windows(2, 4), Batching.Windows.within(8));
    assertEquals(new Batching.Windows(1, 2), Batching.Windows.within(7));
    assertEquals(Batching.Windows.NONE, Batching.Windows.within(1));
  }

  @Test
  void parseAndLimits() {
    assertEquals(new Batching.Windows(4, 8), Batching.Windows.parse("4x8"));
    assertEquals(Batching.Windows.NONE, Batching.Windows.parse(" 1X1 "));
    assertThrows(IllegalArgumentException.class, () -> Batching.Windows.parse("4"));
    assertThrows(IllegalArgumentException.class, () -> Batching.Windows.parse("0x3"));
    assertThrows(IllegalArgumentException.class, () -> Batching.Windows.parse("4x65"));
    assertThrows(IllegalArgumentException.class, () -> Batching.Windows.parse("axb"));
  }
}

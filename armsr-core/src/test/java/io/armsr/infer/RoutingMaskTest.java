package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import java.awt.Rectangle;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The routing overlay and its legend strip, checked pixel by pixel (no network involved). */
class RoutingMaskTest {

  /** A flat gray result on the full grid of a w x h LR image with the given subnet per patch. */
  static UpscaleResult result(int w, int h, int... subnets) {
    PatchGrid grid = PatchGrid.of(Grid.FULL, w, h);
    assertEquals(grid.size(), subnets.length);
    float[] canvas = new float[3 * 16 * w * h];
    Arrays.fill(canvas, 128f);
    return new UpscaleResult(
        new RoutingMode.Best(),
        grid,
        new double[subnets.length],
        subnets,
        Backbone.FSRCNN.paperFlopsList(),
        new PlanarImage(3, 4 * h, 4 * w, canvas));
  }

  @Test
  void legendIsAppendedBelowTheUntouchedOverlay() {
    UpscaleResult r = result(40, 40, 0, 1, 3, 3);
    Rgb8Image overlay = RoutingMask.render(r);
    Rgb8Image masked = RoutingMask.withLegend(r, Backbone.FSRCNN);
    RoutingMask.Legend legend = RoutingMask.legend(r.classes(), Backbone.FSRCNN, 160);
    assertEquals(160, masked.width());
    assertEquals(160 + legend.height(), masked.height());
    assertArrayEquals(overlay.pixels(), masked.crop(0, 0, 160, 160).pixels());
    assertEquals(java.util.List.of("bicubic: 1", "w16: 1", "w36: 0", "w56: 2"), legend.labels());
    for (int j = 0; j < Backbone.SUBNETS; j++) {
      Rectangle s = legend.swatches().get(j);
      for (int c = 0; c < 3; c++) {
        assertEquals(
            RoutingMask.COLOURS[j][c],
            masked.get(s.x + s.width / 2, 160 + s.y + s.height / 2, c),
            "swatch " + j);
        assertEquals(RoutingMask.COLOURS[j][c], masked.get(s.x + 1, 160 + s.y + 1, c));
      }
    }
  }

  @Test
  void aNarrowImageGetsAWiderCanvasAndOneEntryPerRow() {
    UpscaleResult r = result(1, 1, 2);
    Rgb8Image masked = RoutingMask.withLegend(r, Backbone.CARN);
    RoutingMask.Legend legend = RoutingMask.legend(r.classes(), Backbone.CARN, 4);
    assertTrue(masked.width() > 4, "legend wider than the image");
    assertEquals(legend.width(), masked.width());
    assertArrayEquals(RoutingMask.render(r).pixels(), masked.crop(0, 0, 4, 4).pixels());
    assertEquals("w" + Backbone.CARN.width(2) + ": 1", legend.labels().get(2));
    for (int j = 1; j < Backbone.SUBNETS; j++) {
      assertTrue(legend.swatches().get(j).y > legend.swatches().get(j - 1).y, "one per row");
    }
  }

  @Test
  void aWideImageKeepsTheLegendOnOneRow() {
    RoutingMask.Legend legend = RoutingMask.legend(new int[] {5, 6, 7, 8}, Backbone.FSRCNN, 2000);
    assertEquals(2000, legend.width());
    for (Rectangle s : legend.swatches()) {
      assertEquals(legend.swatches().get(0).y, s.y);
    }
  }
}

package io.armsr.infer;

import io.armsr.image.Rgb8Image;
import io.armsr.model.Backbone;

/**
 * Draws which subnet each patch was routed to over the SR image: every patch's own cell (from its
 * origin to the next patch's origin) is tinted with its subnet's colour and outlined. Unlike the
 * release's {@code combine_addmask} (ARM-SPEC 5.7), the full-width subnet has a colour too.
 */
public final class RoutingMask {

  /** Colours by subnet: bicubic green, then yellow, orange and red as the width grows. */
  public static final int[][] COLOURS = {
    {0, 200, 0}, {255, 230, 0}, {255, 140, 0}, {230, 0, 0},
  };

  private static final float TINT = 0.4f;

  private RoutingMask() {}

  /** Returns a copy of {@code sr} (the result's image) with the routing drawn over it. */
  public static Rgb8Image render(UpscaleResult result) {
    Rgb8Image sr = result.image();
    PatchGrid grid = result.grid();
    int s = Backbone.SCALE;
    byte[] out = sr.pixels().clone();
    int w = sr.width();
    for (int p = 0; p < grid.size(); p++) {
      PatchGrid.Patch patch = grid.patch(p);
      int x0 = patch.x() * s;
      int y0 = patch.y() * s;
      int x1 = patch.col() + 1 < grid.cols() ? grid.xs()[patch.col() + 1] * s : sr.width();
      int y1 = patch.row() + 1 < grid.rows() ? grid.ys()[patch.row() + 1] * s : sr.height();
      int[] colour = COLOURS[result.subnets()[p]];
      for (int y = y0; y < y1; y++) {
        for (int x = x0; x < x1; x++) {
          boolean edge = y == y0 || x == x0;
          for (int c = 0; c < 3; c++) {
            int i = (y * w + x) * 3 + c;
            float v = out[i] & 0xff;
            float mixed = edge ? colour[c] : (1 - TINT) * v + TINT * colour[c];
            out[i] = (byte) Math.round(mixed);
          }
        }
      }
    }
    return new Rgb8Image(sr.width(), sr.height(), out);
  }
}

package io.armsr.infer;

import io.armsr.model.PatchGeometry;
import java.util.Locale;

/**
 * The two ways of cutting an LR image into 32x32 patches.
 *
 * <ul>
 *   <li>{@link #REFERENCE}: the official grid (ARM.md 5.2): origins {@code 0, 28, 56, ...} while
 *       the patch fits, no flush last patch, so up to 27 LR pixels at the bottom and right are
 *       never processed; each patch is convolved on its own with zero padding and rounded to 8 bits
 *       before the overlaps are averaged. Kept to verify parity with the release.
 *   <li>{@link #FULL}: the default. The same step-28 grid plus a last row and column flush with the
 *       border, so every pixel is covered and the output is exactly 4x the input; each patch is run
 *       with a margin of real neighbouring LR pixels (replicated at the image border) of which only
 *       the centre is kept, so there are no seams; patches of images smaller than 32 pixels shrink
 *       to the image.
 * </ul>
 */
public enum Grid {
  REFERENCE,
  FULL;

  /** Patch size in LR pixels (ARM.md 5). */
  public static final int PATCH = PatchGeometry.LR_PATCH;

  /** Step between patch origins in LR pixels (ARM.md 5). */
  public static final int STEP = PatchGeometry.STEP;

  /**
   * Margin of context LR pixels around each patch in the full grid (enough for the official
   * weights).
   */
  public static final int DEFAULT_MARGIN = 4;

  public String id() {
    return name().toLowerCase(Locale.ROOT);
  }

  public static Grid parse(String s) {
    for (Grid g : values()) {
      if (g.id().equalsIgnoreCase(s)) {
        return g;
      }
    }
    throw new IllegalArgumentException("a grid is 'full' or 'reference', got '" + s + "'");
  }
}

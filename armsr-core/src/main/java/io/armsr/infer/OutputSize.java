package io.armsr.infer;

import io.armsr.model.Backbone;
import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * The size the output file is brought to after the x4 super-resolution: the x4 result itself, a
 * scale {@code 1 < S <= 4} of the input, or a target width and/or height with the aspect kept. The
 * network always runs at x4 (its only scale); a smaller output is the x4 result resized with
 * MATLAB's antialiased bicubic ({@link io.armsr.imagefile.DecodedImage#resized}), which keeps more
 * detail than upscaling the input by S directly.
 *
 * <p>Sizes are derived from the x4 result's size {@code W4 x H4} (four times the part of the input
 * the patch grid covers, the whole input for the default grid):
 *
 * <ul>
 *   <li>scale S: {@code ceil(S * W4 / 4) x ceil(S * H4 / 4)}, computed exactly in decimal (so S =
 *       2.5 on a 101-pixel side gives 253, not a float's 252.99...);
 *   <li>width W alone: {@code W x max(1, round(H4 * W / W4))}, height H alone likewise, rounding
 *       half up;
 *   <li>both: the largest size of the input's aspect that fits inside {@code W x H}: the side that
 *       limits (the smaller of {@code W / W4} and {@code H / H4}; the width on a tie) is taken
 *       exactly and the other is derived as above, so it never exceeds the box.
 * </ul>
 *
 * A size above x4 on either side cannot be made from the x4 result and is refused.
 *
 * @param scale S, or null
 * @param width the target width, or null
 * @param height the target height, or null
 */
public record OutputSize(BigDecimal scale, Integer width, Integer height) {

  /** The x4 result as it is (no resize): what the output is without size options. */
  public static final OutputSize X4 = new OutputSize(null, null, null);

  /** A width and height in pixels. */
  public record Size(int width, int height) {
    @Override
    public String toString() {
      return width + "x" + height;
    }
  }

  /**
   * Checks the options: S in (1, 4], positive sizes, and not S together with a size.
   *
   * @throws IllegalArgumentException naming the option, for a usage error
   */
  public OutputSize {
    if (scale != null) {
      if (width != null || height != null) {
        throw new IllegalArgumentException(
            "--scale cannot be combined with --width/--height (choose a factor or a size)");
      }
      if (scale.compareTo(BigDecimal.ONE) <= 0
          || scale.compareTo(BigDecimal.valueOf(Backbone.SCALE)) > 0) {
        throw new IllegalArgumentException(
            "--scale must be more than 1 and at most 4, got " + scale.toPlainString());
      }
    }
    if (width != null && width < 1) {
      throw new IllegalArgumentException("--width must be positive, got " + width);
    }
    if (height != null && height < 1) {
      throw new IllegalArgumentException("--height must be positive, got " + height);
    }
  }

  /** True when the output is the x4 result as it is (no size option). */
  public boolean isX4() {
    return scale == null && width == null && height == null;
  }

  /**
   * The output size for an x4 result of {@code x4Width x x4Height}.
   *
   * @throws IllegalArgumentException if the size asked for is larger than the x4 result
   */
  public Size target(int x4Width, int x4Height) {
    if (isX4()) {
      return new Size(x4Width, x4Height);
    }
    if (scale != null) {
      return new Size(scaled(x4Width), scaled(x4Height));
    }
    Size s;
    if (width != null && (height == null || (long) width * x4Height <= (long) height * x4Width)) {
      s = new Size(width, derive(x4Height, width, x4Width));
    } else {
      s = new Size(derive(x4Width, height, x4Height), height);
    }
    if (s.width() > x4Width || s.height() > x4Height) {
      throw new IllegalArgumentException(
          "the output size asked for, "
              + s
              + ", is larger than x4 of the input ("
              + x4Width
              + "x"
              + x4Height
              + "), the most armsr can make");
    }
    return s;
  }

  private int scaled(int x4Length) {
    return scale
        .multiply(BigDecimal.valueOf(x4Length))
        .divide(BigDecimal.valueOf(Backbone.SCALE), 0, RoundingMode.CEILING)
        .intValueExact();
  }

  /**
   * {@code max(1, round(other * side / sideX4))}, half up, in integers (capped at the int range;
   * such a size is refused as above x4 anyway).
   */
  private static int derive(int other, int side, int sideX4) {
    long v = (2L * other * side + sideX4) / (2L * sideX4);
    return (int) Math.min(Integer.MAX_VALUE, Math.max(1, v));
  }
}

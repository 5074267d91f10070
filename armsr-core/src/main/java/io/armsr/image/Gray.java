package io.armsr.image;

/**
 * OpenCV's 8-bit {@code cvtColor(BGR2GRAY)}, the gray image the official edge score is computed on
 * (ARM.md 4.1 step 1, checklist 9.5).
 *
 * <p>OpenCV &gt;= 3.4.3 uses 15-bit fixed-point weights: {@code Y = (9798 R + 19235 G + 3735 B +
 * 16384) >> 15}. The older 14-bit form {@code (4899 R + 9617 G + 1868 B + 8192) >> 14} differs on
 * 43,864 colours and changes one subnet choice in Set14, so it is deliberately not offered.
 */
public final class Gray {
  private Gray() {}

  /** Gray value 0..255 of one RGB colour with components 0..255. */
  public static int luma(int r, int g, int b) {
    return (9798 * r + 19235 * g + 3735 * b + 16384) >> 15;
  }

  /**
   * The gray image of {@code img} as {@code height * width} values 0..255 in row-major order: pixel
   * (x, y) is at index {@code y * width + x}.
   */
  public static int[] of(Rgb8Image img) {
    byte[] px = img.pixels();
    int[] out = new int[img.width() * img.height()];
    for (int i = 0; i < out.length; i++) {
      out[i] = luma(px[3 * i] & 0xff, px[3 * i + 1] & 0xff, px[3 * i + 2] & 0xff);
    }
    return out;
  }
}

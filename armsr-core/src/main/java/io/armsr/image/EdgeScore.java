package io.armsr.image;

/**
 * ARM's patch edge score (ARM.md 4.1, checklist 9.5): the official {@code laplacian(patch).mean()}
 * on a uint8 patch, bit-for-bit.
 *
 * <ol>
 *   <li>gray = {@link Gray#luma} (OpenCV &gt;= 3.4.3 fixed point);
 *   <li>L = 3x3 filter with kernel {@code [[2,0,2],[0,-8,0],[2,0,2]]} ({@code cv2.Laplacian(gray,
 *       CV_16S, ksize=3)}), border {@code BORDER_REFLECT_101} ({@code ...cb|abc...}) inside the
 *       patch only: the official code cuts the patch out first, so neighbouring patches never
 *       contribute;
 *   <li>{@code min(|L|, 255)} ({@code cv2.convertScaleAbs}, saturating);
 *   <li>arithmetic mean over the patch's pixels, as a double.
 * </ol>
 *
 * <p>The sum is an exact integer, so the score is exactly {@code sum / (w * h)}: for the 32x32
 * patches of the pipeline a multiple of 1/1024 in [0, 255]. {@code |L| <= 8 * 255}, so CV_16S never
 * saturates.
 *
 * <p>Regions of any size &gt;= 1x1 are accepted. Along a dimension of length 1 reflect-101 has no
 * neighbour; OpenCV's {@code borderInterpolate} then returns the pixel itself, and so does this
 * class (a 1-pixel-high region sees its own row above and below).
 */
public final class EdgeScore {
  private EdgeScore() {}

  /** Edge score of a whole patch (in the pipeline a 32x32 LR patch, ARM.md 5.3). */
  public static double of(Rgb8Image patch) {
    return of(patch, 0, 0, patch.width(), patch.height());
  }

  /**
   * Edge score of the region [x0, x0+w) x [y0, y0+h) of {@code image}, exactly as if it had been
   * cut out with {@link Rgb8Image#crop} first (borders are reflected inside the region), but
   * without copying the pixels.
   *
   * @throws IllegalArgumentException if the region is empty or not inside the image
   */
  public static double of(Rgb8Image image, int x0, int y0, int w, int h) {
    if (x0 < 0 || y0 < 0 || w <= 0 || h <= 0 || x0 + w > image.width() || y0 + h > image.height()) {
      throw new IllegalArgumentException(
          "region "
              + w
              + "x"
              + h
              + "+"
              + x0
              + "+"
              + y0
              + " outside "
              + image.width()
              + "x"
              + image.height());
    }
    // Gray of the region only: each gray value is used up to five times below.
    int[] gray = new int[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        gray[y * w + x] =
            Gray.luma(
                image.get(x0 + x, y0 + y, 0),
                image.get(x0 + x, y0 + y, 1),
                image.get(x0 + x, y0 + y, 2));
      }
    }
    long sum = 0;
    for (int y = 0; y < h; y++) {
      int up = reflect101(y - 1, h) * w;
      int down = reflect101(y + 1, h) * w;
      for (int x = 0; x < w; x++) {
        int left = reflect101(x - 1, w);
        int right = reflect101(x + 1, w);
        // Only the corners and the centre of OpenCV's ksize=3 kernel are non-zero.
        int lap =
            2 * (gray[up + left] + gray[up + right] + gray[down + left] + gray[down + right])
                - 8 * gray[y * w + x];
        sum += Math.min(Math.abs(lap), 255);
      }
    }
    return sum / (double) (w * h);
  }

  /**
   * OpenCV {@code BORDER_REFLECT_101} for an index at most one step outside [0, n): -1 maps to 1
   * and n to n-2; for n == 1 both map to 0, as in OpenCV's {@code borderInterpolate}.
   */
  private static int reflect101(int i, int n) {
    if (n == 1) {
      return 0;
    }
    if (i < 0) {
      return -i;
    }
    if (i >= n) {
      return 2 * n - 2 - i;
    }
    return i;
  }
}

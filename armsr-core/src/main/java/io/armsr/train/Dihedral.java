package io.armsr.train;

/**
 * The 8 dihedral transforms of a square patch, the official augmentation (ARM.md 2.2, BasicSR's
 * {@code augment}): horizontal flip, vertical flip and transpose, each with probability 1/2,
 * applied in that order. Variant {@code k} in 0..7 uses bit 0 = hflip, bit 1 = vflip, bit 2 =
 * transpose; LR and HR patches of one sample get the same k, which keeps them aligned.
 */
public final class Dihedral {
  /** Number of variants. */
  public static final int VARIANTS = 8;

  private Dihedral() {}

  /**
   * Transforms a planar patch.
   *
   * @param src (channels, n, n) row-major
   * @param k variant 0..7
   * @return (channels, n, n), a new array
   */
  public static float[] apply(float[] src, int channels, int n, int k) {
    float[] out = new float[src.length];
    apply(src, 0, channels, n, k, out, 0);
    return out;
  }

  /**
   * Transforms {@code (channels, n, n)} at {@code src[srcOffset]} into {@code dst[dstOffset]}.
   * Output pixel (y, x) reads input (row, col): with transpose (a, b) = (x, y) else (y, x); then
   * row = vflip ? n-1-a : a and col = hflip ? n-1-b : b.
   */
  static void apply(
      float[] src, int srcOffset, int channels, int n, int k, float[] dst, int dstOffset) {
    if (k < 0 || k >= VARIANTS) {
      throw new IllegalArgumentException("dihedral variant must be 0..7: " + k);
    }
    if (src.length - srcOffset < channels * n * n) {
      throw new IllegalArgumentException("patch smaller than " + channels + "x" + n + "x" + n);
    }
    boolean hflip = (k & 1) != 0;
    boolean vflip = (k & 2) != 0;
    boolean transpose = (k & 4) != 0;
    int plane = n * n;
    for (int c = 0; c < channels; c++) {
      int s0 = srcOffset + c * plane;
      int d0 = dstOffset + c * plane;
      for (int y = 0; y < n; y++) {
        for (int x = 0; x < n; x++) {
          int a = transpose ? x : y;
          int b = transpose ? y : x;
          int row = vflip ? n - 1 - a : a;
          int col = hflip ? n - 1 - b : b;
          dst[d0 + y * n + x] = src[s0 + row * n + col];
        }
      }
    }
  }
}

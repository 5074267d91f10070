package io.armsr.image;

/**
 * PyTorch's {@code F.interpolate(x, scale_factor=s, mode='bicubic'|'bilinear',
 * align_corners=False)} (no antialias) as dense 1-D interpolation matrices, plus a plain-Java
 * separable bicubic upscaler built on them.
 *
 * <p>ARM's subnet 0 is this bicubic x4 (ARM.md 1, 9.3) and SRResNet's skip is the bilinear x4
 * (ARM.md 1.4, 9.2). Both interpolations are separable, so a 2-D resize of an {@code (h, w)} plane
 * {@code X} is {@code A_h X A_w^T} with the matrices below; the networks evaluate exactly that
 * product on the engine, and this class is the pure-Java reference for it.
 *
 * <p>Source coordinate (torch {@code area_pixel_compute_source_index} with {@code scale=1/s}):
 * {@code src = (dst + 0.5) / s - 0.5}. Bicubic does not clamp {@code src} and clamps each of its
 * four taps {@code floor(src)-1 .. floor(src)+2} to {@code [0, in-1]}; bilinear clamps {@code src}
 * at 0 and its right neighbour at {@code in-1}.
 */
public final class TorchResize {
  /** PyTorch's cubic-convolution coefficient ({@code upsample_bicubic2d}, Keys with A=-0.75). */
  static final double CUBIC_A = -0.75;

  private TorchResize() {}

  /**
   * The bicubic interpolation matrix, {@code (in*scale) x in} row-major: row {@code d} holds the
   * weights of input samples for output sample {@code d}. Where border clamping maps two taps to
   * the same input sample their weights are added, so every row sums to 1.
   */
  public static float[] bicubicMatrix(int inSize, int scale) {
    checkArgs(inSize, scale);
    int outSize = inSize * scale;
    float[] m = new float[outSize * inSize];
    for (int d = 0; d < outSize; d++) {
      // torch computes the coordinate and coefficients in float (opmath of float32).
      float src = (float) ((d + 0.5) / scale - 0.5);
      int i0 = (int) Math.floor(src);
      float t = src - i0;
      float[] c = cubicCoefficients(t);
      for (int k = 0; k < 4; k++) {
        int idx = Math.min(Math.max(i0 - 1 + k, 0), inSize - 1);
        m[d * inSize + idx] += c[k];
      }
    }
    return m;
  }

  /**
   * The bilinear interpolation matrix, {@code (in*scale) x in} row-major (align_corners=False:
   * {@code src = max((d+0.5)/s-0.5, 0)}, right neighbour clamped to {@code in-1}).
   */
  public static float[] bilinearMatrix(int inSize, int scale) {
    checkArgs(inSize, scale);
    int outSize = inSize * scale;
    float[] m = new float[outSize * inSize];
    for (int d = 0; d < outSize; d++) {
      float src = Math.max((float) ((d + 0.5) / scale - 0.5), 0f);
      int i0 = (int) src; // src >= 0, so truncation is floor
      int i1 = i0 < inSize - 1 ? i0 + 1 : i0;
      float l1 = src - i0;
      float l0 = 1f - l1;
      m[d * inSize + i0] += l0;
      m[d * inSize + i1] += l1;
    }
    return m;
  }

  /**
   * The same resize as {@link #upscaleBicubic}, computed from the four taps of each output sample
   * instead of the dense matrices: 16 multiply-adds per output sample, and no {@code (s*n) x n}
   * matrix, so it suits whole large images (an alpha plane) where the dense form is quadratic in
   * the width. Results agree with {@link #upscaleBicubic} to float rounding (same float
   * coefficients, double accumulation, taps summed in another order).
   *
   * @param img (C, h, w)
   * @return (C, scale*h, scale*w), not clamped
   */
  public static PlanarImage upscaleBicubicSparse(PlanarImage img, int scale) {
    int h = img.height();
    int w = img.width();
    checkArgs(h, scale);
    checkArgs(w, scale);
    int oh = h * scale;
    int ow = w * scale;
    int[] xi = new int[ow * 4];
    float[] xc = new float[ow * 4];
    taps(w, scale, xi, xc);
    int[] yi = new int[oh * 4];
    float[] yc = new float[oh * 4];
    taps(h, scale, yi, yc);
    float[] out = new float[img.channels() * oh * ow];
    double[] rows = new double[h * ow];
    float[] src = img.data();
    for (int c = 0; c < img.channels(); c++) {
      int base = c * h * w;
      for (int y = 0; y < h; y++) {
        for (int ox = 0; ox < ow; ox++) {
          double s = 0;
          for (int k = 0; k < 4; k++) {
            s += (double) xc[4 * ox + k] * src[base + y * w + xi[4 * ox + k]];
          }
          rows[y * ow + ox] = s;
        }
      }
      int obase = c * oh * ow;
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          double s = 0;
          for (int k = 0; k < 4; k++) {
            s += yc[4 * oy + k] * rows[yi[4 * oy + k] * ow + ox];
          }
          out[obase + oy * ow + ox] = (float) s;
        }
      }
    }
    return new PlanarImage(img.channels(), oh, ow, out);
  }

  /** The four clamped input indices and float coefficients of each output sample (as above). */
  private static void taps(int inSize, int scale, int[] idx, float[] coef) {
    for (int d = 0; d < inSize * scale; d++) {
      float src = (float) ((d + 0.5) / scale - 0.5);
      int i0 = (int) Math.floor(src);
      float[] c = cubicCoefficients(src - i0);
      for (int k = 0; k < 4; k++) {
        idx[4 * d + k] = Math.min(Math.max(i0 - 1 + k, 0), inSize - 1);
        coef[4 * d + k] = c[k];
      }
    }
  }

  /**
   * Torch-compatible bicubic upscaling of every channel by an integer factor, applied separably in
   * plain Java (rows first, then columns; accumulation in double).
   *
   * @param img (C, h, w)
   * @return (C, scale*h, scale*w), not clamped (cubic overshoot is kept, as in torch)
   */
  public static PlanarImage upscaleBicubic(PlanarImage img, int scale) {
    int h = img.height();
    int w = img.width();
    int oh = h * scale;
    int ow = w * scale;
    float[] ah = bicubicMatrix(h, scale);
    float[] aw = bicubicMatrix(w, scale);
    float[] out = new float[img.channels() * oh * ow];
    double[] rows = new double[h * ow];
    float[] src = img.data();
    for (int c = 0; c < img.channels(); c++) {
      int base = c * h * w;
      // Horizontal pass: rows[y][X] = sum_x aw[X][x] * img[y][x].
      for (int y = 0; y < h; y++) {
        for (int ox = 0; ox < ow; ox++) {
          double s = 0;
          for (int x = 0; x < w; x++) {
            s += (double) aw[ox * w + x] * src[base + y * w + x];
          }
          rows[y * ow + ox] = s;
        }
      }
      // Vertical pass: out[Y][X] = sum_y ah[Y][y] * rows[y][X].
      int obase = c * oh * ow;
      for (int oy = 0; oy < oh; oy++) {
        for (int ox = 0; ox < ow; ox++) {
          double s = 0;
          for (int y = 0; y < h; y++) {
            s += ah[oy * h + y] * rows[y * ow + ox];
          }
          out[obase + oy * ow + ox] = (float) s;
        }
      }
    }
    return new PlanarImage(img.channels(), oh, ow, out);
  }

  /**
   * The four weights of taps {@code floor(src)-1 .. floor(src)+2} for fractional offset {@code t},
   * exactly as torch's {@code get_cubic_upsample_coefficients}.
   */
  static float[] cubicCoefficients(float t) {
    float a = (float) CUBIC_A;
    return new float[] {
      cubic2(t + 1f, a), cubic1(t, a), cubic1(1f - t, a), cubic2(2f - t, a),
    };
  }

  /** Keys' kernel for |x| <= 1: {@code ((A+2)x - (A+3)) x^2 + 1}. */
  private static float cubic1(float x, float a) {
    return ((a + 2f) * x - (a + 3f)) * x * x + 1f;
  }

  /** Keys' kernel for 1 < |x| < 2: {@code ((A x - 5A) x + 8A) x - 4A}. */
  private static float cubic2(float x, float a) {
    return ((a * x - 5f * a) * x + 8f * a) * x - 4f * a;
  }

  private static void checkArgs(int inSize, int scale) {
    if (inSize <= 0 || scale <= 0) {
      throw new IllegalArgumentException(
          "size and scale must be positive: in=" + inSize + ", scale=" + scale);
    }
  }
}

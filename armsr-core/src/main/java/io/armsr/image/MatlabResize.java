package io.armsr.image;

/**
 * MATLAB's {@code imresize(img, scale, 'bicubic')} with its default anti-aliasing: the resampler
 * that made the LR files of the standard SR test sets (Set5, Set14, BSD100, ...). Use it to make LR
 * inputs from HR images the way the benchmarks did; the network pipeline's own bicubic (ARM.md 5.3,
 * checklist 9.3) is PyTorch's and is a different function.
 *
 * <p>Per dimension, with 1-based output index {@code x} and input length {@code n}:
 *
 * <ul>
 *   <li>output length {@code ceil(n * scale)};
 *   <li>centre {@code u = x / scale + 0.5 * (1 - 1 / scale)} in 1-based input coordinates;
 *   <li>cubic kernel with {@code a = -0.5} (Keys), support 4; when downscaling the kernel is
 *       stretched to width {@code 4 / scale} and its weights become {@code scale * cubic(scale *
 *       d)} (the anti-aliasing);
 *   <li>taps {@code floor(u - width / 2) + 0 .. ceil(width) + 1}, weights normalised to sum 1, in
 *       double;
 *   <li>taps outside {@code [1, n]}: see {@link Variant}.
 * </ul>
 *
 * <p>The two dimensions are resized one after the other, rows (height) first, as MATLAB orders
 * equal scales. Two variants exist because the common Python port differs from MATLAB:
 *
 * <ul>
 *   <li>{@link Variant#MATLAB} (the default): out-of-range taps are clamped to the end pixels
 *       (MATLAB's {@code contributions}: "has the effect of replicating end-points"), and for 8-bit
 *       input every pass returns uint8 (MATLAB's {@code imresizemex} keeps the input class), so the
 *       intermediate image is rounded and saturated too. This reproduces the LR files of Set14 and
 *       BSD100 from their HR files bit for bit (see the test).
 *   <li>{@link Variant#BASICSR}: BasicSR's / ARM's {@code imresize_np} (ARM.md 2.1, used for the
 *       training data): taps mirrored symmetrically ({@code ...ba|ab...}), no intermediate
 *       rounding. On the benchmark files it differs from them in about 11% of the values, by a mean
 *       of at most 0.22 per image.
 * </ul>
 *
 * <p>8-bit results are rounded half away from zero and saturated to 0..255, as MATLAB does for
 * uint8. Float results are neither rounded nor clamped.
 */
public final class MatlabResize {
  private MatlabResize() {}

  /** How out-of-range taps and 8-bit intermediates are treated; see the class comment. */
  public enum Variant {
    /** MATLAB itself: replicated end points, uint8 rounding after each pass for 8-bit input. */
    MATLAB,
    /** BasicSR's {@code imresize_np}: symmetric mirroring, no intermediate rounding. */
    BASICSR
  }

  /** {@link #resize(Rgb8Image, double, Variant)} with {@link Variant#MATLAB}. */
  public static Rgb8Image resize(Rgb8Image img, double scale) {
    return resize(img, scale, Variant.MATLAB);
  }

  /**
   * Resizes an 8-bit RGB image by {@code scale} (e.g. 0.25 for the x4 benchmarks' LR images). The
   * result is {@code ceil(width * scale) x ceil(height * scale)}.
   *
   * @throws IllegalArgumentException if {@code scale} is not a positive finite number
   */
  public static Rgb8Image resize(Rgb8Image img, double scale, Variant variant) {
    int w = img.width();
    int h = img.height();
    int outW = outLength(w, scale);
    int outH = outLength(h, scale);
    byte[] px = img.pixels();
    double[] in = new double[px.length];
    for (int i = 0; i < px.length; i++) {
      in[i] = px[i] & 0xff;
    }
    boolean roundBetween = variant == Variant.MATLAB;
    double[] res = resizeHwc(in, h, w, 3, outH, outW, scale, variant, roundBetween);
    byte[] out = new byte[res.length];
    for (int i = 0; i < res.length; i++) {
      out[i] = (byte) toUint8(res[i]);
    }
    return new Rgb8Image(outW, outH, out);
  }

  /** {@link #resize(PlanarImage, double, Variant)} with {@link Variant#MATLAB}. */
  public static PlanarImage resize(PlanarImage img, double scale) {
    return resize(img, scale, Variant.MATLAB);
  }

  /**
   * Resizes every channel of a planar float image by {@code scale}, in double, storing the results
   * as float without rounding or clamping (bicubic overshoots, so values may leave the input
   * range). This is MATLAB's behaviour for {@code double}/{@code single} input.
   *
   * @throws IllegalArgumentException if {@code scale} is not a positive finite number
   */
  public static PlanarImage resize(PlanarImage img, double scale, Variant variant) {
    int w = img.width();
    int h = img.height();
    int outW = outLength(w, scale);
    int outH = outLength(h, scale);
    float[] data = img.data();
    float[] out = new float[img.channels() * outH * outW];
    double[] plane = new double[h * w];
    for (int c = 0; c < img.channels(); c++) {
      for (int i = 0; i < plane.length; i++) {
        plane[i] = data[c * h * w + i];
      }
      double[] res = resizeHwc(plane, h, w, 1, outH, outW, scale, variant, false);
      for (int i = 0; i < res.length; i++) {
        out[c * outH * outW + i] = (float) res[i];
      }
    }
    return new PlanarImage(img.channels(), outH, outW, out);
  }

  /** MATLAB's output length for a scale factor: {@code ceil(n * scale)}. */
  static int outLength(int n, double scale) {
    if (!(scale > 0) || Double.isInfinite(scale)) {
      throw new IllegalArgumentException("scale must be a positive finite number, got " + scale);
    }
    double len = Math.ceil(n * scale);
    if (len > Integer.MAX_VALUE / 4) {
      throw new IllegalArgumentException("scale " + scale + " makes " + n + " pixels too large");
    }
    return (int) len;
  }

  /** MATLAB's uint8 conversion: round half away from zero, saturate to 0..255. */
  private static int toUint8(double v) {
    // Math.round is floor(v + 0.5) computed exactly: half away from zero for v >= 0.
    return (int) Math.round(Math.min(255.0, Math.max(0.0, v)));
  }

  /**
   * The weights and 0-based input indices of one dimension: output {@code i} is {@code sum_j
   * weight[i * taps + j] * in[index[i * taps + j]]}.
   */
  record Contributions(int taps, int[] index, double[] weight) {}

  static Contributions contributions(int inLength, int outLength, double scale, Variant variant) {
    boolean antialias = scale < 1;
    double kernelWidth = antialias ? 4.0 / scale : 4.0;
    int taps = (int) Math.ceil(kernelWidth) + 2;
    int[] index = new int[outLength * taps];
    double[] weight = new double[outLength * taps];
    for (int i = 0; i < outLength; i++) {
      double u = (i + 1) / scale + 0.5 * (1 - 1 / scale);
      double left = Math.floor(u - kernelWidth / 2);
      double sum = 0;
      for (int j = 0; j < taps; j++) {
        double ind = left + j;
        double d = u - ind;
        double wj = antialias ? scale * cubic(scale * d) : cubic(d);
        weight[i * taps + j] = wj;
        sum += wj;
        long zeroBased = (long) ind - 1;
        index[i * taps + j] =
            variant == Variant.MATLAB
                ? (int) Math.min(Math.max(zeroBased, 0), inLength - 1)
                : mirror(zeroBased, inLength);
      }
      for (int j = 0; j < taps; j++) {
        weight[i * taps + j] /= sum;
      }
    }
    return new Contributions(taps, index, weight);
  }

  /** Keys' cubic convolution kernel with a = -0.5 (MATLAB's {@code cubic}). */
  static double cubic(double x) {
    double ax = Math.abs(x);
    double ax2 = ax * ax;
    double ax3 = ax2 * ax;
    if (ax <= 1) {
      return 1.5 * ax3 - 2.5 * ax2 + 1;
    }
    if (ax <= 2) {
      return -0.5 * ax3 + 2.5 * ax2 - 4 * ax + 2;
    }
    return 0;
  }

  /** Symmetric (half-sample) mirroring of a 0-based index into [0, n), with period 2n. */
  private static int mirror(long i, int n) {
    int m = (int) Math.floorMod(i, 2L * n);
    return m < n ? m : 2 * n - 1 - m;
  }

  /**
   * Resizes an 8-bit RGB image to exactly {@code outWidth x outHeight}, as MATLAB's {@code
   * imresize(img, [outHeight outWidth], 'bicubic')} does: each dimension has its own scale, {@code
   * out / in}, anti-aliased when it shrinks, and the dimension that shrinks most goes first (rows
   * first on a tie), with uint8 rounding after each pass ({@link Variant#MATLAB}).
   *
   * @throws IllegalArgumentException if a size is not positive
   */
  public static Rgb8Image resizeTo(Rgb8Image img, int outWidth, int outHeight) {
    byte[] px = img.pixels();
    double[] in = new double[px.length];
    for (int i = 0; i < px.length; i++) {
      in[i] = px[i] & 0xff;
    }
    double[] res = resizeTo(in, img.width(), img.height(), 3, outWidth, outHeight, 255);
    byte[] out = new byte[res.length];
    for (int i = 0; i < res.length; i++) {
      out[i] = (byte) res[i];
    }
    return new Rgb8Image(outWidth, outHeight, out);
  }

  /**
   * {@link #resizeTo(Rgb8Image, int, int)} for unsigned samples of {@code max} = 255 or 65535
   * (uint8 or uint16, rounded half away from zero and saturated after each pass as MATLAB does for
   * that class), row-major and interleaved with {@code channels} samples per pixel.
   *
   * @throws IllegalArgumentException if a size is not positive, or the array does not match
   */
  public static short[] resizeTo(
      short[] samples, int width, int height, int channels, int outWidth, int outHeight, int max) {
    if ((long) width * height * channels != samples.length) {
      throw new IllegalArgumentException(
          samples.length + " samples do not make " + width + "x" + height + "x" + channels);
    }
    double[] in = new double[samples.length];
    for (int i = 0; i < in.length; i++) {
      in[i] = samples[i] & 0xffff;
    }
    double[] res = resizeTo(in, width, height, channels, outWidth, outHeight, max);
    short[] out = new short[res.length];
    for (int i = 0; i < res.length; i++) {
      out[i] = (short) res[i];
    }
    return out;
  }

  private static double[] resizeTo(double[] in, int w, int h, int ch, int outW, int outH, int max) {
    if (outW < 1 || outH < 1 || w < 1 || h < 1) {
      throw new IllegalArgumentException(
          "cannot resize " + w + "x" + h + " to " + outW + "x" + outH);
    }
    double scaleH = (double) outH / h;
    double scaleW = (double) outW / w;
    return resizeHwc(in, h, w, ch, outH, outW, scaleH, scaleW, Variant.MATLAB, max);
  }

  /** MATLAB's integer conversion for {@code max} = 255 or 65535; none for {@code max} = 0. */
  private static double toUnsigned(double v, int max) {
    return max == 0 ? v : Math.round(Math.min(max, Math.max(0.0, v)));
  }

  /**
   * Separable resize of an interleaved (h, w, ch) array: rows first (height), then columns. Taps
   * with zero weight are skipped (MATLAB drops those columns of its weight matrix). With {@code
   * roundBetween} the intermediate image is converted to uint8 as MATLAB does for 8-bit input.
   */
  private static double[] resizeHwc(
      double[] in,
      int h,
      int w,
      int ch,
      int outH,
      int outW,
      double scale,
      Variant variant,
      boolean roundBetween) {
    return resizeHwc(in, h, w, ch, outH, outW, scale, scale, variant, roundBetween ? 255 : 0);
  }

  /**
   * Separable resize of an interleaved (h, w, ch) array with a scale per dimension. MATLAB resizes
   * the dimension with the smaller scale first (rows first on a tie); taps with zero weight are
   * skipped (MATLAB drops those columns of its weight matrix). With {@code max} > 0 the
   * intermediate image is converted to the unsigned class of that maximum (uint8, uint16) as MATLAB
   * does for integer input, and so is the result; the 8-bit callers round the result themselves, so
   * only the intermediate matters there.
   */
  private static double[] resizeHwc(
      double[] in,
      int h,
      int w,
      int ch,
      int outH,
      int outW,
      double scaleH,
      double scaleW,
      Variant variant,
      int max) {
    if (scaleW < scaleH) {
      double[] mid = resizeCols(in, h, w, ch, outW, scaleW, variant);
      round(mid, max);
      double[] out = resizeRows(mid, h, outW, ch, outH, scaleH, variant);
      round(out, max);
      return out;
    }
    double[] mid = resizeRows(in, h, w, ch, outH, scaleH, variant);
    round(mid, max);
    double[] out = resizeCols(mid, outH, w, ch, outW, scaleW, variant);
    round(out, max);
    return out;
  }

  private static void round(double[] a, int max) {
    if (max > 0) {
      for (int i = 0; i < a.length; i++) {
        a[i] = toUnsigned(a[i], max);
      }
    }
  }

  /** The height pass: (h, w, ch) to (outH, w, ch). */
  private static double[] resizeRows(
      double[] in, int h, int w, int ch, int outH, double scale, Variant variant) {
    Contributions rows = contributions(h, outH, scale, variant);
    double[] mid = new double[outH * w * ch];
    int rowLen = w * ch;
    for (int o = 0; o < outH; o++) {
      for (int j = 0; j < rows.taps(); j++) {
        double wt = rows.weight()[o * rows.taps() + j];
        if (wt == 0) {
          continue;
        }
        int src = rows.index()[o * rows.taps() + j] * rowLen;
        int dst = o * rowLen;
        for (int k = 0; k < rowLen; k++) {
          mid[dst + k] += wt * in[src + k];
        }
      }
    }
    return mid;
  }

  /** The width pass: (h, w, ch) to (h, outW, ch). */
  private static double[] resizeCols(
      double[] mid, int h, int w, int ch, int outW, double scale, Variant variant) {
    Contributions cols = contributions(w, outW, scale, variant);
    double[] out = new double[h * outW * ch];
    for (int y = 0; y < h; y++) {
      for (int o = 0; o < outW; o++) {
        int dst = (y * outW + o) * ch;
        for (int j = 0; j < cols.taps(); j++) {
          double wt = cols.weight()[o * cols.taps() + j];
          if (wt == 0) {
            continue;
          }
          int src = (y * w + cols.index()[o * cols.taps() + j]) * ch;
          for (int c = 0; c < ch; c++) {
            out[dst + c] += wt * mid[src + c];
          }
        }
      }
    }
    return out;
  }
}

package io.armsr.image;

/**
 * Super-resolution quality metrics.
 *
 * <ul>
 *   <li>{@link #psnr}: the number ARM reports (ARM.md 5.5, checklist 9.7): RGB PSNR over all three
 *       channels of the stitched, <em>unrounded</em> float canvas against the 8-bit ground truth,
 *       both cropped by a border, float64, peak 255, and 80 dB when the images are equal.
 *   <li>{@link #psnrY} and {@link #ssimY}: the usual SR convention of other papers (BasicSR's
 *       {@code calculate_psnr} / {@code calculate_ssim} with {@code test_y_channel=True}), on the
 *       ITU-R BT.601 luma {@code Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255} of 0..255
 *       values, computed in float64 and not rounded. ARM computes Y-PSNR but never prints it, and
 *       never computes SSIM (ARM.md 5.5).
 * </ul>
 *
 * <p>{@code border} pixels are removed from every side of both images before anything is computed
 * (ARM uses 4, the scale). Shapes must match exactly.
 */
public final class ImageMetrics {
  private ImageMetrics() {}

  /** What {@link #psnr} returns for identical images: the official code's cap (ARM.md 5.5). */
  public static final double PSNR_IDENTICAL = 80.0;

  /**
   * ARM's reported RGB PSNR (ARM.md 5.5): {@code 10 log10(255^2 / mse)} with the MSE taken in
   * float64 over all three channels of the cropped images, and exactly {@value #PSNR_IDENTICAL}
   * when {@code mse == 0}.
   *
   * @param sr255 the super-resolved image, 3 x H x W (CHW, RGB), values on the 0..255 scale (the
   *     float canvas of the tiling pipeline, not rounded)
   * @param hr the ground truth, W x H RGB
   * @param border pixels cropped from each side of both images
   * @throws IllegalArgumentException if the shapes differ or the border leaves nothing
   */
  public static double psnr(PlanarImage sr255, Rgb8Image hr, int border) {
    if (sr255.channels() != 3 || sr255.height() != hr.height() || sr255.width() != hr.width()) {
      throw new IllegalArgumentException(
          "PSNR needs images of the same shape: SR is "
              + sr255.channels()
              + "x"
              + sr255.height()
              + "x"
              + sr255.width()
              + " (CHW), HR is 3x"
              + hr.height()
              + "x"
              + hr.width());
    }
    checkBorder(hr.width(), hr.height(), border, 1);
    int w = hr.width();
    int h = hr.height();
    double sum = 0;
    for (int c = 0; c < 3; c++) {
      for (int y = border; y < h - border; y++) {
        for (int x = border; x < w - border; x++) {
          double d = (double) sr255.get(c, y, x) - hr.get(x, y, c);
          sum += d * d;
        }
      }
    }
    double mse = sum / (3.0 * (w - 2 * border) * (h - 2 * border));
    return mse == 0 ? PSNR_IDENTICAL : 10 * Math.log10(255.0 * 255.0 / mse);
  }

  /**
   * Y-channel PSNR (BasicSR convention): {@code 10 log10(255^2 / mse)} over the cropped luma
   * planes. Returns {@link Double#POSITIVE_INFINITY} for identical images, as BasicSR does (not
   * ARM's cap of 80).
   *
   * @throws IllegalArgumentException if the shapes differ or the border leaves nothing
   */
  public static double psnrY(Rgb8Image sr, Rgb8Image hr, int border) {
    checkSameShape(sr, hr);
    checkBorder(hr.width(), hr.height(), border, 1);
    double[] a = luma(sr, border);
    double[] b = luma(hr, border);
    double sum = 0;
    for (int i = 0; i < a.length; i++) {
      double d = a[i] - b[i];
      sum += d * d;
    }
    double mse = sum / a.length;
    return mse == 0 ? Double.POSITIVE_INFINITY : 10 * Math.log10(255.0 * 255.0 / mse);
  }

  /**
   * Y-channel SSIM (BasicSR's {@code _ssim}, Wang et al. 2004): 11x11 Gaussian window with sigma
   * 1.5 ({@code cv2.getGaussianKernel(11, 1.5)} squared), 'valid' filtering (no padding), {@code C1
   * = (0.01 * 255)^2}, {@code C2 = (0.03 * 255)^2}; the mean of the SSIM map. 1 for identical
   * images.
   *
   * @throws IllegalArgumentException if the shapes differ or the cropped images are smaller than
   *     11x11
   */
  public static double ssimY(Rgb8Image sr, Rgb8Image hr, int border) {
    checkSameShape(sr, hr);
    checkBorder(hr.width(), hr.height(), border, WINDOW);
    int w = hr.width() - 2 * border;
    int h = hr.height() - 2 * border;
    double[] a = luma(sr, border);
    double[] b = luma(hr, border);
    double[] aa = new double[a.length];
    double[] bb = new double[a.length];
    double[] ab = new double[a.length];
    for (int i = 0; i < a.length; i++) {
      aa[i] = a[i] * a[i];
      bb[i] = b[i] * b[i];
      ab[i] = a[i] * b[i];
    }
    double[] mu1 = filterValid(a, w, h);
    double[] mu2 = filterValid(b, w, h);
    double[] e11 = filterValid(aa, w, h);
    double[] e22 = filterValid(bb, w, h);
    double[] e12 = filterValid(ab, w, h);
    double c1 = (0.01 * 255) * (0.01 * 255);
    double c2 = (0.03 * 255) * (0.03 * 255);
    double sum = 0;
    for (int i = 0; i < mu1.length; i++) {
      double m1m2 = mu1[i] * mu2[i];
      double m1sq = mu1[i] * mu1[i];
      double m2sq = mu2[i] * mu2[i];
      double s1 = e11[i] - m1sq;
      double s2 = e22[i] - m2sq;
      double s12 = e12[i] - m1m2;
      sum += ((2 * m1m2 + c1) * (2 * s12 + c2)) / ((m1sq + m2sq + c1) * (s1 + s2 + c2));
    }
    return sum / mu1.length;
  }

  private static final int WINDOW = 11;

  /** cv2.getGaussianKernel(11, 1.5): exp(-(i - 5)^2 / (2 * 1.5^2)), normalised to sum 1. */
  private static final double[] GAUSS = gaussian(WINDOW, 1.5);

  private static double[] gaussian(int n, double sigma) {
    double[] k = new double[n];
    double sum = 0;
    for (int i = 0; i < n; i++) {
      double x = i - (n - 1) * 0.5;
      k[i] = Math.exp(-0.5 / (sigma * sigma) * x * x);
      sum += k[i];
    }
    for (int i = 0; i < n; i++) {
      k[i] /= sum;
    }
    return k;
  }

  /**
   * 'valid' correlation of a w x h plane with the separable 11x11 window: output (w - 10) x (h -
   * 10), row-major. The 2-D window is the outer product of {@link #GAUSS}, so filtering rows then
   * columns gives the same result up to float64 rounding.
   */
  private static double[] filterValid(double[] img, int w, int h) {
    int ow = w - WINDOW + 1;
    int oh = h - WINDOW + 1;
    double[] tmp = new double[h * ow];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < ow; x++) {
        double s = 0;
        for (int k = 0; k < WINDOW; k++) {
          s += GAUSS[k] * img[y * w + x + k];
        }
        tmp[y * ow + x] = s;
      }
    }
    double[] out = new double[oh * ow];
    for (int y = 0; y < oh; y++) {
      for (int x = 0; x < ow; x++) {
        double s = 0;
        for (int k = 0; k < WINDOW; k++) {
          s += GAUSS[k] * tmp[(y + k) * ow + x];
        }
        out[y * ow + x] = s;
      }
    }
    return out;
  }

  /** BT.601 luma of the cropped image on the 0..255 scale, float64, row-major. */
  private static double[] luma(Rgb8Image img, int border) {
    int w = img.width() - 2 * border;
    int h = img.height() - 2 * border;
    double[] y = new double[w * h];
    for (int j = 0; j < h; j++) {
      for (int i = 0; i < w; i++) {
        int x0 = i + border;
        int y0 = j + border;
        y[j * w + i] =
            16.0
                + (65.481 * img.get(x0, y0, 0)
                        + 128.553 * img.get(x0, y0, 1)
                        + 24.966 * img.get(x0, y0, 2))
                    / 255.0;
      }
    }
    return y;
  }

  private static void checkSameShape(Rgb8Image sr, Rgb8Image hr) {
    if (sr.width() != hr.width() || sr.height() != hr.height()) {
      throw new IllegalArgumentException(
          "metric needs images of the same size: SR is "
              + sr.width()
              + "x"
              + sr.height()
              + ", HR is "
              + hr.width()
              + "x"
              + hr.height()
              + " (WxH)");
    }
  }

  private static void checkBorder(int w, int h, int border, int minSize) {
    if (border < 0 || w - 2 * border < minSize || h - 2 * border < minSize) {
      throw new IllegalArgumentException(
          "border "
              + border
              + " leaves less than "
              + minSize
              + "x"
              + minSize
              + " of a "
              + w
              + "x"
              + h
              + " image");
    }
  }
}

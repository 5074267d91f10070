package io.armsr.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.function.IntBinaryOperator;
import org.junit.jupiter.api.Test;

/**
 * Expected values marked "numpy" were computed with numpy 2.4 (float64) by a direct transcription
 * of the formulas: the same images built from the same integer formulas, {@code np.mean((a -
 * b)**2)}, Y = 16 + (65.481 R + 128.553 G + 24.966 B) / 255, and SSIM with an explicit 2-D 'valid'
 * correlation against {@code np.outer(k, k)}, {@code k = exp(-(i-5)^2 / 4.5) / sum} (no scipy or
 * OpenCV).
 */
class ImageMetricsTest {
  private static final int W = 20;
  private static final int H = 18;

  /** An RGB image whose channel c at (x, y) is f(x, y, c), given as f(x + W * c, y). */
  private static Rgb8Image image(IntBinaryOperator f) {
    byte[] px = new byte[W * H * 3];
    for (int y = 0; y < H; y++) {
      for (int x = 0; x < W; x++) {
        for (int c = 0; c < 3; c++) {
          px[(y * W + x) * 3 + c] = (byte) f.applyAsInt(x + W * c, y);
        }
      }
    }
    return new Rgb8Image(W, H, px);
  }

  /** ((x*37 + y*91 + c*53) mod 256, noise-like. */
  private static final Rgb8Image NOISE_SR =
      image((xc, y) -> ((xc % W) * 37 + y * 91 + (xc / W) * 53) % 256);

  /** ((x*17 + y*29 + c*71 + 13) mod 256. */
  private static final Rgb8Image NOISE_HR =
      image((xc, y) -> ((xc % W) * 17 + y * 29 + (xc / W) * 71 + 13) % 256);

  /** clip(rint(128 + 60 sin(x/3 + c) + 40 cos(y/4)), 0, 255): smooth. */
  private static int smooth(int x, int y, int c) {
    double v = Math.rint(128 + 60 * Math.sin(x / 3.0 + c) + 40 * Math.cos(y / 4.0));
    return (int) Math.min(255, Math.max(0, v));
  }

  private static final Rgb8Image SMOOTH_HR = image((xc, y) -> smooth(xc % W, y, xc / W));

  /** The smooth image plus ((x*7 + y*3 + c) mod 9) - 4, clipped. */
  private static final Rgb8Image SMOOTH_SR =
      image(
          (xc, y) -> {
            int x = xc % W;
            int c = xc / W;
            return Math.min(255, Math.max(0, smooth(x, y, c) + (x * 7 + y * 3 + c) % 9 - 4));
          });

  private static Rgb8Image constant(int w, int h, int v) {
    byte[] px = new byte[w * h * 3];
    java.util.Arrays.fill(px, (byte) v);
    return new Rgb8Image(w, h, px);
  }

  private static PlanarImage as255(Rgb8Image img, double offset) {
    float[] d = new float[3 * img.height() * img.width()];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < img.height(); y++) {
        for (int x = 0; x < img.width(); x++) {
          d[(c * img.height() + y) * img.width() + x] = (float) (img.get(x, y, c) + offset);
        }
      }
    }
    return new PlanarImage(3, img.height(), img.width(), d);
  }

  @Test
  void rgbPsnrOfAConstantErrorIsHandComputed() {
    // Every value off by 2.5: mse = 6.25, PSNR = 10 log10(65025 / 6.25) = 10 log10(10404).
    Rgb8Image hr = constant(9, 7, 100);
    assertEquals(40.17200343523835, 10 * Math.log10(10404), 1e-12);
    assertEquals(40.17200343523835, ImageMetrics.psnr(as255(hr, 2.5), hr, 0), 1e-12);
    assertEquals(40.17200343523835, ImageMetrics.psnr(as255(hr, -2.5), hr, 3), 1e-12);
  }

  @Test
  void rgbPsnrIsEightyForIdenticalImagesAndIgnoresTheBorder() {
    assertEquals(80.0, ImageMetrics.psnr(as255(SMOOTH_HR, 0), SMOOTH_HR, 4), 0.0);
    // Differences only in the 4-pixel border do not count (ARM.md 5.5: crop_border 4).
    PlanarImage sr = as255(SMOOTH_HR, 0);
    sr.data()[0] += 50; // (c=0, y=0, x=0)
    sr.data()[sr.data().length - 1] -= 7; // (c=2, y=H-1, x=W-1)
    assertEquals(80.0, ImageMetrics.psnr(sr, SMOOTH_HR, 4), 0.0);
    assertTrue(ImageMetrics.psnr(sr, SMOOTH_HR, 0) < 80.0);
  }

  @Test
  void rgbPsnrOfUnroundedFloatCanvasMatchesNumpy() {
    // SR = HR + 0.25 * ((x + 2y + c) mod 5) - 0.5, kept as float32 (quarter steps are exact).
    float[] d = new float[3 * H * W];
    for (int c = 0; c < 3; c++) {
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          d[(c * H + y) * W + x] =
              (float) (SMOOTH_HR.get(x, y, c) + 0.25 * ((x + 2 * y + c) % 5) - 0.5);
        }
      }
    }
    PlanarImage sr = new PlanarImage(3, H, W, d);
    assertEquals(57.17140838726061, ImageMetrics.psnr(sr, SMOOTH_HR, 2), 1e-10); // numpy
    assertEquals(57.16170347859854, ImageMetrics.psnr(sr, SMOOTH_HR, 0), 1e-10); // numpy
    assertEquals(7.719641328984253, ImageMetrics.psnr(as255(NOISE_SR, 0), NOISE_HR, 2), 1e-10);
  }

  @Test
  void yPsnrOfConstantImagesIsHandComputed() {
    // Gray 100 vs gray 110: Y differs by (65.481 + 128.553 + 24.966) * 10 / 255 = 2190 / 255,
    // so PSNR = 20 log10(255 / (2190 / 255)) = 20 log10(65025 / 2190).
    double expected = 20 * Math.log10(65025.0 / 2190.0);
    assertEquals(29.452724920555838, expected, 1e-12);
    assertEquals(
        expected, ImageMetrics.psnrY(constant(12, 12, 100), constant(12, 12, 110), 1), 1e-10);
    assertEquals(Double.POSITIVE_INFINITY, ImageMetrics.psnrY(SMOOTH_SR, SMOOTH_SR, 4), 0.0);
  }

  @Test
  void yPsnrMatchesNumpy() {
    assertEquals(13.178915335737951, ImageMetrics.psnrY(NOISE_SR, NOISE_HR, 2), 1e-10);
    assertEquals(43.3210391986589, ImageMetrics.psnrY(SMOOTH_SR, SMOOTH_HR, 2), 1e-10);
  }

  @Test
  void ssimIsOneForIdenticalImages() {
    assertEquals(1.0, ImageMetrics.ssimY(SMOOTH_HR, SMOOTH_HR, 0), 1e-12);
    assertEquals(1.0, ImageMetrics.ssimY(NOISE_HR, NOISE_HR, 3), 1e-12);
  }

  @Test
  void ssimOfConstantImagesIsHandComputed() {
    // No variance: SSIM = (2 a b + C1) / (a^2 + b^2 + C1) with a, b the two lumas
    // (a = 16 + 219 * 100 / 255, b = 16 + 219 * 110 / 255) and C1 = 2.55^2.
    double a = 16 + 219.0 * 100 / 255;
    double b = 16 + 219.0 * 110 / 255;
    double c1 = 2.55 * 2.55;
    double expected = (2 * a * b + c1) / (a * a + b * b + c1);
    assertEquals(0.9967349750759954, expected, 1e-12); // numpy, same formula
    assertEquals(
        expected, ImageMetrics.ssimY(constant(13, 12, 100), constant(13, 12, 110), 0), 1e-9);
  }

  @Test
  void ssimMatchesNumpy() {
    assertEquals(0.9943081842186864, ImageMetrics.ssimY(SMOOTH_SR, SMOOTH_HR, 2), 1e-10);
    assertEquals(0.9941958039190315, ImageMetrics.ssimY(SMOOTH_SR, SMOOTH_HR, 0), 1e-10);
    assertEquals(0.02370664769637498, ImageMetrics.ssimY(NOISE_SR, NOISE_HR, 2), 1e-10);
  }

  @Test
  void mismatchedShapesAndOversizedBordersAreRejected() {
    Rgb8Image small = constant(12, 11, 5);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> ImageMetrics.psnr(as255(small, 0), SMOOTH_HR, 0));
    assertTrue(e.getMessage().contains("3x11x12"), e.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ImageMetrics.psnrY(small, SMOOTH_HR, 0));
    assertThrows(IllegalArgumentException.class, () -> ImageMetrics.ssimY(small, SMOOTH_HR, 0));
    // 12x11 cropped by 1 is 10x9: too small for the 11x11 window; by 6 nothing is left at all.
    assertThrows(IllegalArgumentException.class, () -> ImageMetrics.ssimY(small, small, 1));
    assertThrows(IllegalArgumentException.class, () -> ImageMetrics.psnrY(small, small, 6));
    assertThrows(
        IllegalArgumentException.class, () -> ImageMetrics.psnr(as255(small, 0), small, -1));
  }
}

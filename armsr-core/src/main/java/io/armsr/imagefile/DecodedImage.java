package io.armsr.imagefile;

import io.armsr.image.MatlabResize;
import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.image.TorchResize;
import java.util.Objects;

/**
 * An image as read from or about to be written to a file: the 8-bit RGB view that super-resolution
 * works on, plus what the file held beyond it.
 *
 * <ul>
 *   <li>{@code rgb}: 8-bit RGB; a gray image has R = G = B; a 16-bit image is rounded to 8 bits
 *       ({@code round(v / 257)});
 *   <li>{@code gray}: the file held one colour channel (gray, or a palette of grays), and a file
 *       written from this image holds one too (the luma of {@code rgb}, see {@link #luma8});
 *   <li>{@code bitDepth}: 8 or 16, the sample depth of the file, used again when writing where the
 *       format allows it (PNG, TIFF);
 *   <li>{@code alpha}: the alpha plane, row-major, {@code width * height} unsigned samples at
 *       {@code bitDepth} bits, or null when the file had none;
 *   <li>{@code samples16}: for a 16-bit image read from a file, its colour samples, unsigned,
 *       row-major and interleaved ({@code gray ? 1 : 3} per pixel); null otherwise, in which case a
 *       16-bit file written from this image holds {@code v * 257} of the 8-bit values;
 *   <li>{@code metadata}: the ICC profile, EXIF and XMP of the file ({@link ImageMetadata}), never
 *       null; carried to the output by {@link #upscaled} and {@link #resized}.
 * </ul>
 *
 * <p>The arrays are owned by the image and must not be changed after construction.
 */
public record DecodedImage(
    Rgb8Image rgb,
    boolean gray,
    int bitDepth,
    short[] alpha,
    short[] samples16,
    ImageMetadata metadata) {

  public DecodedImage {
    Objects.requireNonNull(rgb, "rgb");
    metadata = metadata == null ? ImageMetadata.NONE : metadata;
    if (bitDepth != 8 && bitDepth != 16) {
      throw new IllegalArgumentException("bit depth must be 8 or 16, got " + bitDepth);
    }
    long n = (long) rgb.width() * rgb.height();
    if (alpha != null && alpha.length != n) {
      throw new IllegalArgumentException("alpha has " + alpha.length + " samples, expected " + n);
    }
    if (samples16 != null) {
      if (bitDepth != 16) {
        throw new IllegalArgumentException("16-bit samples given for an 8-bit image");
      }
      long expected = n * (gray ? 1 : 3);
      if (samples16.length != expected) {
        throw new IllegalArgumentException(
            "samples16 has " + samples16.length + " samples, expected " + expected);
      }
    }
  }

  /** An image without metadata. */
  public DecodedImage(Rgb8Image rgb, boolean gray, int bitDepth, short[] alpha, short[] samples16) {
    this(rgb, gray, bitDepth, alpha, samples16, ImageMetadata.NONE);
  }

  /** This image with {@code newMetadata} (null for none) in place of its own. */
  public DecodedImage withMetadata(ImageMetadata newMetadata) {
    return new DecodedImage(rgb, gray, bitDepth, alpha, samples16, newMetadata);
  }

  /** An opaque 8-bit RGB image. */
  public static DecodedImage of(Rgb8Image rgb) {
    return new DecodedImage(rgb, false, 8, null, null);
  }

  public int width() {
    return rgb.width();
  }

  public int height() {
    return rgb.height();
  }

  public boolean hasAlpha() {
    return alpha != null;
  }

  /** The largest sample value, 255 or 65535. */
  public int maxValue() {
    return bitDepth == 16 ? 65535 : 255;
  }

  /**
   * The gray value written for pixel {@code i} of a gray image: ITU-R BT.601 luma of the 8-bit RGB
   * view, {@code round(0.299 R + 0.587 G + 0.114 B)} in integers. It is exact when R = G = B, so a
   * gray image read and written again keeps its values; after super-resolution the three channels
   * of a gray input are nearly but not exactly equal, and the luma combines them.
   */
  public int luma8(int i) {
    byte[] px = rgb.pixels();
    int r = px[3 * i] & 0xff;
    int g = px[3 * i + 1] & 0xff;
    int b = px[3 * i + 2] & 0xff;
    return (299 * r + 587 * g + 114 * b + 500) / 1000;
  }

  /**
   * Colour sample {@code c} of pixel {@code i} at {@code depth} bits (8 or 16): channel c of the
   * RGB view, or the luma for a gray image (c = 0). At 16 bits the file's own samples if they were
   * kept, else the 8-bit value times 257.
   */
  public int sample(int i, int c, int depth) {
    if (depth == 16 && samples16 != null) {
      return samples16[i * (gray ? 1 : 3) + c] & 0xffff;
    }
    int v = gray ? luma8(i) : rgb.pixels()[3 * i + c] & 0xff;
    return depth == 16 ? v * 257 : v;
  }

  /** Alpha of pixel {@code i} at {@code depth} bits (8 or 16); 1.0 (opaque) when there is none. */
  public int alphaSample(int i, int depth) {
    if (alpha == null) {
      return depth == 16 ? 65535 : 255;
    }
    int a = alpha[i] & 0xffff;
    if (depth == bitDepth) {
      return a;
    }
    return depth == 16 ? a * 257 : (a * 255 + 32767) / 65535;
  }

  /**
   * The output that goes with {@code sr}, the super-resolution by {@code scale} of this image's RGB
   * view, or of its top-left part (a patch grid may leave a border uncovered): the same gray flag
   * and bit depth; the alpha plane of the same part upscaled by the same factor with
   * torch-compatible bicubic interpolation (clamped to the range, rounded); the same metadata; and
   * no 16-bit samples, so a 16-bit output holds {@code v * 257} of the 8-bit SR result (the network
   * runs at 8 bits).
   *
   * @throws IllegalArgumentException if {@code sr} is not {@code scale} times a part of this image
   */
  public DecodedImage upscaled(Rgb8Image sr, int scale) {
    int w = sr.width() / Math.max(1, scale);
    int h = sr.height() / Math.max(1, scale);
    if (scale < 1
        || sr.width() != scale * w
        || sr.height() != scale * h
        || w > width()
        || h > height()) {
      throw new IllegalArgumentException(
          "SR output "
              + sr.width()
              + "x"
              + sr.height()
              + " is not x"
              + scale
              + " of (a part of) "
              + width()
              + "x"
              + height());
    }
    return new DecodedImage(sr, gray, bitDepth, upscaleAlpha(w, h, scale), null, metadata);
  }

  /**
   * The colour samples as (3, h, w) floats in [0, 1] at the file's precision: {@code v / 65535} of
   * the 16-bit samples when they were kept (gray replicated to R = G = B), else the 8-bit view
   * {@code v / 255}. The networks run on this, so 16-bit detail reaches them.
   */
  public PlanarImage toPlanar() {
    if (samples16 == null) {
      return PlanarImage.fromRgb8(rgb);
    }
    int n = width() * height();
    float[] out = new float[3 * n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        out[c * n + i] = (samples16[i * (gray ? 1 : 3) + (gray ? 0 : c)] & 0xffff) / 65535f;
      }
    }
    return new PlanarImage(3, height(), width(), out);
  }

  /**
   * Like {@link #upscaled(Rgb8Image, int)}, and for a 16-bit image the 16-bit samples of the output
   * are taken from {@code canvas255}, the SR result before rounding (0..255 scale), so the output
   * keeps the precision the networks computed at ({@code round(v * 257)}, clamped).
   *
   * @param canvas255 (3, H, W) the un-rounded SR canvas of which {@code sr} is the 8-bit rounding
   */
  public DecodedImage upscaled(PlanarImage canvas255, Rgb8Image sr, int scale) {
    if (bitDepth != 16) {
      return upscaled(sr, scale);
    }
    if (canvas255.width() != sr.width() || canvas255.height() != sr.height()) {
      throw new IllegalArgumentException("the canvas does not match the SR image");
    }
    int n = sr.width() * sr.height();
    float[] d = canvas255.data();
    short[] samples = new short[n * (gray ? 1 : 3)];
    for (int i = 0; i < n; i++) {
      sample16(d[i], d[n + i], d[2 * n + i], samples, i);
    }
    return upscaled(sr, samples, scale);
  }

  /**
   * Like {@link #upscaled(Rgb8Image, int)}, with the 16-bit samples of the output given (for a
   * 16-bit image; ignored for an 8-bit one), e.g. filled row by row with {@link #sample16}.
   */
  public DecodedImage upscaled(Rgb8Image sr, short[] samples16, int scale) {
    DecodedImage out = upscaled(sr, scale);
    if (bitDepth != 16 || samples16 == null) {
      return out;
    }
    return new DecodedImage(sr, gray, 16, out.alpha(), samples16, metadata);
  }

  /**
   * Stores the 16-bit sample(s) of output pixel {@code i} from its un-rounded RGB on the 0..255
   * scale: {@code round(v * 257)} clamped, or for a gray image the BT.601 luma of the three (as
   * {@link #luma8} does for the 8-bit view).
   */
  public void sample16(double r, double g, double b, short[] samples, int i) {
    if (gray) {
      samples[i] = to16(0.299 * r + 0.587 * g + 0.114 * b);
    } else {
      samples[i * 3] = to16(r);
      samples[i * 3 + 1] = to16(g);
      samples[i * 3 + 2] = to16(b);
    }
  }

  /**
   * This image resized to exactly {@code outWidth x outHeight} with MATLAB's antialiased bicubic
   * ({@link MatlabResize#resizeTo(Rgb8Image, int, int)}), everything the file holds included: the
   * 8-bit view, the 16-bit samples when kept (resized as uint16, so the precision stays), and the
   * alpha plane at its bit depth; the gray flag and bit depth are kept. Used to bring an x4 result
   * to the output size asked for; the same size returns this image.
   */
  public DecodedImage resized(int outWidth, int outHeight) {
    if (outWidth == width() && outHeight == height()) {
      return this;
    }
    Rgb8Image out = MatlabResize.resizeTo(rgb, outWidth, outHeight);
    short[] a =
        alpha == null
            ? null
            : MatlabResize.resizeTo(alpha, width(), height(), 1, outWidth, outHeight, maxValue());
    short[] s16 =
        samples16 == null
            ? null
            : MatlabResize.resizeTo(
                samples16, width(), height(), gray ? 1 : 3, outWidth, outHeight, 65535);
    return new DecodedImage(out, gray, bitDepth, a, s16, metadata);
  }

  private static short to16(double v255) {
    return (short) Math.round(Math.min(65535.0, Math.max(0.0, v255 * 257.0)));
  }

  private short[] upscaleAlpha(int w, int h, int scale) {
    if (alpha == null) {
      return null;
    }
    float max = maxValue();
    float[] plane = new float[w * h];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        plane[y * w + x] = (alpha[y * width() + x] & 0xffff) / max;
      }
    }
    PlanarImage up = TorchResize.upscaleBicubicSparse(new PlanarImage(1, h, w, plane), scale);
    float[] d = up.data();
    short[] out = new short[d.length];
    for (int i = 0; i < d.length; i++) {
      out[i] = (short) Math.round(Math.min(1f, Math.max(0f, d[i])) * max);
    }
    return out;
  }
}

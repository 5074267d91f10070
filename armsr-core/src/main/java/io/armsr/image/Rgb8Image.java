package io.armsr.image;

import java.util.Objects;

/**
 * An 8-bit RGB image, interleaved in row-major HWC order: the byte of channel {@code c} (0 = R, 1 =
 * G, 2 = B) at column {@code x}, row {@code y} is {@code pixels[(y * width + x) * 3 + c]}.
 *
 * <p>This is the form in which images enter and leave armsr, and the form the official pipeline
 * computes edge scores and PSNR on (ARM.md 4.1, 5.5). The array is owned by the image and must not
 * be changed after construction.
 */
public record Rgb8Image(int width, int height, byte[] pixels) {

  public Rgb8Image {
    Objects.requireNonNull(pixels, "pixels");
    if (width <= 0 || height <= 0) {
      throw new IllegalArgumentException("image size must be positive: " + width + "x" + height);
    }
    if ((long) width * height * 3 != pixels.length) {
      throw new IllegalArgumentException(
          "pixel array has " + pixels.length + " bytes, expected " + width + "*" + height + "*3");
    }
  }

  /** Returns channel {@code c} of pixel (x, y) as 0..255. */
  public int get(int x, int y, int c) {
    return pixels[(y * width + x) * 3 + c] & 0xff;
  }

  /** Copies the rectangle [x0, x0+w) x [y0, y0+h), which must lie inside the image. */
  public Rgb8Image crop(int x0, int y0, int w, int h) {
    if (x0 < 0 || y0 < 0 || w <= 0 || h <= 0 || x0 + w > width || y0 + h > height) {
      throw new IllegalArgumentException(
          "crop " + w + "x" + h + "+" + x0 + "+" + y0 + " outside " + width + "x" + height);
    }
    byte[] out = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      System.arraycopy(pixels, ((y0 + y) * width + x0) * 3, out, y * w * 3, w * 3);
    }
    return new Rgb8Image(w, h, out);
  }
}

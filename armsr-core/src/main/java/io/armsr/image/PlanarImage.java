package io.armsr.image;

import java.util.Objects;

/**
 * A float32 image in planar CHW order, the layout the networks consume: element (c, y, x) is {@code
 * data[(c * height + y) * width + x]}. Values are RGB in [0, 1] unless a method says otherwise
 * (ARM.md 2.2: the networks see RGB in [0, 1]). The array is owned by the image.
 */
public record PlanarImage(int channels, int height, int width, float[] data) {

  public PlanarImage {
    Objects.requireNonNull(data, "data");
    if (channels <= 0 || height <= 0 || width <= 0) {
      throw new IllegalArgumentException(
          "image shape must be positive: " + channels + "x" + height + "x" + width);
    }
    if ((long) channels * height * width != data.length) {
      throw new IllegalArgumentException(
          "data has " + data.length + " floats, expected " + channels + "*" + height + "*" + width);
    }
  }

  public float get(int c, int y, int x) {
    return data[(c * height + y) * width + x];
  }

  /**
   * RGB bytes to [0, 1] floats: {@code b / 255f}, exactly as the official loader's float32 /255.
   */
  public static PlanarImage fromRgb8(Rgb8Image image) {
    int w = image.width();
    int h = image.height();
    float[] out = new float[3 * h * w];
    byte[] px = image.pixels();
    for (int i = 0; i < h * w; i++) {
      for (int c = 0; c < 3; c++) {
        out[c * h * w + i] = (px[i * 3 + c] & 0xff) / 255f;
      }
    }
    return new PlanarImage(3, h, w, out);
  }

  /**
   * [0, 1] floats to bytes as the official {@code tensor2img}: clamp to [0, 1], multiply by 255 in
   * float32, round half to even (numpy's rounding, ARM.md 9.4).
   */
  public Rgb8Image toRgb8() {
    if (channels != 3) {
      throw new IllegalStateException("toRgb8 needs 3 channels, have " + channels);
    }
    byte[] out = new byte[3 * height * width];
    int plane = height * width;
    for (int i = 0; i < plane; i++) {
      for (int c = 0; c < 3; c++) {
        out[i * 3 + c] = (byte) toByte(data[c * plane + i]);
      }
    }
    return new Rgb8Image(width, height, out);
  }

  /** One [0, 1] float to 0..255 as {@code tensor2img} does. */
  public static int toByte(float v) {
    return toByte255(Math.min(1f, Math.max(0f, v)) * 255f);
  }

  /** 1.5 x 2^23: float sums with it have a spacing of exactly 1. */
  private static final float ROUNDING = 0x1.8p23f;

  /** One 0..255 float to 8 bits: clamped, rounded half to even (as {@link Math#rint}). */
  public static int toByte255(float v) {
    // Samples in range (all of an averaged canvas) skip Math.min/max, which are slow on floats;
    // NaN goes to 0.
    float c = v >= 0f && v <= 255f ? v : v > 255f ? 255f : 0f;
    // Adding 1.5 x 2^23 rounds c to an integer in IEEE round-to-nearest-even (the spacing of
    // floats there is 1): Math.rint for 0 <= c <= 255, in float arithmetic. The sum is 1.5 x 2^23
    // + rint(c), whose low mantissa bits are rint(c) itself, so the 8-bit value is read from the
    // bits without converting back (0.30 ms per 480x320 canvas against 0.73 ms with rint,
    // docs/BENCHMARKS.md).
    return Float.floatToRawIntBits(c + ROUNDING) & 0xFF;
  }
}

package io.armsr.imagefile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.MatlabResize;
import io.armsr.image.Rgb8Image;
import org.junit.jupiter.api.Test;

/** {@link DecodedImage#resized}: every plane of the file at the new size, the form kept. */
class DecodedImageResizeTest {

  @Test
  void sixteenBitGrayWithAlphaKeepsItsFormAndPrecision() {
    int w = 12;
    int h = 8;
    short[] gray = new short[w * h];
    short[] alpha = new short[w * h];
    byte[] rgb = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        int i = y * w + x;
        gray[i] = (short) (30000 + 13 * x + 7 * y); // steps far below one 8-bit level
        alpha[i] = (short) (x < w / 2 ? 0 : 65535);
        int v8 = (int) Math.round((gray[i] & 0xffff) / 257.0);
        rgb[3 * i] = rgb[3 * i + 1] = rgb[3 * i + 2] = (byte) v8;
      }
    }
    DecodedImage in = new DecodedImage(new Rgb8Image(w, h, rgb), true, 16, alpha, gray);
    DecodedImage out = in.resized(6, 4);
    assertEquals(6, out.width());
    assertEquals(4, out.height());
    assertTrue(out.gray());
    assertEquals(16, out.bitDepth());
    assertArrayEquals(MatlabResize.resizeTo(gray, w, h, 1, 6, 4, 65535), out.samples16());
    assertArrayEquals(MatlabResize.resizeTo(alpha, w, h, 1, 6, 4, 65535), out.alpha());
    assertArrayEquals(MatlabResize.resizeTo(in.rgb(), 6, 4).pixels(), out.rgb().pixels());
    // A linear ramp stays a ramp at 16-bit precision: the halved samples differ from one another
    // by less than an 8-bit level, which the 8-bit view cannot hold.
    int a = out.samples16()[6 + 2] & 0xffff;
    int b = out.samples16()[6 + 3] & 0xffff;
    assertTrue(b - a > 0 && b - a < 257, a + " " + b);
    // Transparent left half, opaque right half (away from the edge).
    assertEquals(0, out.alpha()[6]);
    assertEquals(65535, out.alpha()[6 + 5] & 0xffff);
    assertSame(in, in.resized(w, h));
  }

  @Test
  void eightBitAlphaIsResizedAtEightBits() {
    byte[] rgb = new byte[4 * 2 * 3];
    short[] alpha = {255, 255, 255, 0, 255, 255, 255, 0};
    DecodedImage in = new DecodedImage(new Rgb8Image(4, 2, rgb), false, 8, alpha, null);
    DecodedImage out = in.resized(2, 2);
    // [255 255 255 0] by 0.5, MATLAB: 266.9 -> 255, 127.5 -> 128.
    assertArrayEquals(new short[] {255, 128, 255, 128}, out.alpha());
    assertEquals(null, out.samples16());
  }
}

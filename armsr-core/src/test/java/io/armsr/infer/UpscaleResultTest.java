package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

class UpscaleResultTest {

  /** The rounding as the release's numpy does it, spelled out: clamp, then round half to even. */
  private static int reference(float v) {
    if (Float.isNaN(v)) {
      return 0;
    }
    return (int) Math.rint(Math.min(255f, Math.max(0f, v)));
  }

  @Test
  void roundsHalfToEvenAndClamps() {
    assertEquals(0, PlanarImage.toByte255(0.5f));
    assertEquals(2, PlanarImage.toByte255(1.5f));
    assertEquals(2, PlanarImage.toByte255(2.5f));
    assertEquals(4, PlanarImage.toByte255(3.5f));
    assertEquals(254, PlanarImage.toByte255(254.5f));
    assertEquals(255, PlanarImage.toByte255(254.50002f));
    assertEquals(0, PlanarImage.toByte255(0.49999997f));
    assertEquals(1, PlanarImage.toByte255(0.50000006f));
    assertEquals(0, PlanarImage.toByte255(-3f));
    assertEquals(255, PlanarImage.toByte255(300f));
    assertEquals(0, PlanarImage.toByte255(-0f));
    assertEquals(0, PlanarImage.toByte255(Float.NaN));
    assertEquals(255, PlanarImage.toByte255(Float.POSITIVE_INFINITY));
    assertEquals(0, PlanarImage.toByte255(Float.NEGATIVE_INFINITY));
  }

  @Test
  void equalsRintOnEveryFloatNearEachHalfAndOnRandomSamples() {
    for (int k = 0; k <= 256; k++) {
      // 4,000 floats on each side of k - 0.5 and of k: every tie and its neighbours.
      for (float centre : new float[] {k - 0.5f, k}) {
        int bits = Float.floatToRawIntBits(Math.abs(centre));
        for (int d = -4000; d <= 4000; d++) {
          float v = Math.copySign(Float.intBitsToFloat(Math.max(0, bits + d)), centre);
          assertEquals(reference(v), PlanarImage.toByte255(v), () -> "v = " + v);
        }
      }
    }
    SplittableRandom random = new SplittableRandom(7);
    for (int i = 0; i < 1_000_000; i++) {
      float v = (float) (random.nextDouble() * 270 - 7);
      assertEquals(reference(v), PlanarImage.toByte255(v), () -> "v = " + v);
    }
  }

  @Test
  void tensor2imgRoundingGoesThroughTheSameRounding() {
    // PlanarImage.toByte: clamp to [0, 1], x255 in float32, then rint (ARM.md 9.4).
    SplittableRandom random = new SplittableRandom(8);
    for (int i = 0; i < 1_000_000; i++) {
      float v = (float) (random.nextDouble() * 1.1 - 0.05);
      int want = (int) Math.rint(Math.min(1f, Math.max(0f, v)) * 255f);
      assertEquals(want, PlanarImage.toByte(v), () -> "v = " + v);
    }
    for (int k = 0; k <= 255; k++) {
      float v = k / 255f;
      assertEquals(k, PlanarImage.toByte(v));
      assertEquals(k, PlanarImage.toByte(Math.nextUp(v)));
    }
    assertEquals(0, PlanarImage.toByte(Float.NaN));
  }

  @Test
  void toRgb8InterleavesThePlanes() {
    // (3, 1, 2): R = {0.4, 254.6}, G = {1.5, 2.5}, B = {-1, 256}
    PlanarImage canvas = new PlanarImage(3, 1, 2, new float[] {0.4f, 254.6f, 1.5f, 2.5f, -1, 256});
    Rgb8Image rgb = UpscaleResult.toRgb8(canvas);
    assertEquals(2, rgb.width());
    assertEquals(1, rgb.height());
    assertArrayEquals(new byte[] {0, 2, 0, (byte) 255, 2, (byte) 255}, rgb.pixels());
  }
}

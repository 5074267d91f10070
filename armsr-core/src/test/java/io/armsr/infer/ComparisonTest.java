package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import java.util.Random;
import org.junit.jupiter.api.Test;

class ComparisonTest {
  @Test
  void theDefaultCropFindsTheTexturedRegion() {
    int w = 200;
    int h = 120;
    byte[] px = new byte[w * h * 3];
    java.util.Arrays.fill(px, (byte) 90);
    Random rnd = new Random(1);
    for (int y = 50; y < 100; y++) {
      for (int x = 120; x < 170; x++) {
        for (int c = 0; c < 3; c++) {
          px[(y * w + x) * 3 + c] = (byte) rnd.nextInt(256);
        }
      }
    }
    Comparison.Crop c = Comparison.mostDetailed(new Rgb8Image(w, h, px), 64);
    assertEquals(64, c.width());
    assertEquals(64, c.height());
    assertTrue(c.x() <= 120 && c.x() + 64 >= 170, "" + c);
    assertTrue(c.y() <= 50 && c.y() + 64 >= 100, "" + c);
  }

  @Test
  void cropParsing() {
    assertEquals(new Comparison.Crop(1, 2, 3, 4), Comparison.Crop.parse("1, 2,3,4"));
    assertThrows(IllegalArgumentException.class, () -> Comparison.Crop.parse("1,2,3"));
    assertThrows(IllegalArgumentException.class, () -> Comparison.Crop.parse("-1,2,3,4"));
  }
}

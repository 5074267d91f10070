package io.armsr.image;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

class GrayTest {

  @Test
  void lumaMatchesHandComputedFixedPoint() {
    // (9798*255 + 16384) >> 15 = 2514874 >> 15 = 76 (76.75 truncated)
    assertEquals(76, Gray.luma(255, 0, 0));
    // (19235*255 + 16384) >> 15 = 4921309 >> 15 = 150
    assertEquals(150, Gray.luma(0, 255, 0));
    // (3735*255 + 16384) >> 15 = 968809 >> 15 = 29
    assertEquals(29, Gray.luma(0, 0, 255));
    // The weights sum to 32768, so a gray colour maps to itself: (32768*v + 16384) >> 15 = v.
    for (int v = 0; v < 256; v++) {
      assertEquals(v, Gray.luma(v, v, v));
    }
    // (9798*12 + 19235*34 + 3735*56 + 16384) = 997110, >> 15 = 30
    assertEquals(30, Gray.luma(12, 34, 56));
  }

  @Test
  void usesTheFifteenBitFormNotTheOldFourteenBitOne() {
    // ARM.md 4.1: the forms differ on 43,864 colours. Blue 250:
    // 15-bit: (3735*250 + 16384) >> 15 = 950134 >> 15 = 28 (28.996)
    // 14-bit: (1868*250 + 8192) >> 14 = 475192 >> 14 = 29 (29.003)
    assertEquals(28, Gray.luma(0, 0, 250));
  }

  @Test
  void ofIsRowMajor() {
    // 2 wide, 2 high: (x=0,y=0) red, (1,0) green, (0,1) blue, (1,1) white
    byte[] px = {
      (byte) 255, 0, 0, 0, (byte) 255, 0, 0, 0, (byte) 255, (byte) 255, (byte) 255, (byte) 255
    };
    assertArrayEquals(new int[] {76, 150, 29, 255}, Gray.of(new Rgb8Image(2, 2, px)));
  }
}

package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The least heap an upscale needs, against sums written out by hand. */
class UpscaleMemoryTest {
  @Test
  void theStreamedPathCountsInputOutputAndTheBand() {
    // 100x60 in the full grid: covered 100x60, output 400x240 = 96,000 pixels.
    PatchGrid g = PatchGrid.full(100, 60);
    // input 6,000 px x (3 + 12); output 96,000 x (3 + 4); band 3 x 128 x 400 x 4.
    assertEquals(
        6_000 * 15 + 96_000 * 7 + 3 * 128 * 400 * 4,
        UpscaleMemory.leastBytes(g, false, false, false, false));
    // 16-bit with alpha, resized: input 6,000 x (3 + 6 + 2 + 12); output 96,000 x (3 + 6 + 2 + 4 +
    // 24).
    assertEquals(
        6_000 * 23 + 96_000 * 39 + 3 * 128 * 400 * 4,
        UpscaleMemory.leastBytes(g, true, true, false, true));
    // Progressive: the whole float canvases instead of the band, 36 bytes per output pixel.
    assertEquals(
        6_000 * 15 + 96_000 * (7 + 36), UpscaleMemory.leastBytes(g, false, false, true, false));
  }

  @Test
  void anExtremeStripNeedsHundredsOfGigabytesAndIsRefused() {
    PatchGrid strip = PatchGrid.full(44_739_242, 1);
    long need = UpscaleMemory.leastBytes(strip, false, false, false, false);
    // One patch of the image's own height (1 LR row, 4 output rows): the band alone is
    // 3 x 4 x 178,956,968 x 4 bytes = 8.6 GB, and the output 715,827,872 pixels x 7 bytes more.
    assertEquals(44_739_242L * 15 + 715_827_872L * 7 + 3L * 4 * 178_956_968 * 4, need);
    String why = UpscaleMemory.shortfall(need);
    assertEquals(
        "upscaling it needs at least 13.3 GB of Java heap, more than the", why.substring(0, 63));
    assertTrue(why.endsWith("this JVM may use"), why);
    assertNull(UpscaleMemory.shortfall(1 << 20));
  }

  @Test
  void sizesReadAsPeopleWriteThem() {
    assertEquals("1 MB", UpscaleMemory.size(1));
    assertEquals("512 MB", UpscaleMemory.size(512L << 20));
    assertEquals("12.5 GB", UpscaleMemory.size((25L << 30) / 2));
  }
}

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
    // The band alone: 3 x 128 x 178,956,968 x 4 bytes = 256 GiB.
    assertTrue(need > 3L * 128 * 178_956_968 * 4, Long.toString(need));
    String why = UpscaleMemory.shortfall(need);
    assertTrue(why != null && why.startsWith("upscaling it needs at least 2"), why);
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

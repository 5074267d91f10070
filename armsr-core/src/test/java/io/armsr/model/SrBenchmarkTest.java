package io.armsr.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.armsr.image.MatlabResize;
import io.armsr.image.Rgb8Image;
import io.armsr.infer.Grid;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The benchmark protocol's one home: modcrop, the x1/4 LR, the PSNR border, the patch sizes. */
class SrBenchmarkTest {

  private static Rgb8Image noise(int w, int h, long seed) {
    byte[] px = new byte[w * h * 3];
    new Random(seed).nextBytes(px);
    return new Rgb8Image(w, h, px);
  }

  @Test
  void modcropKeepsTheTopLeftMultipleOfFour() {
    Rgb8Image img = noise(131, 129, 1);
    Rgb8Image mod = SrBenchmark.modcrop(img);
    assertEquals(128, mod.width());
    assertEquals(128, mod.height());
    assertArrayEquals(img.crop(0, 0, 128, 128).pixels(), mod.pixels());
    Rgb8Image exact = noise(64, 32, 2);
    assertSame(exact, SrBenchmark.modcrop(exact));
  }

  @Test
  void theLrIsTheBicubicQuarterOfTheCroppedHr() {
    Rgb8Image img = noise(70, 45, 3);
    for (MatlabResize.Variant v : MatlabResize.Variant.values()) {
      SrBenchmark.Pair p = SrBenchmark.prepare(img, v);
      assertEquals(68, p.hr().width());
      assertEquals(44, p.hr().height());
      assertEquals(17, p.lr().width());
      assertEquals(11, p.lr().height());
      assertArrayEquals(
          MatlabResize.resize(img.crop(0, 0, 68, 44), 0.25, v).pixels(), p.lr().pixels(), "" + v);
    }
    assertThrows(IllegalArgumentException.class, () -> SrBenchmark.prepare(noise(3, 8, 4), null));
    assertThrows(
        IllegalArgumentException.class, () -> new SrBenchmark.Pair(noise(8, 8, 5), noise(3, 2, 6)));
  }

  @Test
  void theNumbersOfTheRelease() {
    assertEquals(4, SrBenchmark.PSNR_BORDER);
    assertEquals(32, PatchGeometry.LR_PATCH);
    assertEquals(28, PatchGeometry.STEP);
    assertEquals(128, PatchGeometry.HR_PATCH);
    // The inference grid cuts the same patches.
    assertEquals(PatchGeometry.LR_PATCH, Grid.PATCH);
    assertEquals(PatchGeometry.STEP, Grid.STEP);
  }
}

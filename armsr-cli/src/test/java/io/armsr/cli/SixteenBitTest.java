package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.image.TorchResize;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ReadLimits;
import io.armsr.testing.Shared;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A 16-bit input reaches the networks at 16 bits and comes out with sub-8-bit detail. */
class SixteenBitTest {
  @TempDir Path dir;

  @Test
  void sixteenBitDetailSurvivesTheUpscale() throws Exception {
    int w = 40;
    int h = 36;
    // A smooth RGB ramp with steps far below one 8-bit level (257 sixteen-bit units).
    short[] s16 = new short[w * h * 3];
    byte[] rgb8 = new byte[w * h * 3];
    for (int y = 0; y < h; y++) {
      for (int x = 0; x < w; x++) {
        for (int c = 0; c < 3; c++) {
          int v = 20000 + 37 * x + 11 * y + 5000 * c;
          s16[(y * w + x) * 3 + c] = (short) v;
          rgb8[(y * w + x) * 3 + c] = (byte) Math.round(v / 257.0);
        }
      }
    }
    DecodedImage in = new DecodedImage(new Rgb8Image(w, h, rgb8), false, 16, null, s16);
    Path file = dir.resolve("ramp16.png");
    ImageFiles.writeImage(in, file, 95);
    Path out = dir.resolve("out16.png");
    CliTest.Run r =
        CliTest.run(
            "upscale",
            file.toString(),
            out.toString(),
            "--weights",
            Shared.require("reference/arm-net/arm-fsrcnn.pth").toString(),
            "--lut",
            Shared.require("reference/arm-net/arm-fsrcnn.state").toString(),
            "--subnet",
            "0");
    assertEquals(0, r.code(), r.err());
    DecodedImage back = ImageFiles.readImage(out, ReadLimits.DEFAULT);
    assertEquals(16, back.bitDepth());
    // Bicubic (subnet 0) of the 16-bit input, computed independently in double.
    PlanarImage expected = TorchResize.upscaleBicubic(in.toPlanar(), 4);
    int n = 4 * w * 4 * h;
    int notMultiples = 0;
    int worst = 0;
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        int got = back.samples16()[i * 3 + c] & 0xffff;
        int want = (int) Math.round(Math.min(1, Math.max(0, expected.data()[c * n + i])) * 65535);
        worst = Math.max(worst, Math.abs(got - want));
        notMultiples += got % 257 != 0 ? 1 : 0;
      }
    }
    // Float32 arithmetic in the engine: a few 16-bit units, far below one 8-bit level (257).
    assertTrue(worst <= 8, "max difference " + worst + " sixteen-bit units");
    assertTrue(notMultiples > n, "the output looks like 8-bit data scaled by 257");
  }
}

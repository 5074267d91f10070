package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.testing.Shared;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --precision} end to end with the embedded default model: bf16 changes the full grid's
 * pixels by a few levels, and the reference grid ignores it.
 */
class PrecisionFlagTest {
  @TempDir Path dir;

  private Rgb8Image upscale(String name, String... flags) throws Exception {
    Path in = Shared.inRepo("examples/kodim23-lr.png");
    Path out = dir.resolve(name + ".png");
    String[] args = new String[3 + flags.length + 2];
    args[0] = "upscale";
    args[1] = in.toString();
    args[2] = out.toString();
    System.arraycopy(flags, 0, args, 3, flags.length);
    args[3 + flags.length] = "--threads";
    args[4 + flags.length] = "2";
    CliTest.Run r = CliTest.run(args);
    assertEquals(0, r.code(), r.err());
    return ImageFiles.read(out);
  }

  @Test
  void bf16MovesTheFullGridByAFewLevelsAndTheReferenceGridNotAtAll() throws Exception {
    Rgb8Image fp32 = upscale("fp32");
    Rgb8Image bf16 = upscale("bf16", "--precision", "bf16");
    int worst = 0;
    for (int i = 0; i < fp32.pixels().length; i++) {
      worst = Math.max(worst, Math.abs((fp32.pixels()[i] & 0xFF) - (bf16.pixels()[i] & 0xFF)));
    }
    assertTrue(worst > 0 && worst <= 10, "bf16 against fp32: " + worst + " levels");

    assertArrayEquals(
        upscale("ref32", "--grid", "reference").pixels(),
        upscale("ref16", "--grid", "reference", "--precision", "bf16").pixels());
  }
}

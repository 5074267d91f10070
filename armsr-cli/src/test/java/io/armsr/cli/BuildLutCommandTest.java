package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.format.LutFile;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.model.Backbone;
import io.armsr.testing.Shared;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BuildLutCommandTest {
  @TempDir Path dir;

  @Test
  void buildsATableThatUpscaleCanRouteWith() throws IOException {
    String weights = Shared.require("reference/arm-net/arm-fsrcnn.pth").toString();
    Path val = Files.createDirectory(dir.resolve("val"));
    Random rnd = new Random(3);
    for (int i = 0; i < 2; i++) {
      // 160x160 HR -> 40x40 LR -> LR patch origins 0 and 8 per axis at step 8: 4 patches each.
      byte[] px = new byte[160 * 160 * 3];
      for (int k = 0; k < px.length; k++) {
        px[k] = (byte) (((k / 3) % 160 < 80 ? 60 : 180) + rnd.nextInt(20 * (i + 1)));
      }
      ImageFiles.write(new Rgb8Image(160, 160, px), val.resolve("v" + i + ".png"));
    }
    Path lut = dir.resolve("t.arml");
    CliTest.Run r =
        CliTest.run(
            "build-lut",
            "--weights",
            weights,
            "--data",
            val.toString(),
            "--out",
            lut.toString(),
            "--bins",
            "4");
    assertEquals(0, r.code(), r.err());
    LutFile.Contents c = LutFile.read(lut);
    assertEquals(Backbone.FSRCNN, c.backbone());
    assertEquals(8, c.table().patches());
    assertEquals(4, c.table().table().bins());
    assertEquals(8, java.util.Arrays.stream(c.table().binCounts()).sum());
    assertEquals(2, c.provenance().dataImages());
    assertTrue(c.provenance().commandLine().startsWith("armsr build-lut"));

    Path in = dir.resolve("in.png");
    ImageFiles.write(new Rgb8Image(20, 10, new byte[20 * 10 * 3]), in);
    CliTest.Run up =
        CliTest.run(
            "upscale",
            in.toString(),
            dir.resolve("o.png").toString(),
            "--weights",
            weights,
            "--lut",
            lut.toString());
    assertEquals(0, up.code(), up.err());
    assertEquals(80, ImageFiles.read(dir.resolve("o.png")).width());
  }
}

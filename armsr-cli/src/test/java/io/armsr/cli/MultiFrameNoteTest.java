package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.imagefile.ImageFiles;
import io.armsr.testing.FixtureModel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Path;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A multi-page input is upscaled from its first page, and stderr says so. */
class MultiFrameNoteTest {
  @TempDir Path dir;

  @Test
  void aThreePageTiffGetsANote() throws IOException {
    Path tiff = dir.resolve("pages.tif");
    ImageWriter writer = ImageIO.getImageWritersByFormatName("TIFF").next();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(tiff.toFile())) {
      writer.setOutput(out);
      writer.prepareWriteSequence(null);
      for (int p = 0; p < 3; p++) {
        BufferedImage page = new BufferedImage(20 + p, 16, BufferedImage.TYPE_INT_RGB);
        writer.writeToSequence(new IIOImage(page, null, null), null);
      }
      writer.endWriteSequence();
    } finally {
      writer.dispose();
    }
    Path out = dir.resolve("out.png");
    CliTest.Run r =
        CliTest.run(
            "upscale",
            tiff.toString(),
            out.toString(),
            "--weights",
            FixtureModel.copy(dir, "checkpoint-v1.armw").toString(),
            "--lut",
            FixtureModel.copy(dir, "lut-v1.arml").toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(
        r.err()
            .contains(
                "armsr: warning: pages.tif has 3 frames (pages or animation); only the first is upscaled"),
        r.err());
    // The first page, 20 pixels wide.
    assertEquals(80, ImageFiles.read(out).width());
  }
}

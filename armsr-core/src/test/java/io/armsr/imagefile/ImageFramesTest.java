package io.armsr.imagefile;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.armsr.testing.FuzzInputs;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.IIOImage;
import javax.imageio.ImageIO;
import javax.imageio.ImageWriter;
import javax.imageio.stream.ImageOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Multi-frame files are recognised, so that the user hears only the first frame is upscaled. */
class ImageFramesTest {
  @TempDir Path dir;

  private static BufferedImage image(int shade) {
    BufferedImage img = new BufferedImage(12, 10, BufferedImage.TYPE_INT_RGB);
    img.setRGB(3, 4, shade);
    return img;
  }

  /** A TIFF of {@code pages} pages, written as a sequence by the TIFF writer. */
  static Path tiff(Path file, int pages) throws IOException {
    ImageWriter writer = ImageIO.getImageWritersByFormatName("TIFF").next();
    try (ImageOutputStream out = ImageIO.createImageOutputStream(file.toFile())) {
      writer.setOutput(out);
      writer.prepareWriteSequence(null);
      for (int p = 0; p < pages; p++) {
        writer.writeToSequence(new IIOImage(image(p * 40), null, null), null);
      }
      writer.endWriteSequence();
    } finally {
      writer.dispose();
    }
    return file;
  }

  /** A PNG with an APNG {@code acTL} chunk announcing {@code frames} frames before its IDAT. */
  static Path apng(Path file, int frames) throws IOException {
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(image(7), "png", png);
    byte[] plain = png.toByteArray();
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.write(plain, 0, 33);
    out.write(FuzzInputs.pngChunk("acTL", ByteBuffer.allocate(8).putInt(frames).putInt(0).array()));
    out.write(plain, 33, plain.length - 33);
    Files.write(file, out.toByteArray());
    return file;
  }

  @Test
  void pagesAndFramesAreCounted() throws IOException {
    assertEquals(3, ImageFrames.count(tiff(dir.resolve("three.tif"), 3)));
    assertEquals(1, ImageFrames.count(tiff(dir.resolve("one.tif"), 1)));
    assertEquals(5, ImageFrames.count(apng(dir.resolve("anim.png"), 5)));
    Path plain = dir.resolve("plain.png");
    ImageIO.write(image(1), "png", plain.toFile());
    assertEquals(1, ImageFrames.count(plain));
    // The APNG's first frame is its default image, read as a plain PNG.
    assertEquals(12, ImageFiles.read(dir.resolve("anim.png")).width());
  }

  @Test
  void webpFramesAreCountedAndBrokenFilesAreOneFrame() throws IOException {
    Path webp = dir.resolve("still.webp");
    try (InputStream in =
        getClass().getResourceAsStream("/io/armsr/fixtures/formats/lossless-rgba.webp")) {
      Files.write(webp, in.readAllBytes());
    }
    assertEquals(1, ImageFrames.count(webp));
    Path animated = dir.resolve("animated.webp");
    try (InputStream in =
        getClass().getResourceAsStream("/io/armsr/fixtures/formats/animated-2.webp")) {
      Files.write(animated, in.readAllBytes());
    }
    assertEquals(2, ImageFrames.count(animated));
    // The first frame is what is read: gray 10.
    assertEquals(10, ImageFiles.read(animated).get(3, 3, 0));
    Path junk = dir.resolve("junk.png");
    Files.write(junk, new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 9, 9});
    assertEquals(1, ImageFrames.count(junk));
    assertEquals(1, ImageFrames.count(dir.resolve("missing.png")));
  }
}

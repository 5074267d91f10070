package io.armsr.imagefile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.testing.FuzzInputs;
import java.awt.image.BufferedImage;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * PNG text chunks whose compressed text inflates to far more than the file holds (a metadata bomb):
 * the pixel limit does not cover metadata, so the reader must not inflate them at all. Five zTXt
 * and iTXt chunks of 256 MB of text each (about 250 KB of file apiece) cost the reader about 5 s
 * and several GB when inflated; read without metadata they cost nothing, and the pixels are exactly
 * those of the same PNG without the chunks.
 */
class PngMetadataBombTest {
  @TempDir static Path dir;

  static byte[] plain;
  static byte[] bombed;

  @BeforeAll
  static void makeFiles() throws IOException {
    BufferedImage image = new BufferedImage(40, 30, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 30; y++) {
      for (int x = 0; x < 40; x++) {
        image.setRGB(x, y, (x * 6) << 16 | (y * 8) << 8 | (x ^ y));
      }
    }
    ByteArrayOutputStream png = new ByteArrayOutputStream();
    ImageIO.write(image, "png", png);
    plain = png.toByteArray();
    bombed = FuzzInputs.withTextBombs(plain, 5, 256);
  }

  @Test
  void textChunksAreNotInflated() throws IOException {
    assertTrue(bombed.length < 2_000_000, "the bomb is small: " + bombed.length + " bytes");
    Path bomb = dir.resolve("bomb.png");
    Files.write(bomb, bombed);
    Path reference = dir.resolve("plain.png");
    Files.write(reference, plain);

    long t0 = System.nanoTime();
    Rgb8Image got = ImageFiles.read(bomb);
    double seconds = (System.nanoTime() - t0) / 1e9;
    Rgb8Image want = ImageFiles.read(reference);
    assertEquals(40, got.width());
    assertEquals(30, got.height());
    assertTrue(java.util.Arrays.equals(want.pixels(), got.pixels()), "the same pixels");
    // Inflating the text would take seconds (about 1 s per 256 MB here); skipping it, milliseconds.
    assertTrue(seconds < 1, "read in " + seconds + " s");
  }
}

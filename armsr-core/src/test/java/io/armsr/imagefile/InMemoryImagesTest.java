package io.armsr.imagefile;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.testing.MetadataFiles;
import io.armsr.testing.Shared;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Images read from bytes in memory and written to a stream (as the HTTP service does) are exactly
 * those read from and written to files: pixels, metadata, orientation, messages and bytes.
 */
class InMemoryImagesTest {

  @TempDir Path dir;

  /** A PNG with an ICC profile, EXIF (orientation 6: rotated on read) and XMP. */
  private byte[] pngWithMetadata() throws Exception {
    byte[] png = Files.readAllBytes(Shared.inRepo("examples/kodim23-lr.png"));
    return MetadataFiles.png(
        png, null, MetadataFiles.exif(6, 192, 128, false), MetadataFiles.xmp());
  }

  @Test
  void bytesReadAsTheirFileReads() throws Exception {
    byte[] bytes = pngWithMetadata();
    Path file = dir.resolve("a.png");
    Files.write(file, bytes);
    DecodedImage fromFile = ImageFiles.readImage(file, ReadLimits.DEFAULT);
    DecodedImage fromBytes = ImageFiles.readImage(bytes, "a.png", ReadLimits.DEFAULT);
    assertEquals(fromFile.width(), fromBytes.width());
    assertEquals(fromFile.height(), fromBytes.height());
    // orientation 6 swaps the axes of the 192x128 example
    assertEquals(128, fromBytes.width());
    assertArrayEquals(fromFile.rgb().pixels(), fromBytes.rgb().pixels());
    assertArrayEquals(fromFile.metadata().exif(), fromBytes.metadata().exif());
    assertArrayEquals(fromFile.metadata().xmp(), fromBytes.metadata().xmp());
  }

  @Test
  void streamGetsTheFileBytes() throws Exception {
    DecodedImage image = ImageFiles.readImage(pngWithMetadata(), "a.png", ReadLimits.DEFAULT);
    for (ImageFormat format : ImageFormat.values()) {
      String ext = format.name().toLowerCase(java.util.Locale.ROOT);
      Path file = dir.resolve("out." + ext);
      List<String> fileWarnings = ImageFiles.writeImage(image, file, 90);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      List<String> streamWarnings = ImageFiles.writeImage(image, format, 90, file.toString(), out);
      assertArrayEquals(Files.readAllBytes(file), out.toByteArray(), ext);
      assertEquals(fileWarnings, streamWarnings, ext);
      assertEquals(format, ImageFormat.ofExtension(ext));
    }
    assertEquals("image/jpeg", ImageFormat.ofExtension("jpg").mediaType);
  }

  @Test
  void badBytesAreRefusedByName() throws Exception {
    byte[] png = Files.readAllBytes(Shared.inRepo("examples/kodim23-lr.png"));
    ImageReadException e =
        assertThrows(
            ImageReadException.class,
            () -> ImageFiles.readImage(Arrays.copyOf(png, 100), "upload", ReadLimits.DEFAULT));
    assertTrue(e.getMessage().contains(" upload: corrupt or truncated PNG"), e.getMessage());
    e =
        assertThrows(
            ImageReadException.class,
            () -> ImageFiles.readImage(new byte[0], "upload", ReadLimits.DEFAULT));
    assertEquals("cannot read image upload: empty file (0 bytes)", e.getMessage());
    e =
        assertThrows(
            ImageReadException.class,
            () -> ImageFiles.readImage(png, "upload", ReadLimits.ofMaxPixels(1000)));
    assertTrue(e.getMessage().contains("is over the limit of 1,000 pixels"), e.getMessage());
  }
}

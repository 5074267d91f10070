package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.testing.FixtureModel;
import io.armsr.testing.MetadataFiles;
import java.awt.color.ColorSpace;
import java.awt.color.ICC_Profile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code armsr upscale} keeps the input's ICC profile, EXIF (orientation reset, dimensions x4) and
 * XMP in single-file and folder mode, and {@code --strip-metadata} drops them.
 */
class MetadataUpscaleTest {
  @TempDir Path dir;

  private static final byte[] ICC = ICC_Profile.getInstance(ColorSpace.CS_sRGB).getData();

  private Path weights;
  private Path lut;
  private Path in;

  @BeforeEach
  void setUp() throws Exception {
    weights = FixtureModel.copy(dir, "checkpoint-v1.armw");
    lut = FixtureModel.copy(dir, "lut-v1.arml");
    Files.createDirectory(dir.resolve("in"));
    byte[] px = new byte[20 * 12 * 3];
    new Random(5).nextBytes(px);
    Path plain = dir.resolve("plain.jpg");
    ImageFiles.write(new Rgb8Image(20, 12, px), plain);
    in = dir.resolve("in").resolve("photo.jpg");
    // Stored 20x12 with orientation 6: upscaled as 12x20, so the output is 48x80.
    Files.write(
        in,
        MetadataFiles.jpeg(
            Files.readAllBytes(plain),
            ICC,
            60_000,
            MetadataFiles.exif(6, 20, 12, false),
            MetadataFiles.xmp()));
  }

  private CliTest.Run upscale(String input, String output, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "upscale",
                input,
                output,
                "--weights",
                weights.toString(),
                "--lut",
                lut.toString(),
                "--subnet",
                "0"));
    a.addAll(List.of(extra));
    return CliTest.run(a.toArray(String[]::new));
  }

  @Test
  void singleFileKeepsMetadataAndStripMetadataDropsIt() throws Exception {
    for (String ext : List.of("png", "jpg")) {
      Path out = dir.resolve("out." + ext);
      CliTest.Run r = upscale(in.toString(), out.toString());
      assertEquals(0, r.code(), r.err());
      assertEquals("", r.err());
      Map<String, byte[]> raw = MetadataFiles.rawMetadata(Files.readAllBytes(out));
      assertArrayEquals(ICC, raw.get("icc"), ext);
      assertArrayEquals(MetadataFiles.exif(1, 48, 80, false), raw.get("exif"), ext);
      assertArrayEquals(MetadataFiles.xmp(), raw.get("xmp"), ext);

      Path stripped = dir.resolve("stripped." + ext);
      CliTest.Run s = upscale(in.toString(), stripped.toString(), "--strip-metadata");
      assertEquals(0, s.code(), s.err());
      assertTrue(MetadataFiles.rawMetadata(Files.readAllBytes(stripped)).isEmpty(), ext);
      assertEquals(48, ImageFiles.read(stripped).width());
    }
    // TIFF: the profile as tag 34675, the EXIF as the TIFF's own tags, which armsr reads back
    // into the same block; --strip-metadata leaves none of them.
    Path tif = dir.resolve("out.tif");
    CliTest.Run t = upscale(in.toString(), tif.toString());
    assertEquals(0, t.code(), t.err());
    assertEquals("", t.err());
    byte[] tiff = Files.readAllBytes(tif);
    assertArrayEquals(ICC, MetadataFiles.tiffBlocks(tiff).get(34675));
    assertArrayEquals(MetadataFiles.xmp(), MetadataFiles.tiffBlocks(tiff).get(700));
    assertEquals(1, MetadataFiles.tiffEntry(tiff, MetadataFiles.tiffIfd0(tiff), 274)[2]);
    var back = ImageFiles.readImage(tif, io.armsr.imagefile.ReadLimits.DEFAULT);
    assertEquals(48, back.width());
    assertArrayEquals(MetadataFiles.exif(1, 48, 80, false), back.metadata().exif());
    assertArrayEquals(ICC, back.metadata().icc());
    Path tifStripped = dir.resolve("stripped.tif");
    CliTest.Run ts = upscale(in.toString(), tifStripped.toString(), "--strip-metadata");
    assertEquals(0, ts.code(), ts.err());
    byte[] plain = Files.readAllBytes(tifStripped);
    for (int tag : new int[] {274, 305, 700, 34665, 34675}) {
      assertEquals(null, MetadataFiles.tiffEntry(plain, MetadataFiles.tiffIfd0(plain), tag));
    }

    // BMP cannot hold it: a one-line warning, exit 0.
    CliTest.Run b = upscale(in.toString(), dir.resolve("out.bmp").toString());
    assertEquals(0, b.code(), b.err());
    assertEquals(
        "armsr: warning: "
            + dir.resolve("out.bmp")
            + ": armsr writes no metadata to BMP; ICC profile, EXIF and XMP dropped\n",
        b.err().replace(System.lineSeparator(), "\n"));
  }

  @Test
  void folderModeKeepsMetadataAndStripMetadataDropsIt() throws Exception {
    Path out = dir.resolve("out");
    CliTest.Run r = upscale(dir.resolve("in").toString(), out.toString(), "--format", "png");
    assertEquals(0, r.code(), r.err());
    Map<String, byte[]> raw =
        MetadataFiles.rawMetadata(Files.readAllBytes(out.resolve("photo.png")));
    assertArrayEquals(ICC, raw.get("icc"));
    assertArrayEquals(MetadataFiles.exif(1, 48, 80, false), raw.get("exif"));
    assertArrayEquals(MetadataFiles.xmp(), raw.get("xmp"));

    Path out2 = dir.resolve("out2");
    CliTest.Run s =
        upscale(
            dir.resolve("in").toString(), out2.toString(), "--format", "png", "--strip-metadata");
    assertEquals(0, s.code(), s.err());
    byte[] bytes = Files.readAllBytes(out2.resolve("photo.png"));
    assertTrue(MetadataFiles.rawMetadata(bytes).isEmpty());
    assertFalse(MetadataFiles.pngChunks(bytes).stream().anyMatch(c -> c.getKey().equals("iCCP")));
  }
}

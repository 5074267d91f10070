package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.infer.Comparison;
import io.armsr.testing.FixtureModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code armsr compare}: its size, and panels that are exactly what {@code upscale} writes. */
class CompareCommandTest {
  @TempDir Path dir;

  private Path weights;
  private Path lut;
  private Path in;

  @BeforeEach
  void setUp() throws IOException {
    weights = FixtureModel.copy(dir, "checkpoint-v1.armw");
    lut = FixtureModel.copy(dir, "lut-v1.arml");
    byte[] px = new byte[40 * 36 * 3];
    new Random(11).nextBytes(px);
    in = dir.resolve("in.png");
    ImageFiles.write(new Rgb8Image(40, 36, px), in);
  }

  private CliTest.Run cli(String command, Path out, String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                command,
                in.toString(),
                out.toString(),
                "--weights",
                weights.toString(),
                "--lut",
                lut.toString()));
    a.addAll(List.of(extra));
    return CliTest.run(a.toArray(String[]::new));
  }

  private static Rgb8Image panel(Rgb8Image cmp, int i, Comparison.Crop crop) {
    return cmp.crop(
        Comparison.panelX(i, crop), Comparison.panelY(), 4 * crop.width(), 4 * crop.height());
  }

  @Test
  void panelsAreTheBicubicAndTheArmOutputs() throws IOException {
    Path bicubic = dir.resolve("bicubic.png");
    Path arm = dir.resolve("arm.png");
    assertEquals(0, cli("upscale", bicubic, "--subnet", "0").code());
    assertEquals(0, cli("upscale", arm, "--k", "2").code());
    Rgb8Image bic = ImageFiles.read(bicubic);
    Rgb8Image sr = ImageFiles.read(arm);

    // Default crop: the image is smaller than 64x64, so all of it.
    Path out = dir.resolve("cmp.png");
    CliTest.Run r = cli("compare", out, "--k", "2");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("crop 0,0,40,36"), r.out());
    Comparison.Crop all = new Comparison.Crop(0, 0, 40, 36);
    Rgb8Image cmp = ImageFiles.read(out);
    assertEquals(Comparison.panelX(3, all), cmp.width());
    assertTrue(cmp.height() > Comparison.HEADER + 144, "legend below the panels");
    assertArrayEquals(bic.pixels(), panel(cmp, 0, all).pixels());
    assertArrayEquals(sr.pixels(), panel(cmp, 1, all).pixels());

    Comparison.Crop crop = new Comparison.Crop(8, 4, 16, 12);
    CliTest.Run r2 = cli("compare", out, "--k", "2", "--crop", "8,4,16,12");
    assertEquals(0, r2.code(), r2.err());
    Rgb8Image cmp2 = ImageFiles.read(out);
    assertArrayEquals(bic.crop(32, 16, 64, 48).pixels(), panel(cmp2, 0, crop).pixels());
    assertArrayEquals(sr.crop(32, 16, 64, 48).pixels(), panel(cmp2, 1, crop).pixels());
  }

  @Test
  void aCropOutsideTheImageIsAUsageError() {
    Path out = dir.resolve("cmp.png");
    for (String crop : List.of("30,30,16,16", "1,2,3", "a,b,c,d", "0,0,0,4")) {
      CliTest.Run r = cli("compare", out, "--crop", crop);
      assertEquals(Main.ExitCode.USAGE.code, r.code(), crop + ": " + r.err());
      assertTrue(r.err().contains("--crop"), r.err());
    }
    assertFalse(Files.exists(out));
  }
}

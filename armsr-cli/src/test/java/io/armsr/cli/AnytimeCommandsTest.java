package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.infer.DeviceProfile;
import io.armsr.route.Batching;
import io.armsr.route.TimeModel;
import io.armsr.testing.Shared;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** calibrate, --budget-ms and --deadline-ms through the command line. */
class AnytimeCommandsTest {
  @TempDir Path dir;

  private static String weights() {
    return Shared.require("reference/arm-net/arm-fsrcnn.pth").toString();
  }

  private static String lut() {
    return Shared.require("reference/arm-net/arm-fsrcnn.state").toString();
  }

  private Path image(int w, int h) throws Exception {
    byte[] px = new byte[w * h * 3];
    new Random(8).nextBytes(px);
    Path p = dir.resolve("in.png");
    ImageFiles.write(new Rgb8Image(w, h, px), p);
    return p;
  }

  @Test
  void calibrateThenRouteWithinAMillisecondBudget() throws Exception {
    Path profile = dir.resolve("profile.json");
    CliTest.Run c =
        CliTest.run(
            "calibrate",
            "--weights",
            weights(),
            "--lut",
            lut(),
            "--out",
            profile.toString(),
            "--size",
            "64",
            "--repeats",
            "1");
    assertEquals(0, c.code(), c.err());
    DeviceProfile p = DeviceProfile.read(profile);
    TimeModel time = p.time();
    assertEquals(Batching.Path.STREAMING, time.path());
    assertTrue(c.out().contains("w56"), c.out());

    Path in = image(60, 60); // 3 x 3 patches in the full grid
    Batching batching = time.batching(3);
    double bicubic = time.predictedMs(new int[9], batching);
    int[] full = new int[9];
    Arrays.fill(full, 3);
    double fullWidth = time.predictedMs(full, batching);
    assertTrue(bicubic > 0 && fullWidth > bicubic, c.out());
    double budget = (bicubic + fullWidth) / 2; // room for roughly half the patches at full width
    Path out = dir.resolve("o.png");
    CliTest.Run r =
        CliTest.run(
            "upscale",
            in.toString(),
            out.toString(),
            "--weights",
            weights(),
            "--lut",
            lut(),
            "--budget-ms",
            Double.toString(budget),
            "--profile",
            profile.toString());
    assertEquals(0, r.code(), r.err());
    assertEquals(240, ImageFiles.read(out).width());
    assertTrue(r.out().contains("budget-ms"), r.out());

    CliTest.Run orphan =
        CliTest.run(
            "upscale",
            in.toString(),
            out.toString(),
            "--weights",
            weights(),
            "--lut",
            lut(),
            "--profile",
            profile.toString());
    assertEquals(Main.ExitCode.USAGE.code, orphan.code());
    CliTest.Run missing =
        CliTest.run(
            "upscale",
            in.toString(),
            out.toString(),
            "--weights",
            weights(),
            "--lut",
            lut(),
            "--budget-ms",
            "5",
            "--profile",
            dir.resolve("none.json").toString());
    assertEquals(Main.ExitCode.USAGE.code, missing.code());
    assertTrue(missing.err().contains("none.json"), missing.err());
  }

  @Test
  void aZeroDeadlineGivesTheBicubicImage() throws Exception {
    Path in = image(45, 30);
    Path now = dir.resolve("now.png");
    Path bic = dir.resolve("bic.png");
    CliTest.Run r =
        CliTest.run(
            "upscale",
            in.toString(),
            now.toString(),
            "--weights",
            weights(),
            "--lut",
            lut(),
            "--deadline-ms",
            "0");
    assertEquals(0, r.code(), r.err());
    assertEquals(
        0,
        CliTest.run(
                "upscale",
                in.toString(),
                bic.toString(),
                "--weights",
                weights(),
                "--lut",
                lut(),
                "--subnet",
                "0")
            .code());
    Rgb8Image a = ImageFiles.read(now);
    Rgb8Image b = ImageFiles.read(bic);
    int worst = 0;
    for (int i = 0; i < a.pixels().length; i++) {
      worst = Math.max(worst, Math.abs((a.pixels()[i] & 0xff) - (b.pixels()[i] & 0xff)));
    }
    // Whole-image bicubic in Java against per-patch bicubic in the engine: the same numbers up to
    // float rounding.
    assertTrue(worst <= 1, "max difference " + worst);
    CliTest.Run bad =
        CliTest.run(
            "upscale",
            in.toString(),
            now.toString(),
            "--weights",
            weights(),
            "--lut",
            lut(),
            "--deadline-ms",
            "10",
            "--grid",
            "reference");
    assertEquals(Main.ExitCode.USAGE.code, bad.code());
  }
}

package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibratorTest {
  @TempDir Path dir;

  @Test
  void profileRecordsATimePerSubnetAndRoundTrips() throws Exception {
    try (ArmModel model = ArmModel.of(new NearestSupernet(0), UpscalerTest.flatTable())) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults());
      DeviceProfile p = Calibrator.measure(up, 64, 3, 0);
      assertEquals(Backbone.FSRCNN, p.backbone());
      assertEquals("full", p.grid());
      assertEquals(4, p.margin());
      for (double t : p.msPerPatch()) {
        assertTrue(t > 0 && t < 1000, "time " + t);
      }
      Path f = dir.resolve("sub/profile.json");
      p.write(f);
      DeviceProfile q = DeviceProfile.read(f);
      assertArrayEquals(p.msPerPatch(), q.msPerPatch(), 0);
      assertEquals(p.batch(), q.batch());
      assertEquals(p.host(), q.host());
    }
  }

  @Test
  void badProfilesAreRefusedNamingTheFile() throws Exception {
    Path f = dir.resolve("p.json");
    Files.writeString(
        f, "{\"format\":\"armsr-device-profile\",\"backbone\":\"fsrcnn\",\"msPerPatch\":[1,2]}");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DeviceProfile.read(f));
    assertTrue(e.getMessage().contains("p.json"), e.getMessage());
    assertThrows(
        IllegalArgumentException.class, () -> DeviceProfile.read(dir.resolve("none.json")));
  }

  @Test
  void timeBudgetKeepsThePredictedTimeWithinTheBudget() {
    // Measured-like times: bicubic not free, widths 0.2 / 0.5 / 0.9 ms per patch.
    double[] ms = {0.05, 0.2, 0.5, 0.9};
    try (ArmModel model = ArmModel.of(new NearestSupernet(0), UpscalerTest.flatTable())) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults());
      Rgb8Image lr = UpscalerTest.randomImage(120, 80, 4); // 15 patches
      for (double budget : new double[] {0.8, 3, 7, 20}) {
        RoutingMode.TimeBudget mode = new RoutingMode.TimeBudget(budget, ms);
        UpscaleResult r = up.upscale(lr, mode);
        assertTrue(mode.predictedMs(r.subnets()) <= budget + 1e-12, "over budget " + budget);
        assertTrue(r.withinBudget());
      }
      // Below 15 x 0.05 ms even bicubic everywhere does not fit: cheapest, and said so.
      UpscaleResult r = up.upscale(lr, new RoutingMode.TimeBudget(0.5, ms));
      assertArrayEquals(new int[15], r.subnets());
      assertTrue(!r.withinBudget());
      assertEquals("budget-ms7.0", new RoutingMode.TimeBudget(7, ms).label());
      assertThrows(IllegalArgumentException.class, () -> new RoutingMode.TimeBudget(0, ms));
    }
  }
}

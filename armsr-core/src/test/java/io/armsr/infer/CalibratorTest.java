package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import io.armsr.route.RoutingMode;
import io.armsr.route.TimeModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CalibratorTest {
  @TempDir Path dir;

  /** A plausible CPU model: bicubic cheap, each width dearer per patch and per batch. */
  private static TimeModel known(Batching.Path path) {
    return new TimeModel(
        path, 32, 3.5, 0.02, new double[] {0.05, 0.4, 0.9, 1.5}, new double[] {2, 2, 2, 2});
  }

  /**
   * What {@link Calibrator#measure} would time, with times from {@code model} instead of a clock.
   */
  private static List<Calibrator.Timing> synthetic(TimeModel model, int side) {
    List<Calibrator.Timing> out = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(1);
    for (int size : Calibrator.sizes(side)) {
      PatchGrid grid = PatchGrid.full(size, size);
      Batching batching = Batching.of(model.path(), grid.cols(), model.batchSize());
      for (int[] routing : Calibrator.routings(grid.size(), random)) {
        out.add(Calibrator.Timing.of(routing, batching, model.predictedMs(routing, batching)));
      }
    }
    return out;
  }

  @Test
  void theFitRecoversTheCoefficientsOfAKnownModel() {
    for (Batching.Path path : Batching.Path.values()) {
      TimeModel truth = known(path);
      List<Calibrator.Timing> timings = synthetic(truth, 256);
      assertEquals(3 * (Backbone.SUBNETS + Calibrator.MIXTURES), timings.size());
      TimeModel fitted = Calibrator.fit(path, 32, truth.patchMs(), timings);
      assertEquals(truth.imageMs(), fitted.imageMs(), 1e-7, path.id());
      assertArrayEquals(truth.batchPatchMs(), fitted.batchPatchMs(), 1e-7, path.id());
      assertArrayEquals(truth.batchMs(), fitted.batchMs(), 1e-7, path.id());
      assertEquals(0, Calibrator.rmsRelativeError(fitted, timings), 1e-9);
    }
  }

  @Test
  void theFitStaysNonNegativeAndCloseOnNoisyTimings() {
    TimeModel truth = known(Batching.Path.STREAMING);
    List<Calibrator.Timing> noisy = new ArrayList<>();
    SplittableRandom random = new SplittableRandom(3);
    for (Calibrator.Timing t : synthetic(truth, 256)) {
      double ms = t.ms() * (1 + 0.04 * (random.nextDouble() - 0.5));
      noisy.add(new Calibrator.Timing(t.patches(), t.batches(), ms));
    }
    TimeModel fitted = Calibrator.fit(Batching.Path.STREAMING, 32, truth.patchMs(), noisy);
    for (double v : fitted.batchPatchMs()) {
      assertTrue(v >= 0);
    }
    for (double v : fitted.batchMs()) {
      assertTrue(v >= 0);
    }
    // A 2% noise gives predictions within a few percent on an unseen mixed routing.
    PatchGrid grid = PatchGrid.full(512, 512);
    Batching batching = Batching.of(Batching.Path.STREAMING, grid.cols(), 32);
    int[] mixed = new int[grid.size()];
    for (int p = 0; p < mixed.length; p++) {
      mixed[p] = random.nextInt(Backbone.SUBNETS);
    }
    double want = truth.predictedMs(mixed, batching);
    assertEquals(want, fitted.predictedMs(mixed, batching), 0.05 * want);
  }

  @Test
  void calibrationSizesAndRoutings() {
    assertArrayEquals(new int[] {128, 192, 256}, Calibrator.sizes(256));
    assertArrayEquals(new int[] {32, 48, 64}, Calibrator.sizes(64));
    assertArrayEquals(new int[] {20}, Calibrator.sizes(20));
    List<int[]> routings = Calibrator.routings(81, new SplittableRandom(1));
    assertEquals(Backbone.SUBNETS + Calibrator.MIXTURES, routings.size());
    for (int j = 0; j < Backbone.SUBNETS; j++) {
      for (int s : routings.get(j)) {
        assertEquals(j, s);
      }
    }
    // Every mixture mixes: its dominant subnet and at least one other.
    for (int[] mix : routings.subList(Backbone.SUBNETS, routings.size())) {
      assertTrue(java.util.Arrays.stream(mix).distinct().count() > 1);
    }
  }

  @Test
  void routingTimeIsAddedToThePerPatchTermOnly() {
    TimeModel fitted = known(Batching.Path.WHOLE);
    TimeModel with = Calibrator.withRouting(fitted, 0.0125);
    assertEquals(fitted.patchMs() + 0.0125, with.patchMs(), 1e-15);
    assertEquals(fitted.imageMs(), with.imageMs(), 0);
    assertArrayEquals(fitted.batchPatchMs(), with.batchPatchMs(), 0);
    assertArrayEquals(fitted.batchMs(), with.batchMs(), 0);
    // 81 patches: the prediction of any routing grows by 81 x 0.0125 ms.
    Batching batching = Batching.of(Batching.Path.WHOLE, 9, 32);
    int[] routing = new int[81];
    routing[3] = 2;
    assertEquals(
        fitted.predictedMs(routing, batching) + 81 * 0.0125,
        with.predictedMs(routing, batching),
        1e-9);
  }

  @Test
  void routingTimeIsMeasuredOnTheTableAndModel() {
    TimeModel model = known(Batching.Path.WHOLE);
    PatchGrid grid = PatchGrid.full(256, 256);
    Batching batching = Batching.of(Batching.Path.WHOLE, grid.cols(), 32);
    double ms =
        Calibrator.routingMs(
            model, UpscalerTest.flatTable(), grid, batching, 3, new SplittableRandom(5));
    assertTrue(ms > 0 && ms < 10_000, "routing took " + ms + " ms");
  }

  @Test
  void measuredProfileRoundTrips() throws Exception {
    try (ArmModel model = ArmModel.of(new NearestSupernet(0), UpscalerTest.flatTable())) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults());
      DeviceProfile p = Calibrator.measure(up, Batching.Path.STREAMING, 64, 1, 0);
      assertEquals(Backbone.FSRCNN, p.backbone());
      assertEquals("full", p.grid());
      assertEquals(4, p.margin());
      assertEquals(Upscaler.Options.DEFAULT_BATCH, p.batch());
      assertEquals(DeviceProfile.VERSION, p.version());
      assertEquals(Batching.Path.STREAMING, p.time().path());
      assertEquals(3 * (Backbone.SUBNETS + Calibrator.MIXTURES), p.fitRuns());
      assertTrue(p.time().patchMs() > 0, "scoring and routing take time");
      double all = p.time().predictedMs(new int[9], p.time().batching(3));
      assertTrue(all > 0 && all < 10_000, "predicted " + all);
      Path f = dir.resolve("sub/profile.json");
      p.write(f);
      DeviceProfile q = DeviceProfile.read(f);
      assertEquals(p.time().imageMs(), q.time().imageMs(), 0);
      assertEquals(p.time().patchMs(), q.time().patchMs(), 0);
      assertArrayEquals(p.time().batchPatchMs(), q.time().batchPatchMs(), 0);
      assertArrayEquals(p.time().batchMs(), q.time().batchMs(), 0);
      assertEquals(p.time().path(), q.time().path());
      assertEquals(p.batch(), q.batch());
      assertEquals(p.fitRuns(), q.fitRuns());
      assertEquals(p.fitError(), q.fitError(), 0);
      assertEquals(p.host(), q.host());
      assertEquals(DeviceProfile.VERSION, q.version());
    }
  }

  @Test
  void versionOneProfilesKeepLoadingAsPerPatchTimes() throws Exception {
    Path f = Path.of(getClass().getResource("profile-v1.json").toURI());
    DeviceProfile p = DeviceProfile.read(f);
    assertEquals(1, p.version());
    assertEquals(Backbone.FSRCNN, p.backbone());
    TimeModel t = p.time();
    assertEquals(Batching.Path.WHOLE, t.path());
    assertEquals(32, t.batchSize());
    assertArrayEquals(new double[] {0.21, 0.95, 1.62, 2.4}, t.batchPatchMs(), 0);
    assertArrayEquals(new double[4], t.batchMs(), 0);
    assertEquals(0, t.imageMs(), 0);
    assertEquals(0, t.patchMs(), 0);
    // The version-1 prediction: the sum over the patches.
    assertEquals(2 * 0.21 + 2.4, t.predictedMs(new int[] {0, 3, 0}, t.batching(3)), 1e-12);
    // Written again, it is a version-2 file with the same model.
    Path again = dir.resolve("again.json");
    p.write(again);
    assertTrue(Files.readString(again).contains("\"version\" : 2"));
    assertArrayEquals(t.batchPatchMs(), DeviceProfile.read(again).time().batchPatchMs(), 0);
  }

  private String refusal(String json) throws Exception {
    Path f = dir.resolve("p.json");
    Files.writeString(f, json);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> DeviceProfile.read(f));
    assertTrue(e.getMessage().contains("p.json"), e.getMessage());
    assertFalse(e.getMessage().contains("\n"), e.getMessage());
    return e.getMessage();
  }

  @Test
  void badProfilesAreRefusedInOneLineNamingTheFile() throws Exception {
    String head = "{\"format\":\"armsr-device-profile\",\"backbone\":\"fsrcnn\",\"batch\":32,";
    String v2 =
        head
            + "\"version\":2,\"path\":\"streaming\",\"imageMs\":1,\"patchMs\":0.1,"
            + "\"batchPatchMs\":[0,1,2,3],";
    assertTrue(refusal(head + "\"msPerPatch\":[1,2]}").contains("msPerPatch"));
    assertTrue(refusal(head + "\"version\":3,\"msPerPatch\":[1,2,3,4]}").contains("calibrate"));
    assertTrue(refusal(v2 + "\"batchMs\":[0,1,2]}").contains("batchMs"));
    assertTrue(refusal(v2 + "\"batchMs\":[0,1,-2,3]}").contains("-2"));
    assertTrue(refusal(v2 + "\"batchMs\":[0,1,\"x\",3]}").contains("batchMs"));
    assertTrue(
        refusal(v2.replace("\"imageMs\":1,", "") + "\"batchMs\":[0,1,2,3]}").contains("imageMs"));
    assertTrue(
        refusal(v2.replace("streaming", "sideways") + "\"batchMs\":[0,1,2,3]}")
            .contains("sideways"));
    assertTrue(refusal(v2.replace("32", "0") + "\"batchMs\":[0,1,2,3]}").contains("batch"));
    assertTrue(refusal("{\"format\":\"something else\"}").contains("not an armsr profile"));
    assertTrue(refusal("not json").contains("not JSON"));
    assertThrows(
        IllegalArgumentException.class, () -> DeviceProfile.read(dir.resolve("none.json")));
    // The minimal valid version 2 reads.
    Path ok = dir.resolve("ok.json");
    Files.writeString(ok, v2 + "\"batchMs\":[0,1,2,3]}");
    assertEquals(2, DeviceProfile.read(ok).version());
  }

  @Test
  void timeBudgetKeepsThePredictedTimeWithinTheBudget() {
    // Per-patch times only (as a version-1 profile): bicubic not free, widths 0.2 / 0.5 / 0.9 ms.
    TimeModel ms = TimeModel.perPatch(Batching.Path.WHOLE, 32, new double[] {0.05, 0.2, 0.5, 0.9});
    try (ArmModel model = ArmModel.of(new NearestSupernet(0), UpscalerTest.flatTable())) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults());
      Rgb8Image lr = UpscalerTest.randomImage(120, 80, 4); // 15 patches
      Batching whole = up.batching(PatchGrid.full(120, 80), Batching.Path.WHOLE);
      for (double budget : new double[] {0.8, 3, 7, 20}) {
        RoutingMode.TimeBudget mode = new RoutingMode.TimeBudget(budget, ms);
        UpscaleResult r = up.upscale(lr, mode);
        assertTrue(mode.predictedMs(r.subnets(), whole) <= budget, "over budget " + budget);
        assertTrue(r.withinBudget());
      }
      // Below 15 x 0.05 ms even bicubic everywhere does not fit: cheapest, and said so.
      UpscaleResult r = up.upscale(lr, new RoutingMode.TimeBudget(0.5, ms));
      assertArrayEquals(new int[15], r.subnets());
      assertFalse(r.withinBudget());
      assertEquals("budget-ms7.0", new RoutingMode.TimeBudget(7, ms).label());
      assertThrows(IllegalArgumentException.class, () -> new RoutingMode.TimeBudget(0, ms));
    }
  }

  @Test
  void streamedTimeBudgetCountsTheBatchesOfEveryRow() {
    // Batches dominate: 1 ms per batch of any width, per-patch times small. Streaming runs a
    // batch per subnet per grid row, so a budget that affords some full width per row in the
    // whole-image path may not in the streaming one; either way the prediction is within target.
    TimeModel t =
        new TimeModel(
            Batching.Path.STREAMING,
            32,
            0.5,
            0.01,
            new double[] {0.01, 0.05, 0.08, 0.1},
            new double[] {0.2, 1, 1, 1});
    try (ArmModel model = ArmModel.of(new NearestSupernet(0), UpscalerTest.flatTable())) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults());
      Rgb8Image lr = UpscalerTest.randomImage(150, 150, 5);
      PatchGrid grid = PatchGrid.full(150, 150);
      Batching streaming = up.batching(grid, Batching.Path.STREAMING);
      for (double budget : new double[] {3, 4, 6, 9, 15}) {
        RoutingMode.TimeBudget mode = new RoutingMode.TimeBudget(budget, t);
        Upscaler.Routed r =
            up.upscaleStreaming(lr, io.armsr.image.PlanarImage.fromRgb8(lr), mode, (y, row) -> {});
        assertTrue(t.predictedMs(r.subnets(), streaming) <= budget, "over budget " + budget);
        assertTrue(r.withinBudget());
      }
    }
  }
}

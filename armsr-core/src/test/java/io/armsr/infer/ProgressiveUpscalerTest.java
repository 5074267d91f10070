package io.armsr.infer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.eval.PairedDataset;
import io.armsr.image.ImageMetrics;
import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.image.TorchResize;
import io.armsr.imagefile.ImageFiles;
import io.armsr.lut.PsnrTable;
import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import io.armsr.route.RoutingMode;
import io.armsr.testing.Shared;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class ProgressiveUpscalerTest {

  /** Stops after {@code batches} batches have run. */
  static ProgressiveUpscaler.Stop afterBatches(int batches) {
    AtomicInteger calls = new AtomicInteger();
    return (elapsed, next) -> calls.getAndIncrement() >= batches;
  }

  @Test
  void runToCompletionItEqualsTheOrdinaryUpscale() {
    try (ArmModel model = ArmModel.of(new NearestSupernet(7f / 255f), UpscalerTest.flatTable())) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults());
      Rgb8Image lr = UpscalerTest.randomImage(70, 45, 3);
      RoutingMode all = new RoutingMode.Fixed(3);
      UpscaleResult plain = up.upscale(lr, all);
      UpscaleResult progressive =
          new ProgressiveUpscaler(up).upscale(lr, all, ProgressiveUpscaler.Stop.never(), null);
      assertArrayEquals(plain.subnets(), progressive.subnets());
      float[] a = plain.canvas().data();
      float[] b = progressive.canvas().data();
      double worst = 0;
      for (int i = 0; i < a.length; i++) {
        worst = Math.max(worst, Math.abs(a[i] - b[i]));
      }
      // The bicubic start is subtracted again exactly up to float rounding.
      assertTrue(worst < 2e-3, "max difference " + worst);
    }
  }

  @Test
  void stoppedAtOnceItReturnsTheBicubicImage() {
    try (ArmModel model = ArmModel.of(new NearestSupernet(0), UpscalerTest.flatTable())) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults());
      Rgb8Image lr = UpscalerTest.randomImage(33, 47, 9);
      UpscaleResult r =
          new ProgressiveUpscaler(up)
              .upscale(lr, new RoutingMode.Fixed(3), ProgressiveUpscaler.Stop.deadline(0), null);
      assertArrayEquals(new int[r.grid().size()], r.subnets());
      PlanarImage bic = TorchResize.upscaleBicubic(PlanarImage.fromRgb8(lr), 4);
      assertArrayEquals(bic.toRgb8().pixels(), r.image().pixels());
    }
  }

  @Test
  void upgradesTheLargestPredictedGainPerCostFirst() {
    // Two bins: flat patches (score near 0) gain 0.5 dB from the full width, textured ones 6 dB.
    double[] x = {0, 100};
    PsnrTable table =
        new PsnrTable(
            new double[][] {x, x, x, x},
            new double[][] {{40, 20}, {40.1, 22}, {40.3, 24}, {40.5, 26}},
            Backbone.FSRCNN.paperFlopsList());
    try (ArmModel model = ArmModel.of(new NearestSupernet(0), table)) {
      // Windows of 2x2 patches: the noisy left half is one window, the flat right half another.
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults(), new Batching.Windows(2, 2));
      // Left half noise (high edge score), right half flat; 4x2 patches of the full grid.
      Rgb8Image noise = UpscalerTest.randomImage(116, 60, 5);
      byte[] px = noise.pixels().clone();
      for (int y = 0; y < 60; y++) {
        for (int xx = 58; xx < 116; xx++) {
          for (int c = 0; c < 3; c++) {
            px[(y * 116 + xx) * 3 + c] = (byte) 128;
          }
        }
      }
      Rgb8Image lr = new Rgb8Image(116, 60, px);
      List<ProgressiveUpscaler.Progress> seen = new ArrayList<>();
      UpscaleResult r =
          new ProgressiveUpscaler(up)
              .upscale(lr, new RoutingMode.Fixed(3), afterBatches(1), seen::add);
      assertEquals(1, seen.size());
      assertEquals(ProgressiveUpscaler.FIRST_BATCH, seen.get(0).upgraded());
      assertEquals(r.grid().size(), seen.get(0).planned());
      // Origins x = 0, 28, 56, 84 in two rows: the patches at x 0 and 28 are (mostly) noise, the
      // others (mostly) flat; the first batch of 4 takes exactly the noisy window.
      for (int p = 0; p < r.grid().size(); p++) {
        boolean textured = r.grid().patch(p).x() <= 28;
        assertEquals(textured ? 3 : 0, r.subnets()[p], "patch " + p);
      }
    }
  }

  @Test
  void needsTheFullGrid() {
    try (ArmModel model = ArmModel.of(new NearestSupernet(0), UpscalerTest.flatTable())) {
      Upscaler ref = new Upscaler(model, Upscaler.Options.defaults().withGrid(Grid.REFERENCE));
      assertThrows(IllegalArgumentException.class, () -> new ProgressiveUpscaler(ref));
    }
  }

  /** With the official FSRCNN, PSNR does not fall as more of the work is allowed. */
  @Test
  void psnrRisesWithTheWorkAllowed() throws Exception {
    Path set14 = Shared.require("data/test/Set14");
    PairedDataset ds = PairedDataset.open(set14.resolve("HR"), set14.resolve("LR"));
    PairedDataset.Pair pair = ds.pairs().get(2);
    Rgb8Image lr = ImageFiles.read(pair.lr());
    Rgb8Image hr = ImageFiles.read(pair.hr());
    try (ArmModel model =
        ArmModel.load(
            Backbone.FSRCNN,
            Shared.require("reference/arm-net/arm-fsrcnn.pth"),
            Shared.require("reference/arm-net/arm-fsrcnn.state"))) {
      ProgressiveUpscaler pu =
          new ProgressiveUpscaler(new Upscaler(model, Upscaler.Options.defaults()));
      List<Double> psnrs = new ArrayList<>();
      UpscaleResult full =
          pu.upscale(
              lr,
              new RoutingMode.Best(),
              ProgressiveUpscaler.Stop.never(),
              p -> psnrs.add(ImageMetrics.psnrY(p.image(), hr, 4)));
      double bicubic =
          ImageMetrics.psnrY(
              TorchResize.upscaleBicubic(PlanarImage.fromRgb8(lr), 4).toRgb8(), hr, 4);
      psnrs.add(0, bicubic);
      System.out.println("progressive PSNR-Y by batch: " + psnrs);
      for (int i = 1; i < psnrs.size(); i++) {
        assertTrue(
            psnrs.get(i) >= psnrs.get(i - 1) - 1e-3, "PSNR fell after batch " + i + ": " + psnrs);
      }
      assertTrue(psnrs.get(psnrs.size() - 1) > bicubic + 0.3);
      assertEquals(psnrs.get(psnrs.size() - 1), ImageMetrics.psnrY(full.image(), hr, 4), 1e-9);
    }
  }
}

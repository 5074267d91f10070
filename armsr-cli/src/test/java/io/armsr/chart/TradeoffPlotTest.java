package io.armsr.chart;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.eval.DatasetEval;
import io.armsr.eval.Evaluator;
import io.armsr.eval.PairedDataset;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.infer.ArmModel;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.testing.FixtureModel;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PSNR-against-FLOPs plot from a real evaluation (the committed FSRCNN fixture model on two
 * small random pairs): its points, their order, and the PNG.
 */
class TradeoffPlotTest {
  @TempDir Path dir;

  /** HR/LR folders of {@code n} pairs; the HR is the LR's nearest-neighbour x4 plus noise. */
  static void pairs(Path hr, Path lr, int n) throws IOException {
    Files.createDirectories(hr);
    Files.createDirectories(lr);
    Random rnd = new Random(9);
    for (int i = 0; i < n; i++) {
      byte[] small = new byte[40 * 40 * 3];
      rnd.nextBytes(small);
      byte[] big = new byte[160 * 160 * 3];
      for (int y = 0; y < 160; y++) {
        for (int x = 0; x < 160; x++) {
          for (int c = 0; c < 3; c++) {
            int v = (small[((y / 4) * 40 + x / 4) * 3 + c] & 0xff) + rnd.nextInt(9) - 4;
            big[(y * 160 + x) * 3 + c] = (byte) Math.max(0, Math.min(255, v));
          }
        }
      }
      ImageFiles.write(new Rgb8Image(40, 40, small), lr.resolve("p" + i + ".png"));
      ImageFiles.write(new Rgb8Image(160, 160, big), hr.resolve("p" + i + ".png"));
    }
  }

  @Test
  void coincidentPointsShareOneLabel() {
    TradeoffPlot.Series s =
        new TradeoffPlot.Series(
            "sweep",
            true,
            List.of(
                new TradeoffPlot.Point("K=1", 5, 30),
                new TradeoffPlot.Point("K=2", 5, 30),
                new TradeoffPlot.Point("K=4", 9, 31)));
    assertEquals(List.of("K=1, K=2", "", "K=4"), TradeoffPlot.mergedLabels(s));
    // Within 2% of the extent on both axes counts as the same place; 3% apart does not.
    TradeoffPlot.Series near =
        new TradeoffPlot.Series(
            "sweep",
            true,
            List.of(
                new TradeoffPlot.Point("K=1", 100, 30.00),
                new TradeoffPlot.Point("K=2", 101, 30.01),
                new TradeoffPlot.Point("K=3", 103, 30.30),
                new TradeoffPlot.Point("K=4", 200, 31.00)));
    assertEquals(List.of("K=1, K=2", "", "K=3", "K=4"), TradeoffPlot.mergedLabels(near));
  }

  @Test
  void pointsOfTheFixedWidthsAndTheSweepAreOrderedByCost() throws IOException {
    pairs(dir.resolve("HR"), dir.resolve("LR"), 2);
    List<DatasetEval> evals;
    try (ArmModel m =
        ArmModel.load(
            Backbone.FSRCNN,
            FixtureModel.copy(dir, "checkpoint-v1.armw"),
            FixtureModel.copy(dir, "lut-v1.arml"))) {
      evals =
          new Evaluator(new Upscaler(m, Upscaler.Options.defaults()))
              .evaluate(
                  PairedDataset.open(dir.resolve("HR"), dir.resolve("LR")),
                  TradeoffPlot.modes(),
                  name -> {});
    }
    TradeoffPlot plot = TradeoffPlot.standard(evals);
    List<TradeoffPlot.Series> series = plot.series();
    assertEquals(3, series.size());
    TradeoffPlot.Series fixed = series.get(0);
    assertEquals(
        List.of("bicubic", "w16", "w36", "w56"),
        fixed.points().stream().map(TradeoffPlot.Point::label).toList());
    assertEquals(0.0, fixed.points().get(0).flops());
    for (int j = 1; j < fixed.points().size(); j++) {
      assertTrue(fixed.points().get(j).flops() > fixed.points().get(j - 1).flops());
      assertEquals(Backbone.FSRCNN.paperFlops(j), fixed.points().get(j).flops(), 1e-6);
    }
    // ARM's rule spends no less compute on any patch as K grows (the chosen cost is monotone in
    // eta), so the mean FLOPs of the sweep cannot fall.
    TradeoffPlot.Series sweep = series.get(1);
    assertTrue(sweep.line());
    assertEquals(TradeoffPlot.K_SWEEP.size(), sweep.points().size());
    assertEquals("K=0.5", sweep.points().get(0).label());
    for (int i = 1; i < sweep.points().size(); i++) {
      assertTrue(sweep.points().get(i).flops() >= sweep.points().get(i - 1).flops(), "" + i);
    }
    for (TradeoffPlot.Series s : series) {
      s.points().forEach(p -> assertTrue(Double.isFinite(p.psnr()) && p.psnr() > 0, "" + p));
    }

    // The budget sweep never exceeds its budget: budget F spends at most F of the full width.
    TradeoffPlot.Series budgets = series.get(2);
    assertEquals(TradeoffPlot.BUDGETS.size(), budgets.points().size());
    for (int i = 0; i < budgets.points().size(); i++) {
      assertTrue(
          budgets.points().get(i).flops()
              <= TradeoffPlot.BUDGETS.get(i) * Backbone.FSRCNN.paperFlops(3) + 1e-6,
          "budget " + TradeoffPlot.BUDGETS.get(i));
    }
    // A further series is one call.
    plot.add(TradeoffPlot.series("more", true, evals.subList(4, 6), DatasetEval::mode));
    Path png = dir.resolve("plot.png");
    plot.render(png);
    BufferedImage image = ImageIO.read(png.toFile());
    assertEquals(TradeoffPlot.WIDTH, image.getWidth());
    assertEquals(TradeoffPlot.HEIGHT, image.getHeight());
  }
}

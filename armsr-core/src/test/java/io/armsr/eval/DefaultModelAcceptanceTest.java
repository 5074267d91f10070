package io.armsr.eval;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.armsr.infer.ArmModel;
import io.armsr.infer.Grid;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import io.armsr.testing.Shared;
import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The acceptance of the embedded default model, against the official ARM-FSRCNN's numbers in {@code
 * ../shared/reference/golden}: with the reference grid, on BSD100 and Set14, the full width is
 * within 0.15 dB of the official {@code fixed3} mean PSNR, w16 and w36 within 0.3 dB of {@code
 * fixed1}/{@code fixed2}, and PSNR rises with width; on BSD100 {@code --k 1.5} spends at most 75%
 * of the full width's FLOPs and loses at most 0.12 dB against the model's own full width, in both
 * grids. The figures are in docs/TRAINING.md.
 */
class DefaultModelAcceptanceTest {

  /** How far below the official mean PSNR each width may be: w16, w36, w56. */
  static final double[] BOUND_DB = {0.3, 0.3, 0.15};

  @Test
  void theDefaultIsCloseToTheOfficialModelAtEveryWidth() throws IOException {
    List<RoutingMode> fixed = new ArrayList<>();
    for (int j = 0; j < Backbone.SUBNETS; j++) {
      fixed.add(new RoutingMode.Fixed(j));
    }
    for (String set : List.of("BSD100", "Set14")) {
      Path data = Shared.require("data/test/" + set);
      JsonNode golden =
          new ObjectMapper()
              .readTree(Shared.require("reference/golden/fsrcnn-" + set + ".json").toFile())
              .get("mean");
      List<DatasetEval> evals = evaluate(data, Grid.REFERENCE, fixed);
      for (int j = 1; j < Backbone.SUBNETS; j++) {
        double own = evals.get(j).meanPsnr();
        double official = golden.get("fixed" + j).get("psnr").asDouble();
        System.out.printf(
            "default %s subnet %d: %.5f dB, official %.5f, difference %+.5f (bound -%.2f)%n",
            set, j, own, official, own - official, BOUND_DB[j - 1]);
        assertTrue(
            official - own <= BOUND_DB[j - 1],
            set + " subnet " + j + ": " + own + " dB against the official " + official);
        assertTrue(
            own > evals.get(j - 1).meanPsnr(), set + ": PSNR rises with width at subnet " + j);
      }
    }
  }

  @Test
  void kOneAndAHalfSavesAQuarterOfTheComputeForLittleQuality() throws IOException {
    Path data = Shared.require("data/test/BSD100");
    for (Grid grid : Grid.values()) {
      List<DatasetEval> evals =
          evaluate(data, grid, List.of(new RoutingMode.Fixed(3), new RoutingMode.Tradeoff(1.5)));
      DatasetEval full = evals.get(0);
      DatasetEval k = evals.get(1);
      double share = k.meanFlops() / full.meanFlops();
      double loss = full.meanPsnr() - k.meanPsnr();
      System.out.printf(
          "default BSD100 %s grid, --k 1.5: %.1f%% of full-width FLOPs, %.3f dB below it%n",
          grid.id(), 100 * share, loss);
      assertTrue(share <= 0.75, grid + ": --k 1.5 spends " + share + " of the full width");
      assertTrue(loss <= 0.12, grid + ": --k 1.5 loses " + loss + " dB");
    }
  }

  private static List<DatasetEval> evaluate(Path data, Grid grid, List<RoutingMode> modes)
      throws IOException {
    try (ArmModel model = ArmModel.loadDefault(Backbone.FSRCNN)) {
      Upscaler up = new Upscaler(model, Upscaler.Options.defaults().withGrid(grid));
      return new Evaluator(up)
          .evaluate(PairedDataset.open(data.resolve("HR"), data.resolve("LR")), modes, n -> {});
    }
  }
}

package io.armsr.infer;

import io.armsr.image.EdgeScore;
import io.armsr.image.Rgb8Image;
import io.armsr.lut.PsnrTable;

/**
 * What routing knows of every patch of a grid before any network runs: its edge score (ARM.md 4.1)
 * and, through the Edge-to-PSNR table, the predicted PSNR of every subnet (ARM.md 4.3).
 *
 * <p>Public for front ends that route a whole corpus before upscaling any of it (the Spark job's
 * corpus budget), from exactly the predictions the engine routes with.
 *
 * @param edge {@code [patch]}
 * @param predicted {@code [patch][subnet]}
 */
public record PatchScores(double[] edge, double[][] predicted) {

  /** Scores every patch of {@code grid} on the 8-bit view {@code lr}. */
  public static PatchScores of(Rgb8Image lr, PatchGrid grid, PsnrTable table) {
    int n = grid.size();
    double[] scores = new double[n];
    double[][] predicted = new double[n][];
    for (int p = 0; p < n; p++) {
      PatchGrid.Patch patch = grid.patch(p);
      scores[p] = EdgeScore.of(lr, patch.x(), patch.y(), patch.width(), patch.height());
      predicted[p] = table.predict(scores[p]);
    }
    return new PatchScores(scores, predicted);
  }
}

package io.armsr.lut;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import io.armsr.model.Backbone;
import io.armsr.model.Supernet;
import io.armsr.model.Supernets;
import io.armsr.testing.Shared;
import io.armsr.torch.OfficialCheckpoint;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * The builder with the official US-FSRCNN weights on the DIV2K-valid 256x256 crops of {@code
 * ../shared} (skipped where absent).
 */
class LutBuilderFsrcnnTest {
  private static final String VAL = "data/val/DIV2K_valid_c256/HR";
  private static final String WEIGHTS = "reference/arm-net/arm-fsrcnn.pth";
  private static final String STATE = "reference/arm-net/arm-fsrcnn.state";

  private static BuiltTable build(Iterable<PatchPair> patches, int bins) {
    Path weights = Shared.require(WEIGHTS);
    try (NDManager manager = NDManager.newBaseManager();
        Supernet net =
            Supernets.create(Backbone.FSRCNN, OfficialCheckpoint.readStateDict(weights), manager)) {
      return LutBuilder.build(net, Backbone.FSRCNN.paperFlopsList(), patches, bins, 64);
    }
  }

  /** Fraction of measured bins in which the mean PSNR does not fall from w16 to w36 to w56. */
  private static double risingFraction(BuiltTable t) {
    double[][] m = t.table().meanPsnr();
    int measured = 0;
    int rising = 0;
    for (int i = 0; i < t.binCounts().length; i++) {
      if (t.binCounts()[i] > 0) {
        measured++;
        if (m[3][i] >= m[2][i] && m[2][i] >= m[1][i]) {
          rising++;
        }
      }
    }
    return rising / (double) measured;
  }

  private static String format(BuiltTable t) {
    StringBuilder sb = new StringBuilder();
    sb.append(
        String.format(
            Locale.ROOT,
            "%d patches, scores %.4f .. %.4f%n%8s %6s %7s %7s %7s %7s%n",
            t.patches(),
            t.scoreMin(),
            t.scoreMax(),
            "centre",
            "count",
            "bicubic",
            "w16",
            "w36",
            "w56"));
    PsnrTable table = t.table();
    for (int i = 0; i < table.bins(); i++) {
      sb.append(
          String.format(Locale.ROOT, "%8.3f %6d", table.binCentres()[0][i], t.binCounts()[i]));
      for (int j = 0; j < table.subnets(); j++) {
        sb.append(
            String.format(
                Locale.ROOT, " %6.2f%s", table.meanPsnr()[j][i], t.filled()[j][i] ? "*" : " "));
      }
      sb.append('\n');
    }
    return sb.toString();
  }

  /** Ten images at the release's step of 28: 40 patches, 30 bins. */
  @Test
  void rowsRiseWithWidth() {
    Path dir = Shared.require(VAL);
    List<Path> files = ValidationPatches.imageFiles(dir).subList(0, 10);
    BuiltTable t = build(ValidationPatches.fromFiles(files, 28, false), LutBuilder.OFFICIAL_BINS);
    System.out.print(format(t));

    assertEquals(40, t.patches());
    assertEquals(40, Arrays.stream(t.binCounts()).sum());
    double[][] m = t.table().meanPsnr();
    for (int i = 0; i < t.binCounts().length; i++) {
      // On these textured patches the smallest network already beats bicubic in every bin.
      assertTrue(t.binCounts()[i] == 0 || m[1][i] > m[0][i], "bin " + i + ": w16 <= bicubic");
    }
    double rising = risingFraction(t);
    assertTrue(rising >= 0.8, "rows rise with width in only " + rising + " of the measured bins");
    // Every bin holds a finite prediction, filled or measured.
    for (double[] row : t.table().meanPsnr()) {
      for (double v : row) {
        assertTrue(Double.isFinite(v) && v > 10 && v <= 80, "PSNR " + v);
      }
    }
  }

  /**
   * The whole folder at the dense step (and with {@code -Darmsr.lutreport.dihedral=true} all 8
   * variants) against the official table stored in {@code arm-fsrcnn.state}; opt-in ({@code
   * -Darmsr.lutreport=true}, about 40 s on 2 cores). The official bins cover 0..219.65 and ours a
   * smaller range, so the comparison predicts at the official bin centres (ARM.md 4.3) within our
   * score range.
   *
   * <p>The official table was built on the 22,194 DIV2K-valid patches of the release (ARM.md 4.2),
   * ours on 2,500 patches of the 256x256 crops, so the tables sit at different levels (ours about
   * 1.6 dB lower for w16..w56 and 0.8 dB for bicubic when this was written: other patches, other
   * means). What must agree is the shape: the three widths' offsets from the official rows are the
   * same within 0.25 dB (the gain of w36 and w56 over w16 is the official gain), every offset is
   * within 2.5 dB, and our rows rise with width in nearly every bin.
   */
  @Test
  @EnabledIfSystemProperty(named = "armsr.lutreport", matches = "true")
  void builtTableHasTheShapeOfTheOfficialTable() {
    Path dir = Shared.require(VAL);
    PsnrTable official = OfficialCheckpoint.readLut(Shared.require(STATE));
    boolean dihedral = Boolean.getBoolean("armsr.lutreport.dihedral");
    long start = System.nanoTime();
    BuiltTable t =
        build(
            ValidationPatches.fromFolder(dir, ValidationPatches.DEFAULT_STEP, dihedral),
            LutBuilder.OFFICIAL_BINS);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.print(format(t));
    System.out.printf(
        Locale.ROOT,
        "built in %.1f s; rows rise with width in %.3f of the measured bins%n",
        seconds,
        risingFraction(t));
    double[] centres = official.binCentres()[0];
    double[] sum = new double[official.subnets()];
    int compared = 0;
    for (int i = 0; i < centres.length; i++) {
      if (centres[i] < t.scoreMin() || centres[i] > t.scoreMax()) {
        continue;
      }
      compared++;
      double[] ours = t.table().predict(centres[i]);
      for (int j = 0; j < sum.length; j++) {
        sum[j] += ours[j] - official.meanPsnr()[j][i];
      }
    }
    System.out.printf(
        Locale.ROOT, "mean(built - official) at %d official centres in range:", compared);
    for (double s : sum) {
      System.out.printf(Locale.ROOT, " %+.3f", s / compared);
    }
    System.out.println(" dB (bicubic, w16, w36, w56)");
    assertTrue(compared >= 20, "only " + compared + " official centres in our score range");
    double[] offset = new double[sum.length];
    for (int j = 0; j < sum.length; j++) {
      offset[j] = sum[j] / compared;
      assertTrue(Math.abs(offset[j]) <= 2.5, "subnet " + j + " offset " + offset[j] + " dB");
    }
    for (int j = 2; j < sum.length; j++) {
      assertEquals(offset[1], offset[j], 0.25, "gain of subnet " + j + " over w16 vs official");
    }
    assertTrue(risingFraction(t) >= 0.95, "rows rise with width in " + risingFraction(t));
  }
}

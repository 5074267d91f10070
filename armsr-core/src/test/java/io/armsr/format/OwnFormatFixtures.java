package io.armsr.format;

import io.armsr.format.TrainingProvenance.DataFolder;
import io.armsr.format.TrainingState.AdamState;
import io.armsr.lut.BuiltTable;
import io.armsr.lut.PsnrTable;
import io.armsr.model.Backbone;
import io.armsr.model.StateDict;
import io.armsr.model.Supernets;
import io.armsr.model.WeightTensor;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Contents of the committed version-1 fixtures {@code checkpoint-v1.armw} and {@code lut-v1.arml}
 * (src/test/resources/io/armsr/io). They were written once by {@link #main}; the tests read the
 * committed bytes, so a change to the writer cannot silently change what old files mean. Never
 * regenerate them for a new format version: add new fixtures beside them.
 */
final class OwnFormatFixtures {
  private OwnFormatFixtures() {}

  static final String CREATED = "2025-01-01T00:00:00Z";

  static TrainingProvenance provenance() {
    return new TrainingProvenance(
        "armsr train --data train/T91 --iterations 1000 --seed 3 --out w.armw",
        List.of(new DataFolder("train/T91", 91)),
        3,
        600,
        CREATED,
        "armsr 0.1.0",
        0.0421,
        new double[] {27.5, 27.75, 28.0},
        List.of());
  }

  /** FSRCNN official-init weights of seed 3. */
  static StateDict weights() {
    return Supernets.initialise(Backbone.FSRCNN, 3);
  }

  /** Moments with constant values (they compress to nothing in git). */
  static TrainingState training() {
    return new TrainingState(
        600,
        3,
        "flops2",
        16,
        1000,
        1e-3,
        1e-7,
        new AdamState(
            600, 0.9, 0.99, 1e-8, constant(weights(), 0.25f), constant(weights(), 0.0625f)));
  }

  static StateDict constant(StateDict like, float value) {
    Map<String, WeightTensor> out = new LinkedHashMap<>();
    for (var e : like.tensors().entrySet()) {
      float[] d = new float[e.getValue().data().length];
      java.util.Arrays.fill(d, value);
      out.put(e.getKey(), new WeightTensor(e.getValue().shape(), d));
    }
    return new StateDict(out);
  }

  /** A 4 x 3 table with one NaN (an empty bin left unfilled) and one filled bin. */
  static BuiltTable table() {
    double[][] centres = new double[4][];
    double[][] means = new double[4][];
    for (int j = 0; j < 4; j++) {
      centres[j] = new double[] {5.0, 15.0, 25.0};
      means[j] = new double[] {40.0 + j, 30.0 + j + 0.1, 20.0 + j / 3.0};
    }
    means[2][2] = Double.NaN;
    boolean[][] filled = new boolean[4][3];
    filled[1][2] = true;
    return new BuiltTable(
        new PsnrTable(centres, means, Backbone.FSRCNN.paperFlopsList()),
        new int[] {10, 5, 1},
        filled,
        16,
        0.0,
        30.0);
  }

  static LutProvenance lutProvenance() {
    return new LutProvenance(
        "armsr build-lut --weights w.armw --data val/DIV2K_valid_c256 --out t.arml",
        "w.armw",
        "0".repeat(64),
        "val/DIV2K_valid_c256",
        100,
        CREATED,
        "armsr 0.1.0");
  }

  /** Writes the fixtures into the folder given as the first argument. */
  public static void main(String[] args) throws Exception {
    Path dir = Path.of(args[0]);
    Files.write(
        dir.resolve("checkpoint-v1.armw"),
        WeightsFile.encode(Backbone.FSRCNN, weights(), provenance(), training()));
    Files.write(
        dir.resolve("lut-v1.arml"), LutFile.encode(Backbone.FSRCNN, table(), lutProvenance()));
  }
}

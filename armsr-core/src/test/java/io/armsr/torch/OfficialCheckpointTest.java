package io.armsr.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.armsr.lut.PsnrTable;
import io.armsr.model.StateDict;
import io.armsr.model.WeightTensor;
import io.armsr.testing.Fixtures;
import io.armsr.testing.Shared;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** State dicts and LUTs: crafted fixtures, then the official ARM release files (ARM.md 7). */
class OfficialCheckpointTest {
  @TempDir Path dir;

  // ---- crafted fixtures (make_fixtures.py) ---------------------------------------------------

  @Test
  void tinyStateDictKeepsOrderShapesAndValues() {
    StateDict sd = OfficialCheckpoint.readStateDict(Fixtures.copy("tiny.pth", dir));
    assertEquals(List.of("a.weight", "a.bias", "t.weight", "s.bias"), List.copyOf(sd.keys()));
    assertEquals(
        new WeightTensor(new long[] {2, 3}, new float[] {1.5f, -2f, 3.25f, 0.1f, -0f, 1e-30f}),
        sd.get("a.weight"));
    assertEquals(new WeightTensor(new long[] {2}, new float[] {7, -8}), sd.get("a.bias"));
    assertEquals(
        new WeightTensor(new long[] {3, 2}, new float[] {0, 3, 1, 4, 2, 5}), sd.get("t.weight"));
    assertEquals(new WeightTensor(new long[] {3}, new float[] {2, 3, 4}), sd.get("s.bias"));
    assertEquals(17, sd.totalElements());
  }

  @Test
  void nestedParamsAndModulePrefixAreUnwrapped() {
    StateDict sd = OfficialCheckpoint.readStateDict(Fixtures.copy("nested.pth", dir));
    assertEquals(List.of("x.weight"), List.copyOf(sd.keys()));
    assertEquals(
        new WeightTensor(new long[] {1, 1, 2, 2}, new float[] {0.25f, 0.5f, 0.75f, 1f}),
        sd.get("x.weight"));
  }

  @Test
  void tinyLutDecodesFloat64BitExactAndFloat32Widened() {
    PsnrTable t = OfficialCheckpoint.readLut(Fixtures.copy("tiny.state", dir));
    assertEquals(4, t.subnets());
    assertEquals(3, t.bins());
    for (int j = 0; j < 4; j++) {
      assertArrayEquals(new double[] {3.5, 10.75, 18.0}, t.binCentres()[j]);
    }
    assertArrayEquals(new double[] {49.67, 40.38, 36.96}, t.meanPsnr()[0]);
    assertArrayEquals(new double[] {48.16, 40.95, 38.11}, t.meanPsnr()[1]);
    // Row 2 was float32 with an empty (NaN) bin.
    assertArrayEquals(new double[] {49.25f, Double.NaN, 38.5f}, t.meanPsnr()[2]);
    assertArrayEquals(new double[] {1.0 / 3, 2.0 / 3, 1e-300}, t.meanPsnr()[3]);
    assertArrayEquals(new double[] {0, 141262852, 304570372, 467877892}, t.costs());
  }

  @Test
  void progressOfATinyState() {
    assertEquals(
        new OfficialCheckpoint.TrainingProgress(21, 2_000_002),
        OfficialCheckpoint.readProgress(Fixtures.copy("tiny.state", dir)));
  }

  @Test
  void weightsFileHasNoProgress() {
    Path p = Fixtures.copy("tiny.pth", dir);
    fails(p, () -> OfficialCheckpoint.readProgress(p), "'epoch' is None");
  }

  private static void fails(Path file, Executable read, String... words) {
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, read);
    String m = e.getMessage();
    assertTrue(m.contains(file.getFileName().toString()), () -> "no file name in: " + m);
    assertFalse(m.contains("\n"), () -> "not one line: " + m);
    for (String w : words) {
      assertTrue(m.contains(w), () -> "'" + w + "' missing from: " + m);
    }
  }

  @Test
  void stateFileIsNotAStateDict() {
    Path p = Fixtures.copy("tiny.state", dir);
    fails(p, () -> OfficialCheckpoint.readStateDict(p), "'epoch'", "not a tensor");
  }

  @Test
  void int64TensorIsRefusedNamingTheKey() {
    Path p = Fixtures.copy("int64.pth", dir);
    fails(p, () -> OfficialCheckpoint.readStateDict(p), "'bn.num_batches_tracked'", "LongStorage");
  }

  @Test
  void missingBlobNamesTheKey() {
    Map<String, byte[]> r = Fixtures.records(Fixtures.copy("tiny.pth", dir));
    r.remove("archive/data/2");
    Path p = Fixtures.zip(dir, "noblob.pth", r);
    fails(p, () -> OfficialCheckpoint.readStateDict(p), "'t.weight'", "data/2", "missing");
  }

  @Test
  void weightsFileHasNoLut() {
    Path p = Fixtures.copy("tiny.pth", dir);
    fails(p, () -> OfficialCheckpoint.readLut(p), "'hmap'");
  }

  @Test
  void stateWithoutHmap() {
    Path p = Fixtures.copy("nohmap.state", dir);
    fails(p, () -> OfficialCheckpoint.readLut(p), "no 'hmap'");
  }

  @Test
  void hmapMissingAKey() {
    Map<String, byte[]> r = Fixtures.records(Fixtures.copy("tiny.state", dir));
    // Rename the key in the pickle, keeping its length so the pickle stays valid.
    r.put(
        "tiny/data.pkl",
        Fixtures.patch(r.get("tiny/data.pkl"), "hmap_y_mean_list", "hmap_y_mean_lisX"));
    Path p = Fixtures.zip(dir, "nomeans.state", r);
    fails(p, () -> OfficialCheckpoint.readLut(p), "'hmap' has no 'hmap_y_mean_list'");
  }

  @Test
  void integerCostsAreRefusedNamingTheKey() {
    Path p = Fixtures.copy("int_lut.state", dir);
    fails(p, () -> OfficialCheckpoint.readLut(p), "hmap.cost_list", "<i8");
  }

  @Test
  void unknownGlobalInAStateFile() {
    byte[] evil = Fixtures.latin1("\u0080\u0002cos\nsystem\nX\u0002\u0000\u0000\u0000id\u0085R.");
    Path p = Fixtures.pickleOnly(dir, "evil.state", evil);
    fails(p, () -> OfficialCheckpoint.readLut(p), "os.system");
  }

  // ---- official files (skipped without ../shared) --------------------------------------------

  private static Map<String, long[]> fsrcnnShapes() {
    Map<String, long[]> m = new LinkedHashMap<>();
    m.put("head_conv.0.weight", new long[] {56, 3, 5, 5});
    m.put("head_conv.0.bias", new long[] {56});
    m.put("head_conv.1.weight", new long[] {1});
    m.put("body_conv.0.0.weight", new long[] {12, 56, 1, 1});
    m.put("body_conv.0.0.bias", new long[] {12});
    m.put("body_conv.0.1.weight", new long[] {1});
    for (int i = 1; i <= 4; i++) {
      m.put("body_conv." + i + ".weight", new long[] {12, 12, 3, 3});
      m.put("body_conv." + i + ".bias", new long[] {12});
    }
    m.put("body_conv.5.weight", new long[] {1});
    m.put("body_conv.6.0.weight", new long[] {56, 12, 1, 1});
    m.put("body_conv.6.0.bias", new long[] {56});
    m.put("body_conv.6.1.weight", new long[] {1});
    m.put("tail_conv.weight", new long[] {56, 3, 9, 9});
    m.put("tail_conv.bias", new long[] {3});
    return m;
  }

  @Test
  void officialFsrcnnWeights() {
    StateDict sd =
        OfficialCheckpoint.readStateDict(Shared.require("reference/arm-net/arm-fsrcnn.pth"));
    Map<String, long[]> expected = fsrcnnShapes();
    assertEquals(expected.keySet(), sd.keys());
    for (Map.Entry<String, long[]> e : expected.entrySet()) {
      assertArrayEquals(e.getValue(), sd.get(e.getKey()).shape(), e.getKey());
    }
    assertEquals(20, sd.keys().size());
    assertEquals(24_515, sd.totalElements());
    // Values read from the blobs with numpy (no torch) when this test was written.
    assertArrayEquals(
        new float[] {0.22243160009384155f, 0.21991655230522156f, 0.21591399610042572f},
        sd.get("tail_conv.bias").data());
    assertArrayEquals(new float[] {0.006718302611261606f}, sd.get("head_conv.1.weight").data());
    assertArrayEquals(new float[] {0.9682323336601257f}, sd.get("body_conv.5.weight").data());
    float[] head = sd.get("head_conv.0.weight").data();
    assertEquals(0.01605379953980446f, head[0]);
    assertEquals(0.0010852849809452891f, head[1]);
    assertEquals(-66.08493260469186, sum(head), 1e-9);
  }

  @Test
  void officialCarnWeights() {
    StateDict sd =
        OfficialCheckpoint.readStateDict(Shared.require("reference/arm-net/arm-carn.pth"));
    assertEquals(54, sd.keys().size());
    assertEquals(294_171, sd.totalElements());
    assertArrayEquals(new long[] {64, 16, 3, 3}, sd.get("b1.b1.body.0.weight").shape());
    assertArrayEquals(new long[] {64, 64, 1, 1}, sd.get("b3.b1.body.4.weight").shape());
    assertArrayEquals(new long[] {64, 256, 1, 1}, sd.get("b2.c3.0.weight").shape());
    assertArrayEquals(new long[] {256, 16, 3, 3}, sd.get("upsample.up.body.3.weight").shape());
    assertArrayEquals(new long[] {64, 256, 1, 1}, sd.get("c3.0.weight").shape());
    assertArrayEquals(new long[] {3, 64, 3, 3}, sd.get("exit.weight").shape());
    // MeanShift: identity 1x1 weights and the DIV2K RGB means as bias (negated in sub_mean).
    assertArrayEquals(new float[] {1, 0, 0, 0, 1, 0, 0, 0, 1}, sd.get("sub_mean.weight").data());
    assertArrayEquals(
        new float[] {-0.4487999975681305f, -0.43709999322891235f, -0.40400001406669617f},
        sd.get("sub_mean.bias").data());
    assertArrayEquals(
        new float[] {-0.020366741344332695f, -0.05864475667476654f, 0.03543819859623909f},
        sd.get("exit.bias").data());
  }

  @Test
  void officialStatesWereSavedAtTheEndOfTraining() {
    for (String backbone : List.of("fsrcnn", "carn")) {
      assertEquals(
          new OfficialCheckpoint.TrainingProgress(21, 2_000_002),
          OfficialCheckpoint.readProgress(
              Shared.require("reference/arm-net/arm-" + backbone + ".state")),
          backbone);
    }
  }

  @Test
  void officialFsrcnnLutEqualsGolden() throws IOException {
    assertLutEqualsGolden("fsrcnn");
  }

  @Test
  void officialCarnLutEqualsGolden() throws IOException {
    assertLutEqualsGolden("carn");
  }

  /**
   * Exact equality: the golden JSON prints doubles with Python's shortest round-trip repr, which
   * Jackson parses back to the same bits.
   */
  private static void assertLutEqualsGolden(String backbone) throws IOException {
    PsnrTable t =
        OfficialCheckpoint.readLut(Shared.require("reference/arm-net/arm-" + backbone + ".state"));
    JsonNode golden =
        new ObjectMapper()
            .readTree(Shared.require("reference/golden/lut-" + backbone + ".json").toFile());
    assertEquals(4, t.subnets());
    assertEquals(30, t.bins());
    assertArrayEquals(doubles(golden.get("cost_list")), t.costs());
    for (int j = 0; j < 4; j++) {
      assertArrayEquals(doubles(golden.get("hmap_x_list").get(j)), t.binCentres()[j], "x " + j);
      assertArrayEquals(
          doubles(golden.get("hmap_y_mean_list").get(j)), t.meanPsnr()[j], "mean " + j);
    }
    // ARM.md 4.2: centres 3.660791015625 + 7.32158203125 i, shared by all subnets.
    assertEquals(3.660791015625, t.binCentres()[0][0]);
    assertEquals(3.660791015625 + 7.32158203125 * 29, t.binCentres()[3][29], 1e-12);
  }

  private static double[] doubles(JsonNode array) {
    double[] out = new double[array.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = array.get(i).doubleValue();
    }
    return out;
  }

  private static double sum(float[] v) {
    double s = 0;
    for (float x : v) {
      s += x;
    }
    return s;
  }
}

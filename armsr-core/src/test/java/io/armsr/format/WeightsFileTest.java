package io.armsr.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.format.TrainingState.AdamState;
import io.armsr.model.Backbone;
import io.armsr.model.StateDict;
import io.armsr.model.Supernets;
import io.armsr.model.WeightTensor;
import io.armsr.testing.Fixtures;
import io.armsr.torch.CheckpointFormatException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WeightsFileTest {
  @TempDir Path dir;

  @Test
  void weightsRoundTripForEveryBackbone() throws Exception {
    for (Backbone b : Backbone.values()) {
      StateDict w = Supernets.initialise(b, 11);
      Path f = dir.resolve(b.id() + ".armw");
      WeightsFile.write(f, b, w, OwnFormatFixtures.provenance(), null);
      WeightsFile.Contents c = WeightsFile.read(f);
      assertEquals(b, c.backbone());
      assertEquals(w.tensors(), c.weights().tensors());
      assertEquals(OwnFormatFixtures.provenance(), c.provenance());
      assertTrue(c.training().isEmpty());
      assertTrue(WeightsFile.sniff(f));
    }
  }

  /** A chained run's provenance keeps the runs it continued, in order, through the file. */
  @Test
  void earlierRunsRoundTripInOrder() throws Exception {
    TrainingProvenance first = OwnFormatFixtures.provenance();
    TrainingProvenance second =
        new TrainingProvenance(
            "armsr train --resume w.armw.ckpt --out w.armw",
            first.data(),
            3,
            1000,
            "2025-01-02T00:00:00Z",
            "armsr 0.1.0",
            Double.NaN,
            new double[0],
            first.chain());
    TrainingProvenance third =
        new TrainingProvenance(
            "armsr train --init w.armw --iterations 50 --seed 4 --out v.armw",
            first.data(),
            4,
            50,
            "2025-01-03T00:00:00Z",
            "armsr 0.1.0",
            0.04,
            new double[] {27.6, 27.8, 28.1},
            second.chain());
    assertEquals(2, third.earlier().size());
    assertEquals(first, third.earlier().get(0));
    assertEquals(1000, third.earlier().get(1).iterations());
    assertTrue(third.earlier().get(1).earlier().isEmpty(), "the chain is flat");
    Path f = dir.resolve("chained.armw");
    WeightsFile.write(f, Backbone.FSRCNN, OwnFormatFixtures.weights(), third, null);
    assertEquals(third, WeightsFile.read(f).provenance());
    assertEquals(third, ModelFiles.provenanceOf(f).orElseThrow());
    // A run that continued none writes no "earlier" field, so its files keep their old bytes.
    assertTrue(
        !new String(Files.readAllBytes(dir.resolve("chained.armw")), "ISO-8859-1")
            .contains("\"earlier\":[]"),
        "empty chains are not written");
  }

  @Test
  void checkpointRoundTripKeepsAdamStateBitForBit() throws Exception {
    StateDict w = Supernets.initialise(Backbone.FSRCNN, 1);
    StateDict m = scaled(w, 0.5f);
    StateDict v = scaled(w, 1e-3f);
    TrainingState s =
        new TrainingState(
            7, 99, "sandwich", 4, 20, 2e-4, 1e-7, new AdamState(7, 0.9, 0.99, 1e-8, m, v));
    Path f = dir.resolve("c.armw");
    WeightsFile.write(f, Backbone.FSRCNN, w, OwnFormatFixtures.provenance(), s);
    TrainingState r = WeightsFile.read(f).training().orElseThrow();
    assertEquals(7, r.iteration());
    assertEquals(99, r.seed());
    assertEquals("sandwich", r.sampler());
    assertEquals(4, r.batch());
    assertEquals(20, r.iterations());
    assertEquals(2e-4, r.lr0());
    assertEquals(7, r.adam().step());
    assertEquals(0.99, r.adam().beta2());
    assertEquals(m.tensors(), r.adam().expAvg().tensors());
    assertEquals(v.tensors(), r.adam().expAvgSq().tensors());
  }

  /**
   * Regression pin of the committed version-1 file: it must keep loading with the same meaning. The
   * weights are {@code Supernets.initialise(FSRCNN, 3)} as {@link OwnFormatFixtures#main} wrote
   * them once; the two elements and the sum below were read back from those bytes when the fixture
   * was committed (they pin the bytes, not a correct initialisation). The provenance and the
   * constant Adam moments are the fixture's hand-written contents.
   */
  @Test
  void version1FixtureIsPinned() {
    WeightsFile.Contents c = WeightsFile.read(Fixtures.copy("checkpoint-v1.armw", dir));
    assertEquals(Backbone.FSRCNN, c.backbone());
    assertEquals(20, c.weights().keys().size());
    assertEquals(24_515, c.weights().totalElements());
    assertEquals(0.0024867174f, c.weights().get("head_conv.0.weight").data()[0]);
    assertEquals(-0.03317594f, c.weights().get("tail_conv.weight").data()[100]);
    double sum = 0;
    for (WeightTensor t : c.weights().tensors().values()) {
      for (float x : t.data()) {
        sum += x;
      }
    }
    assertEquals(4.18162212658342, sum, 1e-12);
    assertEquals(OwnFormatFixtures.provenance(), c.provenance());
    TrainingState s = c.training().orElseThrow();
    assertEquals(600, s.iteration());
    assertEquals(1000, s.iterations());
    assertEquals(600, s.adam().step());
    assertEquals(0.25f, s.adam().expAvg().get("body_conv.1.weight").data()[5]);
    assertEquals(0.0625f, s.adam().expAvgSq().get("tail_conv.bias").data()[2]);
  }

  @Test
  void badMagicVersionTruncationAndDamageAreNamedErrors() throws Exception {
    Path good = Fixtures.copy("checkpoint-v1.armw", dir);
    byte[] bytes = Files.readAllBytes(good);

    byte[] magic = bytes.clone();
    magic[1] = 'X';
    assertProblem(write("magic.armw", magic), "bad magic number");

    byte[] version = bytes.clone();
    ByteBuffer.wrap(version).order(ByteOrder.LITTLE_ENDIAN).putInt(8, 2);
    assertProblem(write("version.armw", version), "format version 2 is not supported");

    assertProblem(write("short.armw", Arrays.copyOf(bytes, bytes.length - 1000)), "truncated");
    assertProblem(write("tiny.armw", Arrays.copyOf(bytes, 12)), "truncated");
    assertProblem(write("empty.armw", new byte[0]), "bad magic number");

    byte[] flipped = bytes.clone();
    flipped[bytes.length - 5000] ^= 1;
    assertProblem(write("flipped.armw", flipped), "checksum mismatch");

    assertProblem(dir.resolve("missing.armw"), "no such file");
  }

  @Test
  void nanAndWrongShapesAreRefused() throws Exception {
    StateDict w = Supernets.initialise(Backbone.FSRCNN, 1);
    Map<String, WeightTensor> t = new LinkedHashMap<>(w.tensors());
    float[] d = t.get("body_conv.2.bias").data().clone();
    d[3] = Float.NaN;
    t.put("body_conv.2.bias", new WeightTensor(new long[] {12}, d));
    Path nan = dir.resolve("nan.armw");
    WeightsFile.write(nan, Backbone.FSRCNN, new StateDict(t), OwnFormatFixtures.provenance(), null);
    assertProblem(nan, "tensor 'body_conv.2.bias' holds NaN at element 3");

    // A CARN file relabelled as FSRCNN: widths, FLOPs and shapes disagree.
    byte[] carn =
        WeightsFile.encode(
            Backbone.CARN,
            Supernets.initialise(Backbone.CARN, 1),
            OwnFormatFixtures.provenance(),
            null);
    assertThrows(
        IllegalArgumentException.class,
        () ->
            WeightsFile.encode(
                Backbone.FSRCNN,
                Supernets.initialise(Backbone.CARN, 1),
                OwnFormatFixtures.provenance(),
                null));
    assertTrue(carn.length > 0);
  }

  private Path write(String name, byte[] bytes) throws Exception {
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return f;
  }

  static void assertProblem(Path file, String fragment) {
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> WeightsFile.read(file));
    assertEquals(file, e.file());
    assertTrue(e.getMessage().startsWith(file.toString()), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
    assertTrue(!e.getMessage().contains("\n"));
  }

  private static StateDict scaled(StateDict w, float k) {
    Map<String, WeightTensor> out = new LinkedHashMap<>();
    for (var e : w.tensors().entrySet()) {
      float[] d = e.getValue().data().clone();
      for (int i = 0; i < d.length; i++) {
        d[i] *= k;
      }
      out.put(e.getKey(), new WeightTensor(e.getValue().shape(), d));
    }
    return new StateDict(out);
  }

  @Test
  void editingTheHeaderBreaksTheChecksum() throws Exception {
    // Relabel the backbone in place, keeping the length: the CRC catches it before any parsing.
    byte[] bytes = Files.readAllBytes(Fixtures.copy("checkpoint-v1.armw", dir));
    byte[] patched = Fixtures.patch(bytes, "\"backbone\":\"fsrcnn\"", "\"backbone\":\"carn\"  ");
    assertProblem(write("relabelled.armw", patched), "checksum mismatch");
  }
}

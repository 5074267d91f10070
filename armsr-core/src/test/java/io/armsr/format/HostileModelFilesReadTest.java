package io.armsr.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.model.Backbone;
import io.armsr.testing.HostileModelFiles;
import io.armsr.testing.PickleWriter;
import io.armsr.testing.RawZip;
import io.armsr.torch.CheckpointFormatException;
import io.armsr.torch.ModelLimits;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * The readers, in process, against every crafted file of {@link HostileModelFiles}: each must be
 * refused quickly with a {@link CheckpointFormatException} naming the file, whatever it declares.
 * (The command line's suite checks exit code and memory in a child JVM.)
 */
class HostileModelFilesReadTest {
  @TempDir Path dir;

  @TestFactory
  Stream<DynamicTest> everyHostileFileIsRefused() {
    return HostileModelFiles.all().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.name(),
                    () -> {
                      Path f = c.write(dir);
                      CheckpointFormatException e =
                          assertTimeoutPreemptively(
                              Duration.ofSeconds(5),
                              () ->
                                  assertThrows(
                                      CheckpointFormatException.class, () -> read(c.role(), f)));
                      assertTrue(e.getMessage().startsWith(f + ": "), e.getMessage());
                      assertFalse(e.getMessage().contains("\n"), e.getMessage());
                      System.out.println(c.name() + " -> " + e.problem());
                    }));
  }

  private static void read(HostileModelFiles.Role role, Path f) {
    if (role == HostileModelFiles.Role.WEIGHTS) {
      ModelFiles.readWeights(f, Backbone.FSRCNN);
    } else {
      ModelFiles.readLut(f);
    }
  }

  @Test
  void theModelBoundIsTheLargestSupernet() {
    long max = 0;
    for (Backbone b : Backbone.values()) {
      max = Math.max(max, ModelLimits.parameters(b));
    }
    assertEquals(max, ModelLimits.MAX_PARAMETERS);
    // FSRCNN's supernet (ARM.md 7): well under a million parameters, CARN's about a million.
    assertTrue(ModelLimits.parameters(Backbone.FSRCNN) < 100_000);
    assertTrue(ModelLimits.MAX_PARAMETERS < 10_000_000);
  }

  @Test
  void aFortranArrayWithoutDataIsRefusedBeforeReordering() {
    Path f = dir.resolve("f.state");
    PickleWriter p = new PickleWriter().emptyDict().str("hmap").emptyDict().str("hmap_x_list");
    p.numpyArray(new long[] {65536, 65536}, "f8", true, new byte[0]).setItem().setItem().stop();
    new RawZip().stored("archive/data.pkl", p.toBytes()).write(f);
    var e = assertThrows(CheckpointFormatException.class, () -> ModelFiles.readLut(f));
    assertEquals(
        "numpy array of shape [65536, 65536] and dtype <f8 needs more than 0 bytes, holds 0",
        e.problem());
  }

  @Test
  void aSmallFortranArrayIsStillReorderedExactly() {
    // 2 x 3 float64 in column-major order: C order must come out 1..6.
    double[] fortran = {1, 4, 2, 5, 3, 6};
    java.nio.ByteBuffer b =
        java.nio.ByteBuffer.allocate(48).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    for (double v : fortran) {
      b.putDouble(v);
    }
    Path f = dir.resolve("small.state");
    PickleWriter p = new PickleWriter().emptyDict().str("a");
    p.numpyArray(new long[] {2, 3}, "f8", true, b.array()).setItem().stop();
    new RawZip().stored("archive/data.pkl", p.toBytes()).write(f);
    try (var archive = io.armsr.torch.TorchArchive.open(f)) {
      var a = (io.armsr.torch.NumpyArray) ((java.util.Map<?, ?>) archive.root()).get("a");
      org.junit.jupiter.api.Assertions.assertArrayEquals(
          new double[] {1, 2, 3, 4, 5, 6}, a.toDoubles());
    }
  }

  @Test
  void aBombIsStoppedOneByteAfterItsDeclaredSize() {
    Path f = dir.resolve("bomb.pth");
    new RawZip()
        .stored(
            "archive/data.pkl",
            HostileModelFiles.oneTensor(100, 0, new long[] {100}, new long[] {1}))
        .deflatedZeros("archive/data/0", 1L << 30, 400)
        .write(f);
    var e =
        assertThrows(
            CheckpointFormatException.class, () -> ModelFiles.readWeights(f, Backbone.FSRCNN));
    assertTrue(
        e.problem()
            .endsWith(
                "record archive/data/0 holds more than the 400 bytes the zip index"
                    + " declares (a compression bomb?)"),
        e.problem());
  }

  @Test
  void storagesLargerThanAnySupernetAreRefusedUnread() {
    Path f = dir.resolve("big.pth");
    long numel = ModelLimits.MAX_PARAMETERS * 2 + 1;
    new RawZip()
        .stored(
            "archive/data.pkl",
            HostileModelFiles.oneTensor(numel, 0, new long[] {1}, new long[] {1}))
        .write(f);
    var e =
        assertThrows(
            CheckpointFormatException.class, () -> ModelFiles.readWeights(f, Backbone.FSRCNN));
    assertTrue(e.problem().contains("lies in a storage of " + numel + " elements"), e.problem());
  }

  @Test
  void tooManyPickleOperationsAreRefused() {
    Path f = dir.resolve("many.pth");
    PickleWriter p = new PickleWriter().emptyList();
    for (int i = 0; i < 1_000_001; i++) {
      p.none().op('0'); // push None, POP
    }
    new RawZip().stored("archive/data.pkl", p.stop().toBytes()).write(f);
    var e =
        assertThrows(
            CheckpointFormatException.class, () -> ModelFiles.readWeights(f, Backbone.FSRCNN));
    assertTrue(e.problem().contains("more than 1000000 pickle operations"), e.problem());
  }

  @Test
  void aMegabyteOfDecimalDigitsIsNotParsed() {
    Path f = dir.resolve("digits.pth");
    byte[] digits = new byte[1 << 20];
    java.util.Arrays.fill(digits, (byte) '7');
    java.io.ByteArrayOutputStream pkl = new java.io.ByteArrayOutputStream();
    pkl.write(0x80);
    pkl.write(2);
    pkl.write('L');
    pkl.writeBytes(digits);
    pkl.writeBytes("L\n.".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    new RawZip().stored("archive/data.pkl", pkl.toByteArray()).write(f);
    var e =
        assertThrows(
            CheckpointFormatException.class, () -> ModelFiles.readWeights(f, Backbone.FSRCNN));
    assertTrue(e.problem().contains("text line longer than 32 bytes"), e.problem());
  }
}

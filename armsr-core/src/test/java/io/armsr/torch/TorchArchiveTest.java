package io.armsr.torch;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.model.WeightTensor;
import io.armsr.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.api.io.TempDir;

/** The zip container and the restricted unpickler, on the fixtures of {@code make_fixtures.py}. */
class TorchArchiveTest {
  @TempDir Path dir;

  private WeightTensor tensor(TorchArchive a, String key) {
    Map<?, ?> root = (Map<?, ?>) a.root();
    return a.tensor((StoredTensor) root.get(key), key);
  }

  @Test
  void contiguousTensorsHaveExactShapesAndValues() {
    try (TorchArchive a = TorchArchive.open(Fixtures.copy("tiny.pth", dir))) {
      assertEquals("archive/", a.prefix());
      Map<?, ?> root = (Map<?, ?>) a.root();
      assertEquals(List.of("a.weight", "a.bias", "t.weight", "s.bias"), List.copyOf(root.keySet()));
      StoredTensor w = (StoredTensor) root.get("a.weight");
      assertEquals("FloatStorage", w.storageType());
      assertEquals("0", w.storageKey());
      assertArrayEquals(new long[] {3, 1}, w.stride());

      WeightTensor weight = tensor(a, "a.weight");
      assertArrayEquals(new long[] {2, 3}, weight.shape());
      // -0.0 and the subnormal-free tiny 1e-30 must survive bit for bit.
      assertArrayEquals(new float[] {1.5f, -2.0f, 3.25f, 0.1f, -0.0f, 1e-30f}, weight.data());
      assertEquals(Float.floatToRawIntBits(-0.0f), Float.floatToRawIntBits(weight.data()[4]));

      WeightTensor bias = tensor(a, "a.bias");
      assertArrayEquals(new long[] {2}, bias.shape());
      assertArrayEquals(new float[] {7f, -8f}, bias.data());
    }
  }

  @Test
  void nonContiguousStridesAreGatheredInRowMajorOrder() {
    try (TorchArchive a = TorchArchive.open(Fixtures.copy("tiny.pth", dir))) {
      // Storage 2 is [0..5]; t.weight is its (2,3) view transposed: size (3,2), stride (1,3).
      WeightTensor t = tensor(a, "t.weight");
      assertArrayEquals(new long[] {3, 2}, t.shape());
      assertArrayEquals(new float[] {0, 3, 1, 4, 2, 5}, t.data());
    }
  }

  @Test
  void storageOffsetIsHonouredOnASharedStorage() {
    try (TorchArchive a = TorchArchive.open(Fixtures.copy("tiny.pth", dir))) {
      WeightTensor s = tensor(a, "s.bias");
      assertArrayEquals(new long[] {3}, s.shape());
      assertArrayEquals(new float[] {2, 3, 4}, s.data());
    }
  }

  @Test
  void topFolderNeedNotBeArchive() {
    try (TorchArchive a = TorchArchive.open(Fixtures.copy("tiny.state", dir))) {
      assertEquals("tiny/", a.prefix());
      Map<?, ?> root = (Map<?, ?>) a.root();
      assertEquals(21, root.get("epoch"));
      assertEquals(2000002, root.get("iter"));
    }
  }

  @Test
  void numpyArraysDecodeIncludingFortranOrderAndBigEndian() {
    try (TorchArchive a = TorchArchive.open(Fixtures.copy("tiny.state", dir))) {
      Map<?, ?> root = (Map<?, ?>) a.root();
      NumpyArray f = assertInstanceOf(NumpyArray.class, root.get("fortran"));
      assertEquals("<f8", f.dtype());
      assertArrayEquals(new long[] {2, 3}, f.shape());
      // np.asfortranarray(arange(6).reshape(2,3)): values come back in C order.
      assertArrayEquals(new double[] {0, 1, 2, 3, 4, 5}, f.toDoubles());
      NumpyArray b = assertInstanceOf(NumpyArray.class, root.get("big_endian"));
      assertEquals(">f8", b.dtype());
      assertArrayEquals(new double[] {1.0, -2.5}, b.toDoubles());
    }
  }

  @Test
  void optimizerTensorsStayUnreadUntilAsked() {
    try (TorchArchive a = TorchArchive.open(Fixtures.copy("tiny.state", dir))) {
      Map<?, ?> opt = (Map<?, ?>) ((List<?>) ((Map<?, ?>) a.root()).get("optimizers")).get(0);
      Map<?, ?> state = (Map<?, ?>) ((Map<?, ?>) opt.get("state")).get(0);
      StoredTensor m = assertInstanceOf(StoredTensor.class, state.get("exp_avg"));
      assertArrayEquals(new float[] {0.5f, 0.25f}, a.tensor(m, "exp_avg").data());
    }
  }

  // ---- failures: one-line messages that name the file ------------------------------------

  private static CheckpointFormatException fails(Path file, Executable open, String... words) {
    CheckpointFormatException e = assertThrows(CheckpointFormatException.class, open);
    String m = e.getMessage();
    assertTrue(m.contains(file.getFileName().toString()), () -> "no file name in: " + m);
    assertFalse(m.contains("\n"), () -> "not one line: " + m);
    for (String w : words) {
      assertTrue(m.contains(w), () -> "'" + w + "' missing from: " + m);
    }
    assertEquals(file, e.file());
    return e;
  }

  private static Executable opening(Path file) {
    return () -> TorchArchive.open(file).close();
  }

  @Test
  void missingFile() {
    Path p = dir.resolve("absent.pth");
    fails(p, opening(p), "no such file");
  }

  @Test
  void directoryIsNotAFile() {
    fails(dir, opening(dir), "directory");
  }

  @Test
  void randomBytesAreNotAZip() throws IOException {
    byte[] noise = new byte[4096];
    new Random(42).nextBytes(noise);
    Path p = Files.write(dir.resolve("noise.pth"), noise);
    fails(p, opening(p), "not a zip archive");
  }

  @Test
  void emptyFileIsNotAZip() throws IOException {
    Path p = Files.write(dir.resolve("empty.pth"), new byte[0]);
    fails(p, opening(p), "not a zip archive");
  }

  @Test
  void legacyPickleCheckpointIsNamedAsSuch() throws IOException {
    Path p = Files.write(dir.resolve("old.pth"), Fixtures.latin1("\u0080\u0002\u008a\nlZ\u00fc"));
    fails(p, opening(p), "legacy");
  }

  @Test
  void truncatedZip() throws IOException {
    byte[] whole = Files.readAllBytes(Fixtures.copy("tiny.pth", dir));
    Path p = Files.write(dir.resolve("cut.pth"), java.util.Arrays.copyOf(whole, whole.length / 2));
    fails(p, opening(p), "not a zip archive");
  }

  @Test
  void zipWithoutDataPkl() {
    Path p = Fixtures.zip(dir, "nopkl.pth", Map.of("archive/version", new byte[] {'3', '\n'}));
    fails(p, opening(p), "data.pkl");
  }

  @Test
  void missingStorageBlobNamesTheTensor() {
    Map<String, byte[]> r = Fixtures.records(Fixtures.copy("tiny.pth", dir));
    r.remove("archive/data/1");
    Path p = Fixtures.zip(dir, "noblob.pth", r);
    try (TorchArchive a = TorchArchive.open(p)) {
      fails(p, () -> tensor(a, "a.bias"), "'a.bias'", "archive/data/1", "missing");
    }
  }

  @Test
  void shortStorageBlobNamesTheTensor() {
    Map<String, byte[]> r = Fixtures.records(Fixtures.copy("tiny.pth", dir));
    r.put("archive/data/0", java.util.Arrays.copyOf(r.get("archive/data/0"), 20));
    Path p = Fixtures.zip(dir, "short.pth", r);
    try (TorchArchive a = TorchArchive.open(p)) {
      fails(p, () -> tensor(a, "a.weight"), "'a.weight'", "20 bytes", "24");
    }
  }

  @Test
  void corruptBlobFailsItsCrc() throws IOException {
    Path src = Fixtures.copy("tiny.pth", dir);
    byte[] bytes = Files.readAllBytes(src);
    // a.bias is stored uncompressed as float32 7, -8: flip a bit of the 7.
    byte[] seven = {0, 0, (byte) 0xE0, 0x40, 0, 0, 0, (byte) 0xC1};
    int at = indexOf(bytes, seven);
    bytes[at + 2] ^= 1;
    Path p = Files.write(dir.resolve("flipped.pth"), bytes);
    try (TorchArchive a = TorchArchive.open(p)) {
      fails(p, () -> tensor(a, "a.bias"), "CRC");
    }
  }

  @Test
  void unsupportedStorageTypeIsRefusedByName() {
    Path p = Fixtures.copy("int64.pth", dir);
    try (TorchArchive a = TorchArchive.open(p)) {
      fails(
          p, () -> tensor(a, "bn.num_batches_tracked"), "'bn.num_batches_tracked'", "LongStorage");
    }
  }

  @Test
  void viewOutsideItsStorageIsRefused() {
    Path p = Fixtures.copy("tiny.pth", dir);
    try (TorchArchive a = TorchArchive.open(p)) {
      StoredTensor bad =
          new StoredTensor("FloatStorage", "1", 2, 1, new long[] {2}, new long[] {1});
      fails(p, () -> a.tensor(bad, "x"), "outside its storage");
    }
  }

  /** A pickle that would run {@code os.system('touch <marker>')} under Python's pickle.load. */
  @Test
  void unknownGlobalIsRefusedAndNothingRuns() {
    Path marker = dir.resolve("pwned");
    byte[] evil =
        Fixtures.latin1(
            "\u0080\u0002cos\nsystem\nq\u0000X"
                + le32(("touch " + marker).length())
                + "touch "
                + marker
                + "\u0085R.");
    Path p = Fixtures.pickleOnly(dir, "evil.pth", evil);
    fails(p, opening(p), "os.system");
    assertFalse(Files.exists(marker));
  }

  @Test
  void unknownStackGlobalIsRefused() {
    // Protocol 4 names globals with STACK_GLOBAL: builtins.eval('1').
    byte[] evil =
        Fixtures.latin1(
            "\u0080\u0004\u008c\u0008builtins\u008c\u0004eval\u0093\u008c\u00011\u0085R.");
    Path p = Fixtures.pickleOnly(dir, "evil4.pth", evil);
    fails(p, opening(p), "builtins.eval");
  }

  @Test
  void razorvineDefaultsAreNotReachable() {
    // razorvine would build a bytearray here by default; a state dict never holds one.
    byte[] pkl = Fixtures.latin1("\u0080\u0002c__builtin__\nbytearray\n)R.");
    Path p = Fixtures.pickleOnly(dir, "bytearray.pth", pkl);
    fails(p, opening(p), "__builtin__.bytearray");
  }

  @Test
  void hugeStringLengthInTruncatedPickleIsRefusedCheaply() {
    // BINUNICODE claiming 2 GiB with 3 bytes left must not allocate 2 GiB.
    byte[] pkl = Fixtures.latin1("\u0080\u0002X\u00ff\u00ff\u00ff\u007fabc");
    Path p = Fixtures.pickleOnly(dir, "huge.pth", pkl);
    fails(p, opening(p), "truncated");
  }

  @Test
  void garbagePickle() {
    Path p = Fixtures.pickleOnly(dir, "garbage.pth", Fixtures.latin1("\u0080\u0002}q\u0000(K"));
    fails(p, opening(p), "data.pkl");
  }

  private static String le32(int n) {
    return new String(
        new char[] {
          (char) (n & 0xFF), (char) (n >> 8 & 0xFF), (char) (n >> 16 & 0xFF), (char) (n >>> 24)
        });
  }

  private static int indexOf(byte[] hay, byte[] needle) {
    outer:
    for (int i = 0; i + needle.length <= hay.length; i++) {
      for (int j = 0; j < needle.length; j++) {
        if (hay[i + j] != needle[j]) {
          continue outer;
        }
      }
      return i;
    }
    throw new IllegalArgumentException("not found");
  }
}

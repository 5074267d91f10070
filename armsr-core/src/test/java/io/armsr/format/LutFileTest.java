package io.armsr.format;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.lut.BuiltTable;
import io.armsr.model.Backbone;
import io.armsr.testing.Fixtures;
import io.armsr.torch.CheckpointFormatException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LutFileTest {
  @TempDir Path dir;

  @Test
  void roundTripIsBitExactIncludingNaNAndStatistics() throws Exception {
    BuiltTable t = OwnFormatFixtures.table();
    Path f = dir.resolve("t.arml");
    LutFile.write(f, Backbone.FSRCNN, t, OwnFormatFixtures.lutProvenance());
    LutFile.Contents c = LutFile.read(f);
    assertEquals(Backbone.FSRCNN, c.backbone());
    assertEquals(t.table(), c.table().table()); // Arrays.deepEquals: NaN equals NaN
    assertArrayEquals(t.binCounts(), c.table().binCounts());
    assertTrue(Arrays.deepEquals(t.filled(), c.table().filled()));
    assertEquals(16, c.table().patches());
    assertEquals(30.0, c.table().scoreMax());
    assertEquals(OwnFormatFixtures.lutProvenance(), c.provenance());
    assertTrue(LutFile.sniff(f));
  }

  @Test
  void version1FixtureStillLoads() {
    LutFile.Contents c = LutFile.read(Fixtures.copy("lut-v1.arml", dir));
    assertEquals(Backbone.FSRCNN, c.backbone());
    assertEquals(4, c.table().table().subnets());
    assertEquals(3, c.table().table().bins());
    assertArrayEquals(new double[] {5, 15, 25}, c.table().table().binCentres()[3]);
    assertEquals(31.1, c.table().table().meanPsnr()[1][1]);
    assertEquals(20.0 + 1 / 3.0, c.table().table().meanPsnr()[1][2], 0);
    assertTrue(Double.isNaN(c.table().table().meanPsnr()[2][2]));
    assertTrue(c.table().filled()[1][2]);
    assertArrayEquals(new int[] {10, 5, 1}, c.table().binCounts());
    assertEquals(467_877_892.0, c.table().table().costs()[3]);
    assertEquals("val/DIV2K_valid_c256", c.provenance().dataFolder());
    assertEquals(100, c.provenance().dataImages());
  }

  @Test
  void damagedFilesAreNamedErrors() throws Exception {
    byte[] bytes = Files.readAllBytes(Fixtures.copy("lut-v1.arml", dir));
    byte[] magic = bytes.clone();
    magic[6] = 'W'; // a weights magic: the wrong kind of file
    assertProblem(write("magic.arml", magic), "bad magic number: not an armsr LUT file");
    byte[] version = bytes.clone();
    version[8] = 9;
    assertProblem(write("version.arml", version), "format version 9 is not supported");
    assertProblem(write("short.arml", Arrays.copyOf(bytes, bytes.length - 9)), "truncated");
    byte[] flipped = bytes.clone();
    flipped[bytes.length - 20] ^= 0x40;
    assertProblem(write("flipped.arml", flipped), "checksum mismatch");
  }

  private Path write(String name, byte[] bytes) throws Exception {
    Path f = dir.resolve(name);
    Files.write(f, bytes);
    return f;
  }

  private static void assertProblem(Path file, String fragment) {
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> LutFile.read(file));
    assertEquals(file, e.file());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }
}

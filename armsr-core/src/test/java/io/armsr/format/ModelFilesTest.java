package io.armsr.format;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.lut.PsnrTable;
import io.armsr.model.Backbone;
import io.armsr.model.StateDict;
import io.armsr.testing.Fixtures;
import io.armsr.testing.Shared;
import io.armsr.torch.CheckpointFormatException;
import io.armsr.torch.OfficialCheckpoint;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ModelFilesTest {
  @TempDir Path dir;

  @Test
  void readsOwnWeightsAndCheckpoints() {
    Path ckpt = Fixtures.copy("checkpoint-v1.armw", dir);
    StateDict sd = ModelFiles.readWeights(ckpt, Backbone.FSRCNN);
    assertEquals(OwnFormatFixtures.weights().tensors(), sd.tensors());
    CheckpointFormatException e =
        assertThrows(
            CheckpointFormatException.class, () -> ModelFiles.readWeights(ckpt, Backbone.CARN));
    assertTrue(e.getMessage().contains("holds fsrcnn weights, expected carn"), e.getMessage());
  }

  @Test
  void readsOwnAndOfficialLuts() {
    PsnrTable own = ModelFiles.readLut(Fixtures.copy("lut-v1.arml", dir));
    assertEquals(OwnFormatFixtures.table().table(), own);
    PsnrTable official = ModelFiles.readLut(Fixtures.copy("tiny.state", dir));
    assertEquals(OfficialCheckpoint.readLut(dir.resolve("tiny.state")), official);
  }

  @Test
  void officialPthIsValidatedAgainstTheBackbone() {
    // tiny.pth is a valid torch archive but not an FSRCNN state dict.
    Path tiny = Fixtures.copy("tiny.pth", dir);
    CheckpointFormatException e =
        assertThrows(
            CheckpointFormatException.class, () -> ModelFiles.readWeights(tiny, Backbone.FSRCNN));
    assertTrue(e.getMessage().contains("missing tensor"), e.getMessage());
  }

  @Test
  void officialReleaseFilesLoadWhenPresent() {
    Path pth = Shared.require("reference/arm-net/arm-fsrcnn.pth");
    StateDict sd = ModelFiles.readWeights(pth, Backbone.FSRCNN);
    assertEquals(24_515, sd.totalElements());
    PsnrTable t = ModelFiles.readLut(Shared.require("reference/arm-net/arm-fsrcnn.state"));
    assertEquals(30, t.bins());
  }

  @Test
  void wrongKindAndUnknownFilesAreRefused() throws Exception {
    Path lut = Fixtures.copy("lut-v1.arml", dir);
    Path ckpt = Fixtures.copy("checkpoint-v1.armw", dir);
    assertTrue(
        assertThrows(
                CheckpointFormatException.class, () -> ModelFiles.readWeights(lut, Backbone.FSRCNN))
            .getMessage()
            .contains("is an armsr LUT file, not weights"));
    assertTrue(
        assertThrows(CheckpointFormatException.class, () -> ModelFiles.readLut(ckpt))
            .getMessage()
            .contains("is an armsr weights file, not a LUT"));
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "hello, world");
    CheckpointFormatException e =
        assertThrows(CheckpointFormatException.class, () -> ModelFiles.readLut(text));
    assertEquals(text, e.file());
    assertTrue(e.getMessage().contains("unknown magic number"));
    assertThrows(
        CheckpointFormatException.class,
        () -> ModelFiles.readWeights(dir.resolve("absent.pth"), Backbone.FSRCNN));
  }
}

package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.testing.FixtureModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** bench on a tiny folder with the committed fixture model: the report's shape and the equality. */
class BenchCommandTest {
  @TempDir Path dir;

  @Test
  void reportsEngineBaselineAndRawRatesWithIdenticalImages() throws Exception {
    Path lr = Files.createDirectory(dir.resolve("lr"));
    Random rnd = new Random(2);
    for (int i = 0; i < 3; i++) {
      byte[] px = new byte[60 * 40 * 3];
      rnd.nextBytes(px);
      ImageFiles.write(new Rgb8Image(60, 40, px), lr.resolve("i" + i + ".png"));
    }
    Path json = dir.resolve("bench.json");
    CliTest.Run r =
        CliTest.run(
            "bench",
            lr.toString(),
            "--weights",
            FixtureModel.copy(dir, "checkpoint-v1.armw").toString(),
            "--lut",
            FixtureModel.copy(dir, "lut-v1.arml").toString(),
            "--json",
            json.toString(),
            "--raw-repeats",
            "2",
            "--warm-up",
            "0");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("speedup"), r.out());
    JsonNode j = new ObjectMapper().readTree(json.toFile());
    // No routing option: ARM-L, as every other command.
    assertEquals("k4.0", j.get("mode").asText());
    assertEquals(3, j.get("images").asInt());
    // 60x40 in the full grid: origins x 0, 28; y 0, 8 -> 4 patches per image.
    assertEquals(12, j.get("patches").asInt());
    assertEquals(0.0, j.get("warmUpSeconds").asDouble());
    for (String k : new String[] {"endToEnd", "baseline"}) {
      assertTrue(j.get(k).get("patchesPerSecond").asDouble() > 0, k);
      assertTrue(j.get(k).get("imagesPerSecond").asDouble() > 0, k);
    }
    assertTrue(j.get("rawForward").get("patchesPerSecond").asDouble() > 0);
    assertEquals(4, j.get("rawForward").get("bySubnet").size());
    assertTrue(j.get("speedup").asDouble() > 0);
    // Batch 1 with per-call slicing and batched pre-sliced weights compute the same image.
    assertTrue(j.get("maxAbsDiff").asDouble() <= 1e-5, j.toString());
  }

  @Test
  void aCorruptImageIsBadInputNamingTheFile() throws Exception {
    Path lr = Files.createDirectory(dir.resolve("lr"));
    byte[] px = new byte[40 * 40 * 3];
    new Random(3).nextBytes(px);
    ImageFiles.write(new Rgb8Image(40, 40, px), lr.resolve("a.png"));
    Files.write(
        lr.resolve("b.png"), "not pixels".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    CliTest.Run r =
        CliTest.run(
            "bench",
            lr.toString(),
            "--weights",
            FixtureModel.copy(dir, "checkpoint-v1.armw").toString(),
            "--lut",
            FixtureModel.copy(dir, "lut-v1.arml").toString(),
            "--raw-repeats",
            "1",
            "--passes",
            "1",
            "--warm-up",
            "0");
    assertEquals(Main.ExitCode.BAD_INPUT.code, r.code(), r.err());
    String err = r.err().strip();
    assertEquals(1, err.lines().count(), err);
    assertTrue(err.startsWith("armsr: cannot read image ") && err.contains("b.png"), err);
  }
}

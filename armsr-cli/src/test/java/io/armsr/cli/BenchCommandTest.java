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
    assertEquals("fixed3", j.get("mode").asText());
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
}

package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.armsr.chart.TradeoffPlot;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.testing.FixtureModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code armsr eval --plot}: the selected mode's table and JSON, and the plot, from one pass. */
class EvalPlotTest {
  @TempDir Path dir;

  @Test
  void writesThePlotBesideTheUsualReport() throws IOException {
    Path hr = Files.createDirectories(dir.resolve("HR"));
    Path lr = Files.createDirectories(dir.resolve("LR"));
    byte[] small = new byte[40 * 40 * 3];
    new Random(3).nextBytes(small);
    byte[] big = new byte[160 * 160 * 3];
    new Random(4).nextBytes(big);
    ImageFiles.write(new Rgb8Image(40, 40, small), lr.resolve("a.png"));
    ImageFiles.write(new Rgb8Image(160, 160, big), hr.resolve("a.png"));
    Path png = dir.resolve("plot.png");
    Path json = dir.resolve("r.json");
    CliTest.Run r =
        CliTest.run(
            "eval",
            "--hr",
            hr.toString(),
            "--lr",
            lr.toString(),
            "--weights",
            FixtureModel.copy(dir, "checkpoint-v1.armw").toString(),
            "--lut",
            FixtureModel.copy(dir, "lut-v1.arml").toString(),
            "--k",
            "2.5",
            "--json",
            json.toString(),
            "--plot",
            png.toString());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains("mode k2.5"), r.out());
    assertTrue(r.out().contains("wrote " + png), r.out());
    assertEquals("k2.5", new ObjectMapper().readTree(json.toFile()).get("mode").asText());
    Rgb8Image image = ImageFiles.read(png);
    assertEquals(TradeoffPlot.WIDTH, image.width());
    assertEquals(TradeoffPlot.HEIGHT, image.height());

    CliTest.Run bad =
        CliTest.run("eval", "--hr", hr.toString(), "--lr", lr.toString(), "--plot", "p.jpg");
    assertEquals(Main.ExitCode.USAGE.code, bad.code(), bad.err());
  }
}

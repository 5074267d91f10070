package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.testing.Shared;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The command line end to end: outputs, exit codes and one-line errors that name the file. */
class CliTest {
  @TempDir Path dir;

  record Run(int code, String out, String err) {}

  static Run run(String... args) {
    PrintStream oldOut = System.out;
    PrintStream oldErr = System.err;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      int code = Main.run(args);
      return new Run(
          code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(oldOut);
      System.setErr(oldErr);
    }
  }

  private static String weights() {
    return Shared.require("reference/arm-net/arm-fsrcnn.pth").toString();
  }

  private static String lut() {
    return Shared.require("reference/arm-net/arm-fsrcnn.state").toString();
  }

  private Path randomPng(String name, int w, int h) throws IOException {
    byte[] px = new byte[w * h * 3];
    new Random(42).nextBytes(px);
    Path p = dir.resolve(name);
    ImageFiles.write(new Rgb8Image(w, h, px), p);
    return p;
  }

  private void assertNoTemporaryFiles() throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      assertTrue(s.noneMatch(p -> p.getFileName().toString().endsWith(".tmp")), "temporary left");
    }
  }

  @Test
  void upscaleWritesAn4xImageAndAMask() throws IOException {
    Path in = randomPng("in.png", 45, 37);
    Path out = dir.resolve("out.png");
    Path mask = dir.resolve("mask.png");
    Run r =
        run(
            "upscale",
            in.toString(),
            out.toString(),
            "--weights",
            weights(),
            "--lut",
            lut(),
            "--mask",
            mask.toString());
    assertEquals(0, r.code(), r.err());
    Rgb8Image sr = ImageFiles.read(out);
    assertEquals(180, sr.width());
    assertEquals(148, sr.height());
    assertEquals(180, ImageFiles.read(mask).width());
    assertTrue(r.out().contains("45x37 -> 180x148"), r.out());
    assertTrue(r.out().contains("true multiply-adds"), r.out());
    assertNoTemporaryFiles();
  }

  @Test
  void upscaleWithABudgetStaysWithinItAndRejectsBadFractions() throws IOException {
    Path in = randomPng("in.png", 45, 37);
    Path out = dir.resolve("out.png");
    Run r =
        run(
            "upscale",
            in.toString(),
            out.toString(),
            "--budget",
            "0.4",
            "--weights",
            weights(),
            "--lut",
            lut());
    assertEquals(0, r.code(), r.err());
    assertTrue(r.out().contains(", budget0.4, "), r.out());
    java.util.regex.Matcher m =
        java.util.regex.Pattern.compile("\\(([0-9.]+)% of full width").matcher(r.out());
    assertTrue(m.find(), r.out());
    assertTrue(Double.parseDouble(m.group(1)) <= 40.0, r.out());
    assertEquals(180, ImageFiles.read(out).width());
    for (String bad : new String[] {"0", "1.5", "-0.2", "NaN"}) {
      Run b =
          run(
              "upscale",
              in.toString(),
              out.toString(),
              "--budget",
              bad,
              "--weights",
              weights(),
              "--lut",
              lut());
      assertEquals(Main.ExitCode.USAGE.code, b.code(), bad + ": " + b.err());
      assertTrue(b.err().contains("--budget"), b.err());
      assertEquals(1, b.err().strip().lines().count(), b.err());
    }
    Run both = run("upscale", in.toString(), out.toString(), "--budget", "0.5", "--k", "2");
    assertEquals(Main.ExitCode.USAGE.code, both.code());
  }

  @Test
  void withoutWeightsTheEmbeddedDefaultIsUsedOrItsAbsenceExplained() throws IOException {
    Path in = randomPng("in.png", 21, 13);
    Path out = dir.resolve("out.png");
    Run r = run("upscale", in.toString(), out.toString());
    if (io.armsr.infer.ArmModel.hasDefault(io.armsr.model.Backbone.FSRCNN)) {
      assertEquals(0, r.code(), r.err());
      assertEquals(84, ImageFiles.read(out).width());
    } else {
      assertEquals(Main.ExitCode.USAGE.code, r.code());
      assertTrue(r.err().contains("--weights"), r.err());
      assertFalse(Files.exists(out));
    }
    Run half = run("upscale", in.toString(), out.toString(), "--weights", weights());
    assertEquals(Main.ExitCode.USAGE.code, half.code());
    assertTrue(half.err().contains("--lut"), half.err());
  }

  @Test
  void missingInputIsAOneLineErrorNamingTheFile() {
    Path out = dir.resolve("out.png");
    Run r =
        run(
            "upscale",
            dir.resolve("nope.png").toString(),
            out.toString(),
            "--weights",
            weights(),
            "--lut",
            lut());
    assertEquals(Main.ExitCode.BAD_INPUT.code, r.code());
    assertTrue(r.err().contains("nope.png"), r.err());
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void corruptWeightsAreRefusedWithExitCode4() throws IOException {
    Path in = randomPng("in.png", 40, 40);
    Path bad = dir.resolve("bad.pth");
    Files.write(bad, new byte[] {1, 2, 3, 4, 5});
    Path out = dir.resolve("out.png");
    Run r =
        run("upscale", in.toString(), out.toString(), "--weights", bad.toString(), "--lut", lut());
    assertEquals(Main.ExitCode.BAD_MODEL.code, r.code(), r.err());
    assertTrue(r.err().contains("bad.pth"), r.err());
    assertFalse(Files.exists(out));
  }

  @Test
  void weightsOfAnotherBackboneNameTheTensor() throws IOException {
    Path in = randomPng("in.png", 40, 40);
    Run r =
        run(
            "upscale",
            in.toString(),
            dir.resolve("o.png").toString(),
            "--backbone",
            "carn",
            "--weights",
            weights(),
            "--lut",
            lut());
    assertEquals(Main.ExitCode.BAD_MODEL.code, r.code(), r.err());
    assertTrue(r.err().contains("arm-fsrcnn.pth") && r.err().contains("tensor"), r.err());
  }

  @Test
  void aTableOfAnotherBackboneIsRefused() throws IOException {
    Path in = randomPng("in.png", 40, 40);
    String carnLut = Shared.require("reference/arm-net/arm-carn.state").toString();
    Run r =
        run(
            "upscale",
            in.toString(),
            dir.resolve("o.png").toString(),
            "--weights",
            weights(),
            "--lut",
            carnLut);
    assertEquals(Main.ExitCode.BAD_MODEL.code, r.code(), r.err());
    assertTrue(r.err().contains("arm-carn.state") && r.err().contains("costs"), r.err());
  }

  @Test
  void refusesToOverwriteTheInputAndBadOptions() throws IOException {
    Path in = randomPng("in.png", 40, 40);
    byte[] before = Files.readAllBytes(in);
    Run same = run("upscale", in.toString(), in.toString(), "--weights", weights(), "--lut", lut());
    assertEquals(Main.ExitCode.USAGE.code, same.code());
    assertTrue(same.err().contains("in.png"), same.err());
    assertTrue(java.util.Arrays.equals(before, Files.readAllBytes(in)));
    Run badK =
        run(
            "upscale",
            in.toString(),
            dir.resolve("o.png").toString(),
            "--k",
            "-1",
            "--weights",
            weights(),
            "--lut",
            lut());
    assertEquals(Main.ExitCode.USAGE.code, badK.code());
    assertTrue(badK.err().contains("--k"), badK.err());
    Run both =
        run("upscale", in.toString(), dir.resolve("o.png").toString(), "--best", "--subnet", "1");
    assertEquals(Main.ExitCode.USAGE.code, both.code());
  }

  @Test
  void evalWritesTheJsonReport() throws IOException {
    Path set5 = Shared.require("data/test/Set5");
    Path json = dir.resolve("r.json");
    Run r =
        run(
            "eval",
            "--hr",
            set5.resolve("HR").toString(),
            "--lr",
            set5.resolve("LR").toString(),
            "--weights",
            weights(),
            "--lut",
            lut(),
            "--grid",
            "reference",
            "--subnet",
            "3",
            "--json",
            json.toString());
    assertEquals(0, r.code(), r.err());
    JsonNode j = new ObjectMapper().readTree(json.toFile());
    assertEquals("fsrcnn", j.get("backbone").asText());
    assertEquals("Set5", j.get("dataset").asText());
    assertEquals("reference", j.get("grid").asText());
    assertEquals("fixed3", j.get("mode").asText());
    assertEquals(5, j.get("images").size());
    assertEquals("img_001_SRF_4", j.get("images").get(0).get("name").asText());
    JsonNode golden =
        new ObjectMapper().readTree(Shared.require("reference/golden/fsrcnn-Set5.json").toFile());
    assertEquals(
        golden.get("mean").get("fixed3").get("psnr").asDouble(),
        j.get("mean").get("psnr").asDouble(),
        0.01);
    assertEquals(30, j.get("mean").get("classes").get(3).asInt());
    // FSRCNN w56: 1024 * (342 * 56 + 4 * 9 * 144) = 24,920,064 true multiply-adds per patch.
    assertTrue(r.out().contains("24.92"), r.out());
    assertTrue(
        j.get("mean").get("ssimY").asDouble() > 0.8 && j.get("mean").get("ssimY").asDouble() < 1);
  }

  @Test
  void evalRefusesPairsThatAreNot4x() throws IOException {
    Path hr = Files.createDirectory(dir.resolve("HR"));
    Path lr = Files.createDirectory(dir.resolve("LR"));
    byte[] px = new byte[40 * 40 * 3];
    ImageFiles.write(new Rgb8Image(40, 40, px), lr.resolve("a_LR.png"));
    ImageFiles.write(new Rgb8Image(150, 160, new byte[150 * 160 * 3]), hr.resolve("a_HR.png"));
    Run r =
        run(
            "eval",
            "--hr",
            hr.toString(),
            "--lr",
            lr.toString(),
            "--weights",
            weights(),
            "--lut",
            lut());
    assertEquals(Main.ExitCode.USAGE.code, r.code());
    assertTrue(r.err().contains("a_HR.png") && r.err().contains("a_LR.png"), r.err());
  }
}

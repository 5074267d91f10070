package io.armsr.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.testing.HostileModelFiles;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Model files crafted by an attacker ({@link HostileModelFiles}: sizes that do not match the bytes,
 * compression bombs, deep and self-referencing pickles, overflowing sizes, strides and offsets,
 * duplicate zip records, oversized project files) handed to {@code armsr upscale} in a child JVM,
 * as weights (with a good table) or as the table (with good weights). Each must end with exit 4,
 * one line {@code armsr: <file>: <problem>} on stderr and no stack trace, leave no output file, and
 * stay within 5 s of wall time (JVM start included) and 1 GB of resident memory, both measured.
 */
class HostileModelFilesTest {
  @TempDir static Path dir;

  private static Path input;
  private static Path goodWeights;
  private static Path goodLut;
  private static long maxWall;
  private static long maxPeak;
  private static String slowest = "";
  private static String largest = "";

  @BeforeAll
  static void goodFiles() throws IOException {
    input = dir.resolve("in.png");
    BufferedImage img = new BufferedImage(8, 8, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 8; y++) {
      for (int x = 0; x < 8; x++) {
        img.setRGB(x, y, (x * 32) << 16 | (y * 32) << 8 | 128);
      }
    }
    ImageIO.write(img, "png", input.toFile());
    goodWeights = resource("fsrcnn.armw");
    goodLut = resource("fsrcnn.arml");
  }

  private static Path resource(String name) throws IOException {
    Path out = dir.resolve("good-" + name);
    try (InputStream in =
        HostileModelFilesTest.class.getResourceAsStream("/io/armsr/default/" + name)) {
      Files.write(out, in.readAllBytes());
    }
    return out;
  }

  @AfterAll
  static void summary() {
    System.out.printf(
        "hostile model files: slowest %d ms (%s), largest peak resident memory %d MB (%s)%n",
        maxWall, slowest, maxPeak >> 10, largest);
  }

  @TestFactory
  Stream<DynamicTest> everyHostileFileEndsWithExit4() {
    return HostileModelFiles.all().stream()
        .map(c -> DynamicTest.dynamicTest(c.name(), () -> check(c)));
  }

  private static void check(HostileModelFiles.Case c) throws IOException {
    Path caseDir = Files.createDirectories(dir.resolve("case-" + Math.abs(c.name().hashCode())));
    Path bad = c.write(caseDir).toAbsolutePath();
    Path outDir = Files.createDirectories(caseDir.resolve("out"));
    boolean weights = c.role() == HostileModelFiles.Role.WEIGHTS;
    ChildRun r =
        ChildRun.run(
            caseDir.resolve("child"),
            "upscale",
            input.toString(),
            outDir.resolve("out.png").toString(),
            "--weights",
            (weights ? bad : goodWeights).toString(),
            "--lut",
            (weights ? goodLut : bad).toString());
    String why = c.name() + ": stderr was <" + r.stderr() + ">";
    assertEquals(4, r.exitCode(), why);
    String[] lines = r.stderr().split("\\R");
    assertEquals(1, lines.length, why);
    assertTrue(lines[0].startsWith("armsr: " + bad + ": "), why);
    assertFalse(r.stderr().contains("Exception") || r.stderr().contains("\tat "), why);
    assertEquals("", r.stdout(), c.name());
    try (Stream<Path> left = Files.list(outDir)) {
      assertEquals(0, left.count(), c.name() + ": the output folder is not empty");
    }
    synchronized (HostileModelFilesTest.class) {
      if (r.wallMillis() > maxWall) {
        maxWall = r.wallMillis();
        slowest = c.name();
      }
      if (r.peakKb() > maxPeak) {
        maxPeak = r.peakKb();
        largest = c.name();
      }
    }
    System.out.printf(
        "%-40s %5d ms %5d MB  %s%n", c.name(), r.wallMillis(), r.peakKb() >> 10, lines[0]);
    r.assertWithinBounds(c.name());
  }
}

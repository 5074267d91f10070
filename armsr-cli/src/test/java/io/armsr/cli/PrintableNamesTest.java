package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.testing.FixtureModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * File names are printed escaped: a name holding a newline cannot forge a line of the folder
 * summary, nor a terminal escape move the cursor.
 */
class PrintableNamesTest {
  @TempDir Path dir;

  @Test
  void controlCharactersAndBackslashesAreEscapedAndTheRestIsKept() {
    assertEquals("plain é ü 日本.png", Printable.of("plain é ü 日本.png"));
    assertEquals("a\\nfailed: b.png: x", Printable.of("a\nfailed: b.png: x"));
    assertEquals("\\r\\t\\\\\\x1b[2J\\x7f\\u2028", Printable.of("\r\t\\\u001b[2J\u007f\u2028"));
    assertEquals("null", Printable.of(null));
  }

  @Test
  void aNewlineInANameDoesNotForgeASummaryLine() throws IOException {
    Path weights = FixtureModel.copy(dir, "checkpoint-v1.armw");
    Path lut = FixtureModel.copy(dir, "lut-v1.arml");
    Path in = Files.createDirectory(dir.resolve("in"));
    byte[] px = new byte[24 * 20 * 3];
    new Random(3).nextBytes(px);
    ImageFiles.write(new Rgb8Image(24, 20, px), in.resolve("good.png"));
    // A corrupt image whose name tries to add a line of its own to the summary.
    String evil = "x.png\nfailed: forged.png: this line is not armsr's";
    Files.write(in.resolve(evil + ".png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    CliTest.Run r =
        CliTest.run(
            "upscale",
            in.toString(),
            dir.resolve("out").toString(),
            "--weights",
            weights.toString(),
            "--lut",
            lut.toString());
    assertEquals(Main.ExitCode.BAD_INPUT.code, r.code(), r.err());
    List<String> failed = r.out().lines().filter(l -> l.startsWith("failed:")).toList();
    assertEquals(1, failed.size(), r.out());
    assertTrue(
        failed
            .get(0)
            .startsWith("failed: x.png\\nfailed: forged.png: this line is not armsr's.png: "),
        failed.get(0));
    assertTrue(r.err().lines().noneMatch(l -> l.startsWith("failed: forged.png")), r.err());
    assertTrue(Files.exists(dir.resolve("out").resolve("good.png")));
  }
}

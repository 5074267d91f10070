package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.format.TrainingProvenance;
import io.armsr.format.WeightsFile;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TrainCommandTest {
  static {
    if (System.getProperty("ai.djl.pytorch.num_threads") == null) {
      System.setProperty("ai.djl.pytorch.num_threads", "1"); // see io.armsr.train.OneThread
    }
  }

  @TempDir Path dir;

  private static Rgb8Image noise(int w, int h, long seed) {
    byte[] px = new byte[w * h * 3];
    new Random(seed).nextBytes(px);
    return new Rgb8Image(w, h, px);
  }

  private int run(ByteArrayOutputStream err, String... args) {
    PrintStream old = System.err;
    System.setErr(new PrintStream(err, true));
    try {
      return Main.run(args);
    } finally {
      System.setErr(old);
    }
  }

  @Test
  void trainsInTwoPiecesWritesWeightsCheckpointAndLog() throws Exception {
    Path data = Files.createDirectories(dir.resolve("data/sub"));
    ImageFiles.write(noise(140, 136, 1), data.resolve("a.png"));
    ImageFiles.write(noise(130, 150, 2), data.resolve("b.bmp"));
    Path val = Files.createDirectories(dir.resolve("val"));
    ImageFiles.write(noise(40, 36, 3), val.resolve("v.png"));
    Path out = dir.resolve("w.armw");
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    String[] common = {
      "train",
      "--data",
      dir.resolve("data").toString(),
      "--iterations",
      "12",
      "--batch",
      "2",
      "--seed",
      "5",
      "--out",
      out.toString(),
      "--val",
      val.toString(),
      "--val-every",
      "6",
      "--checkpoint-every",
      "4",
      "--log-every",
      "3"
    };
    String[] first = concat(common, "--stop-at", "6");
    assertEquals(0, run(err, first), err.toString());
    assertTrue(!Files.exists(out));
    int code =
        run(
            err,
            "train",
            "--data",
            dir.resolve("data").toString(),
            "--out",
            out.toString(),
            "--val",
            val.toString(),
            "--val-every",
            "6",
            "--resume",
            dir.resolve("w.armw.ckpt").toString());
    assertEquals(0, code, err.toString());
    WeightsFile.Contents w = WeightsFile.read(out);
    assertEquals(12, w.provenance().iterations());
    assertEquals(5, w.provenance().seed());
    assertEquals(2, w.provenance().data().get(0).images());
    assertTrue(w.provenance().commandLine().startsWith("armsr train --data"));
    List<String> log = Files.readAllLines(dir.resolve("w.armw.csv"));
    assertEquals(3, log.size(), log.toString());
    assertTrue(err.toString().contains("iter 3/12"), err.toString());
    // The resumed run records the run it continued: the first piece, up to its checkpoint.
    assertEquals(1, w.provenance().earlier().size());
    assertEquals(6, w.provenance().earlier().get(0).iterations());
    assertTrue(w.provenance().earlier().get(0).commandLine().contains("--stop-at 6"));

    // A warm restart from those weights records the whole chain, oldest first.
    Path restart = dir.resolve("r.armw");
    code =
        run(
            err,
            "train",
            "--data",
            dir.resolve("data").toString(),
            "--init",
            out.toString(),
            "--iterations",
            "2",
            "--batch",
            "2",
            "--seed",
            "6",
            "--out",
            restart.toString());
    assertEquals(0, code, err.toString());
    TrainingProvenance r = WeightsFile.read(restart).provenance();
    assertEquals(2, r.iterations());
    assertEquals(
        List.of(6L, 12L), r.earlier().stream().map(TrainingProvenance::iterations).toList());
    assertTrue(r.earlier().get(1).commandLine().contains("--resume"));
    assertTrue(r.earlier().stream().allMatch(e -> e.earlier().isEmpty()), "the chain is flat");
  }

  @Test
  void badOptionsAreUsageErrors() {
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Path out = dir.resolve("w.armw");
    assertEquals(
        2,
        run(
            err,
            "train",
            "--data",
            dir.toString(),
            "--iterations",
            "10",
            "--batch",
            "0",
            "--out",
            out.toString()));
    assertTrue(err.toString().contains("--batch must be positive"), err.toString());
    assertEquals(
        2,
        run(
            err,
            "train",
            "--data",
            dir.resolve("none").toString(),
            "--iterations",
            "10",
            "--out",
            out.toString()));
    assertEquals(
        2,
        run(
            err,
            "train",
            "--data",
            dir.toString(),
            "--iterations",
            "10",
            "--sampler",
            "x",
            "--out",
            out.toString()));
  }

  private static String[] concat(String[] a, String... b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}

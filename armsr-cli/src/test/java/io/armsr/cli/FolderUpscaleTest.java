package io.armsr.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.testing.FixtureModel;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code armsr upscale DIR OUTDIR}: skipping, failures, the summary and exit code, and a run killed
 * with SIGKILL that leaves only complete files and is finished by a second run. The model is the
 * committed version-1 FSRCNN fixture, so none of this needs ../shared.
 */
class FolderUpscaleTest {
  @TempDir Path dir;

  private Path weights;
  private Path lut;
  private Path in;
  private Path out;

  @BeforeEach
  void setUp() throws IOException {
    weights = FixtureModel.copy(dir, "checkpoint-v1.armw");
    lut = FixtureModel.copy(dir, "lut-v1.arml");
    in = Files.createDirectory(dir.resolve("in"));
    out = dir.resolve("out");
  }

  private void image(String name, int w, int h, long seed) throws IOException {
    byte[] px = new byte[w * h * 3];
    new Random(seed).nextBytes(px);
    ImageFiles.write(new Rgb8Image(w, h, px), in.resolve(name));
  }

  private List<String> args(String... extra) {
    List<String> a =
        new ArrayList<>(
            List.of(
                "upscale",
                in.toString(),
                out.toString(),
                "--weights",
                weights.toString(),
                "--lut",
                lut.toString()));
    a.addAll(List.of(extra));
    return a;
  }

  private CliTest.Run upscale(String... extra) {
    return CliTest.run(args(extra).toArray(String[]::new));
  }

  private List<String> files(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void upscalesEveryImageSkipsDoneOnesAndReportsFailures() throws IOException {
    image("a.png", 20, 16, 1);
    image("b.bmp", 12, 9, 2);
    Files.write(in.resolve("c.png"), new byte[] {1, 2, 3});
    Files.writeString(in.resolve("notes.txt"), "not an image");
    CliTest.Run r = upscale("--subnet", "3");
    assertEquals(Main.ExitCode.BAD_INPUT.code, r.code(), r.err());
    assertEquals(List.of("a.png", "b.bmp"), files(out));
    Rgb8Image a = ImageFiles.read(out.resolve("a.png"));
    assertEquals(80, a.width());
    assertEquals(64, a.height());
    assertEquals(48, ImageFiles.read(out.resolve("b.bmp")).width());
    assertTrue(r.out().startsWith("done 2, skipped 0, failed 1"), r.out());
    assertTrue(r.out().contains("failed: c.png: cannot read image"), r.out());
    assertTrue(r.err().contains("[1/3] a.png: done"), r.err());
    assertTrue(r.err().contains("[3/3] c.png: failed"), r.err());

    byte[] before = Files.readAllBytes(out.resolve("a.png"));
    CliTest.Run again = upscale("--subnet", "3");
    assertEquals(Main.ExitCode.BAD_INPUT.code, again.code(), again.err());
    assertTrue(again.out().startsWith("done 0, skipped 2, failed 1"), again.out());

    Files.delete(in.resolve("c.png"));
    CliTest.Run redo = upscale("--subnet", "0", "--overwrite");
    assertEquals(0, redo.code(), redo.err());
    assertTrue(redo.out().startsWith("done 2, skipped 0, failed 0"), redo.out());
    assertFalse(java.util.Arrays.equals(before, Files.readAllBytes(out.resolve("a.png"))));
  }

  /**
   * A folder's small images are upscaled together (their patches share batches): the same images,
   * up to float rounding, as upscaling each file alone, which streams it in bands.
   */
  @Test
  void smallImagesUpscaledTogetherMatchSingleFileRuns() throws IOException {
    String[] names = {"a.png", "b.png", "c.png"};
    image(names[0], 40, 30, 11);
    image(names[1], 70, 50, 12);
    image(names[2], 20, 90, 13);
    CliTest.Run r = upscale("--budget", "0.5", "--threads", "1");
    assertEquals(0, r.code(), r.err());
    long samples = 0;
    long differ = 0;
    for (String name : names) {
      Path alone = dir.resolve("alone-" + name);
      CliTest.Run one =
          CliTest.run(
              "upscale",
              in.resolve(name).toString(),
              alone.toString(),
              "--weights",
              weights.toString(),
              "--lut",
              lut.toString(),
              "--budget",
              "0.5");
      assertEquals(0, one.code(), one.err());
      byte[] a = ImageFiles.read(alone).pixels();
      byte[] b = ImageFiles.read(out.resolve(name)).pixels();
      assertEquals(a.length, b.length, name);
      for (int i = 0; i < a.length; i++) {
        int d = Math.abs((a[i] & 0xff) - (b[i] & 0xff));
        assertTrue(d <= 1, name + " sample " + i + " differs by " + d);
        differ += d;
      }
      samples += a.length;
    }
    // A level only where a float sum in another order lands on the other side of a half.
    assertTrue(differ <= samples / 1000, differ + " of " + samples + " samples differ");
  }

  @Test
  void formatOptionAndNameClashes() throws IOException {
    image("a.png", 10, 10, 1);
    image("a.bmp", 10, 10, 2);
    image("b.png", 10, 10, 3);
    CliTest.Run r = upscale("--format", "png", "--threads", "1");
    assertEquals(Main.ExitCode.BAD_INPUT.code, r.code(), r.err());
    assertEquals(List.of("a.png", "b.png"), files(out));
    assertTrue(
        r.out().contains("failed: a.png: output a.png is also the output of a.bmp"), r.out());
    // a.bmp sorts first, so a.png is the one that clashes; a.png's output came from a.bmp.
    assertEquals(40, ImageFiles.read(out.resolve("a.png")).width());
  }

  @Test
  void badFolderOptionsAreUsageErrorsThatWriteNothing() throws IOException {
    image("a.png", 10, 10, 1);
    Path file = Files.writeString(dir.resolve("file.png"), "x");
    List<List<String>> cases =
        List.of(
            List.of("upscale", in.toString(), file.toString()),
            List.of("upscale", in.toString(), dir.resolve("new.png").toString()),
            List.of("upscale", in.toString(), in.toString()),
            List.of("upscale", in.toString(), out.toString(), "--mask", "m.png"),
            List.of("upscale", in.toString(), out.toString(), "--format", "webp"),
            List.of("upscale", in.toString(), out.toString(), "--threads", "0"),
            List.of("upscale", in.resolve("a.png").toString(), "o.png", "--overwrite"));
    for (List<String> c : cases) {
      CliTest.Run r = CliTest.run(c.toArray(String[]::new));
      assertEquals(Main.ExitCode.USAGE.code, r.code(), c + ": " + r.err());
      assertTrue(r.err().startsWith("armsr: "), r.err());
    }
    assertFalse(Files.exists(out));
    assertEquals(List.of("a.png"), files(in));
  }

  /**
   * The acceptance test: SIGKILL a real {@code armsr} process in the middle of a folder, check that
   * every output file present is complete, then finish the folder with a second run that skips what
   * was done and removes the killed write's temporary file.
   */
  @Test
  void aKilledRunLeavesOnlyCompleteFilesAndARerunFinishes() throws Exception {
    int n = 12;
    for (int i = 0; i < n; i++) {
      image(String.format("img%02d.png", i), 96, 96, i);
    }
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    List<String> command =
        new ArrayList<>(
            List.of(
                java.toString(),
                "-Dai.djl.offline=true",
                "-Dai.djl.pytorch.num_threads=1",
                "-cp",
                System.getProperty("java.class.path"),
                "io.armsr.cli.Main"));
    command.addAll(args("--subnet", "3", "--threads", "1"));
    ProcessBuilder pb = new ProcessBuilder(command);
    pb.environment().put("OMP_NUM_THREADS", "1");
    pb.redirectOutput(dir.resolve("child.out").toFile());
    pb.redirectError(dir.resolve("child.err").toFile());
    Process child = pb.start();
    try {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(180);
      while (finals().isEmpty()) {
        assertTrue(child.isAlive(), () -> "child ended early: " + read(dir.resolve("child.err")));
        assertTrue(System.nanoTime() < deadline, "no output within 180 s");
        Thread.sleep(5);
      }
    } finally {
      child.destroyForcibly(); // SIGKILL on Linux: no shutdown hooks, no cleanup
      child.waitFor(60, TimeUnit.SECONDS);
    }
    List<String> done = finals();
    assertTrue(done.size() < n, "the kill came too late to interrupt the run: " + done);
    for (String name : done) {
      Rgb8Image sr = ImageFiles.read(out.resolve(name)); // throws if partial
      assertEquals(384, sr.width(), name);
      assertEquals(384, sr.height(), name);
    }
    java.util.Map<String, FileTime> times = new java.util.HashMap<>();
    for (String name : done) {
      times.put(name, Files.getLastModifiedTime(out.resolve(name)));
    }
    // What a kill during a write leaves: a temporary of an output not yet done.
    String pending = String.format("img%02d.png", n - 1);
    Path stale = Files.write(out.resolve("." + pending + ".5eed.tmp"), new byte[] {1, 2});
    Files.setLastModifiedTime(stale, FileTime.from(Instant.now().minusSeconds(5)));

    CliTest.Run rerun = upscale("--subnet", "3");
    assertEquals(0, rerun.code(), rerun.err());
    assertTrue(
        rerun.out().startsWith("done " + (n - done.size()) + ", skipped " + done.size() + ","),
        rerun.out());
    List<String> all = files(out);
    assertEquals(n, all.size(), "temporaries left: " + all);
    for (String name : all) {
      assertEquals(384, ImageFiles.read(out.resolve(name)).width(), name);
    }
    // The first run's outputs were kept, not redone.
    for (String name : done) {
      assertEquals(times.get(name), Files.getLastModifiedTime(out.resolve(name)), name);
    }
  }

  private List<String> finals() throws IOException {
    if (!Files.isDirectory(out)) {
      return List.of();
    }
    return files(out).stream().filter(f -> !f.startsWith(".")).toList();
  }

  private static String read(Path p) {
    try {
      return Files.readString(p);
    } catch (IOException e) {
      return "(" + e + ")";
    }
  }
}

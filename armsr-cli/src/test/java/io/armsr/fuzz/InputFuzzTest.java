package io.armsr.fuzz;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import io.armsr.cli.Main;
import io.armsr.format.ModelFiles;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageReadException;
import io.armsr.imagefile.ReadLimits;
import io.armsr.model.Backbone;
import io.armsr.testing.FuzzInputs;
import io.armsr.testing.Shared;
import io.armsr.torch.CheckpointFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/**
 * Generated corrupt inputs (deterministic seeds): every image must be read or refused with an
 * {@link ImageReadException}, every weights/LUT file read or refused with a {@link
 * CheckpointFormatException}; nothing else may escape, nothing may print a stack trace, and the
 * command line must end with exit 0 and a valid image, or exit 3 and no file. The case counts and a
 * histogram of the error kinds are printed.
 */
class InputFuzzTest {
  @TempDir Path dir;

  /** Fuzzed images stay small; the limit keeps an edited header from allocating much. */
  private static final ReadLimits LIMITS = ReadLimits.ofMaxPixels(4_000_000);

  private static final int CASES_PER_IMAGE = 64;
  private static final int CASES_PER_MODEL_FILE = 60;

  private final Map<String, Integer> outcomes = new TreeMap<>();
  private int cases;

  /** Small real images of every kind armsr reads, written by armsr and ImageIO. */
  private Map<String, byte[]> seedImages() throws IOException {
    Map<String, byte[]> seeds = new LinkedHashMap<>();
    Random rnd = new Random(11);
    int w = 24;
    int h = 20;
    byte[] px = new byte[w * h * 3];
    for (int i = 0; i < px.length; i++) {
      px[i] = (byte) (i % 97 * 2 + rnd.nextInt(20));
    }
    Rgb8Image rgb = new Rgb8Image(w, h, px);
    byte[] g = new byte[w * h * 3];
    short[] a8 = new short[w * h];
    short[] a16 = new short[w * h];
    short[] s16 = new short[w * h * 3];
    for (int i = 0; i < w * h; i++) {
      g[3 * i] = g[3 * i + 1] = g[3 * i + 2] = px[3 * i];
      a8[i] = (short) rnd.nextInt(256);
      a16[i] = (short) rnd.nextInt(65536);
      for (int c = 0; c < 3; c++) {
        s16[3 * i + c] = (short) ((px[3 * i + c] & 0xff) * 257);
      }
    }
    Rgb8Image gray = new Rgb8Image(w, h, g);
    short[] g16 = new short[w * h];
    for (int i = 0; i < w * h; i++) {
      g16[i] = s16[3 * i];
    }
    put(seeds, "rgb.png", DecodedImage.of(rgb));
    put(seeds, "gray.png", new DecodedImage(gray, true, 8, null, null));
    put(seeds, "rgba.png", new DecodedImage(rgb, false, 8, a8, null));
    put(seeds, "rgb16.png", new DecodedImage(rgb, false, 16, null, s16));
    put(seeds, "graya16.png", new DecodedImage(gray, true, 16, a16, g16));
    put(seeds, "rgb.jpg", DecodedImage.of(rgb));
    put(seeds, "gray.jpg", new DecodedImage(gray, true, 8, null, null));
    put(seeds, "rgb.bmp", DecodedImage.of(rgb));
    put(seeds, "gray.bmp", new DecodedImage(gray, true, 8, null, null));
    put(seeds, "rgb.tif", DecodedImage.of(rgb));
    put(seeds, "gray16.tif", new DecodedImage(gray, true, 16, null, g16));
    for (String webp : new String[] {"lossless-rgba.webp", "lossy-rgb.webp"}) {
      try (InputStream in =
          InputFuzzTest.class.getResourceAsStream("/io/armsr/fixtures/formats/" + webp)) {
        seeds.put(webp, in.readAllBytes());
      }
    }
    return seeds;
  }

  private void put(Map<String, byte[]> seeds, String name, DecodedImage img) throws IOException {
    Path f = dir.resolve("seed-" + name);
    ImageFiles.writeImage(img, f, 90);
    seeds.put(name, Files.readAllBytes(f));
  }

  /** The error kind for the histogram: the problem before any parenthesis, numbers as N. */
  private static String kind(String problem) {
    String k = problem.split("\\(", 2)[0].replaceAll("[0-9][0-9,]*", "N").strip();
    k = k.replaceAll("'[^']*'", "'...'").replaceAll("record \\S+", "record ...");
    return k.length() > 50 ? k.substring(0, 50) : k;
  }

  private void count(String outcome) {
    cases++;
    outcomes.merge(outcome, 1, Integer::sum);
  }

  private void report(String title) {
    System.out.println("fuzz " + title + ": " + cases + " cases");
    outcomes.forEach((k, v) -> System.out.printf("  %5d  %s%n", v, k));
  }

  private static void assertOneLineNaming(String message, Path file) {
    assertFalse(message.contains("\n"), message);
    assertTrue(message.contains(file.toString()), message);
  }

  /** Runs {@code body} with stderr captured and fails on any stack trace printed to it. */
  private static void withStderrChecked(ThrowingRunnable body) throws Exception {
    PrintStream old = System.err;
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    try {
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      body.run();
    } finally {
      System.setErr(old);
    }
    String text = err.toString(StandardCharsets.UTF_8);
    assertFalse(
        text.contains("\tat ") || text.contains("Exception in thread"),
        "stack trace on stderr:\n" + text);
  }

  interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  @Timeout(240)
  void corruptImagesAreReadOrRefusedCleanly() throws Exception {
    Map<String, byte[]> seeds = seedImages();
    withStderrChecked(
        () -> {
          long seed = 1;
          for (var e : seeds.entrySet()) {
            String ext = e.getKey().substring(e.getKey().lastIndexOf('.'));
            for (FuzzInputs.Case c : FuzzInputs.mutate(e.getValue(), CASES_PER_IMAGE, seed++)) {
              Path f = dir.resolve("case" + cases + ext);
              Files.write(f, c.bytes());
              try {
                DecodedImage d = ImageFiles.readImage(f, LIMITS);
                assertTrue((long) d.width() * d.height() <= LIMITS.maxPixels());
                count("read (damage not detected or harmless)");
              } catch (ImageReadException x) {
                assertOneLineNaming(x.getMessage(), f);
                count(kind(x.getMessage().substring(x.getMessage().indexOf(": ") + 2)));
              } catch (Throwable t) {
                fail(e.getKey() + " " + c.kind() + " case " + cases + " threw " + t, t);
              }
              Files.delete(f);
            }
          }
        });
    report("images");
    assertTrue(cases >= 800, "cases " + cases);
  }

  private Map<String, Path> modelSeeds() throws IOException {
    Map<String, Path> seeds = new LinkedHashMap<>();
    for (String name :
        new String[] {"checkpoint-v1.armw", "lut-v1.arml", "tiny.pth", "tiny.state"}) {
      Path p = dir.resolve("seed-" + name);
      try (InputStream in = InputFuzzTest.class.getResourceAsStream("/io/armsr/fixtures/" + name)) {
        Files.copy(in, p);
      }
      seeds.put(name, p);
    }
    Path official = Shared.root().resolve("reference/arm-net");
    for (String name : new String[] {"arm-fsrcnn.pth", "arm-fsrcnn.state"}) {
      if (Files.exists(official.resolve(name))) {
        seeds.put(name, official.resolve(name));
      }
    }
    return seeds;
  }

  @Test
  @Timeout(240)
  void corruptWeightsAndTablesAreReadOrRefusedCleanly() throws Exception {
    Map<String, Path> seeds = modelSeeds();
    withStderrChecked(
        () -> {
          long seed = 100;
          for (var e : seeds.entrySet()) {
            boolean lut = e.getKey().endsWith(".arml") || e.getKey().endsWith(".state");
            String ext = e.getKey().substring(e.getKey().lastIndexOf('.'));
            byte[] bytes = Files.readAllBytes(e.getValue());
            for (FuzzInputs.Case c : FuzzInputs.mutate(bytes, CASES_PER_MODEL_FILE, seed++)) {
              Path f = dir.resolve("case" + cases + ext);
              Files.write(f, c.bytes());
              try {
                if (lut) {
                  ModelFiles.readLut(f);
                } else {
                  ModelFiles.readWeights(f, Backbone.FSRCNN);
                }
                count("read (damage not detected or harmless)");
              } catch (CheckpointFormatException x) {
                assertOneLineNaming(x.getMessage(), f);
                count(kind(x.problem()));
              } catch (Throwable t) {
                fail(e.getKey() + " " + c.kind() + " case " + cases + " threw " + t, t);
              }
              Files.delete(f);
            }
          }
        });
    report("weights and LUTs");
    assertTrue(cases >= 240, "cases " + cases);
  }

  @Test
  @Timeout(300)
  void theCommandLineWritesAValidImageOrNothing() throws Exception {
    Path weights = dir.resolve("w.armw");
    Path lut = dir.resolve("t.arml");
    for (var p : List.of(Map.entry("checkpoint-v1.armw", weights), Map.entry("lut-v1.arml", lut))) {
      try (InputStream in =
          InputFuzzTest.class.getResourceAsStream("/io/armsr/fixtures/" + p.getKey())) {
        Files.copy(in, p.getValue());
      }
    }
    Map<String, byte[]> seeds = seedImages();
    List<String> names = new ArrayList<>(seeds.keySet());
    Path work = Files.createDirectory(dir.resolve("cli"));
    for (int i = 0; i < 50; i++) {
      String name = names.get(i % names.size());
      FuzzInputs.Case c = FuzzInputs.mutate(seeds.get(name), 4, 1000 + i)[i % 4];
      String ext = name.substring(name.lastIndexOf('.'));
      Path in = work.resolve("in" + i + ext);
      Path out = work.resolve("out" + i + ".png");
      Files.write(in, c.bytes());
      PrintStream oldOut = System.out;
      PrintStream oldErr = System.err;
      ByteArrayOutputStream err = new ByteArrayOutputStream();
      int code;
      try {
        System.setOut(new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
        System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
        code =
            Main.run(
                "upscale",
                in.toString(),
                out.toString(),
                "--weights",
                weights.toString(),
                "--lut",
                lut.toString(),
                "--grid",
                "full",
                "--max-pixels",
                "4000000");
      } finally {
        System.setOut(oldOut);
        System.setErr(oldErr);
      }
      String text = err.toString(StandardCharsets.UTF_8);
      assertFalse(text.contains("\tat ") || text.contains("Exception"), text);
      if (code == 0) {
        DecodedImage d = ImageFiles.readImage(out, ReadLimits.DEFAULT);
        assertTrue(d.width() % 4 == 0 && d.height() % 4 == 0);
        count("exit 0, valid output");
      } else {
        assertEquals(Main.ExitCode.BAD_INPUT.code, code, name + " " + c.kind() + ": " + text);
        assertFalse(Files.exists(out), "output after a failure");
        assertTrue(text.contains(in.toString()), text);
        count("exit 3, no output");
      }
      try (Stream<Path> s = Files.list(work)) {
        assertTrue(s.noneMatch(p -> p.toString().endsWith(".tmp")), "temporary file left");
      }
    }
    report("command line");
    assertEquals(50, cases);
  }
}

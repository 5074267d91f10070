package io.armsr.spark;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.cli.Main;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ReadLimits;
import io.armsr.infer.ArmModel;
import io.armsr.infer.Grid;
import io.armsr.infer.ImageUpscale;
import io.armsr.infer.OutputSize;
import io.armsr.infer.PatchGrid;
import io.armsr.infer.PatchScores;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import io.armsr.torch.CheckpointFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The job in Spark {@code local[2]} against the command line: the same files byte for byte, the
 * manifest's rows, skipping on a second run, the corpus budget's routing.
 */
class SparkJobTest {
  @TempDir Path dir;
  Path in;

  /** Three photographs in a tree (PNG, JPEG, BMP), one corrupt file and one that is no image. */
  @BeforeEach
  void setUp() throws IOException {
    in = dir.resolve("in");
    LocalSpark.example(in.resolve("a.png"), 10, 20, 64, 48);
    LocalSpark.example(in.resolve("sub/b.jpg"), 100, 30, 40, 40);
    LocalSpark.example(in.resolve("sub/deep/c.bmp"), 60, 50, 100, 70);
    Files.write(in.resolve("corrupt.png"), new byte[] {(byte) 0x89, 'P', 'N', 'G', 1, 2, 3});
    Files.writeString(in.resolve("notes.txt"), "not an image");
  }

  private static final List<String> OUTPUTS = List.of("a.png", "sub/b.jpg", "sub/deep/c.bmp");

  /** {@code armsr upscale IN OUT [args]} of every image alone, into {@code ref}. */
  private Path commandLine(Path ref, String format, String... args) throws IOException {
    for (String name : List.of("a.png", "sub/b.jpg", "sub/deep/c.bmp")) {
      String outName = format == null ? name : name.replaceAll("\\.[a-z]+$", "." + format);
      Path out = ref.resolve(outName);
      Files.createDirectories(out.getParent());
      List<String> command =
          new ArrayList<>(List.of("upscale", in.resolve(name).toString(), out.toString()));
      command.addAll(List.of(args));
      assertEquals(0, Main.run(command.toArray(new String[0])), "armsr " + command);
    }
    return ref;
  }

  @Test
  void outputsAreTheCommandLinesAndASecondRunSkipsThem() throws IOException {
    Path out = dir.resolve("out");
    UpscaleJob.Summary s = LocalSpark.run(in.toString(), out.toString());
    assertEquals(3, s.done());
    assertEquals(1, s.failed());
    assertEquals(3, s.exitCode(), "a failed image: exit 3");
    assertEquals(1, s.failures().size());
    assertTrue(
        s.failures().get(0).startsWith("corrupt.png: cannot read image corrupt.png"),
        s.failures().toString());
    Path ref = commandLine(dir.resolve("ref"), null);
    assertEquals(OUTPUTS, LocalSpark.files(out));
    for (String name : OUTPUTS) {
      assertArrayEquals(
          Files.readAllBytes(ref.resolve(name)), Files.readAllBytes(out.resolve(name)), name);
    }

    List<Row> rows = LocalSpark.manifest(out);
    assertEquals(4, rows.size());
    Map<String, Row> byName = new HashMap<>();
    for (Row r : rows) {
      byName.put(r.getString(r.fieldIndex("input")).replaceAll(".*/in/", ""), r);
    }
    Row bad = byName.get("corrupt.png");
    assertEquals("failed", bad.getAs("status"));
    assertEquals(3, (int) bad.getAs("exitCode"));
    assertTrue(
        ((String) bad.getAs("error")).startsWith("cannot read image corrupt.png"), bad.toString());
    try (ArmModel m = ArmModel.loadDefault(Backbone.FSRCNN)) {
      Upscaler upscaler = new Upscaler(m, Upscaler.Options.defaults());
      double[] costs = m.table().costs();
      for (String name : OUTPUTS) {
        Row r = byName.get(name);
        DecodedImage image = ImageFiles.readImage(in.resolve(name), ReadLimits.DEFAULT);
        ImageUpscale up =
            ImageUpscale.of(upscaler, image, new RoutingMode.Tradeoff(4), null, OutputSize.X4);
        assertEquals("done", r.getAs("status"), name);
        assertEquals("file:" + out.resolve(name), r.getAs("output"));
        assertEquals(image.width(), (int) r.getAs("lrWidth"), name);
        assertEquals(image.height(), (int) r.getAs("lrHeight"), name);
        assertEquals(4 * image.width(), (int) r.getAs("srWidth"), name);
        assertEquals(4 * image.height(), (int) r.getAs("srHeight"), name);
        assertEquals(ints(up.routing().classes()), r.getList(r.fieldIndex("patches")), name);
        assertEquals(up.routing().meanFlops() / costs[3], (double) r.getAs("flopsShare"), 1e-12);
        assertEquals("k4.0", r.getAs("mode"));
        assertEquals(0, (int) r.getAs("exitCode"));
      }
    }
    List<String> json = Files.readAllLines(onlyPart(out.resolve("_manifest/json")));
    assertEquals(4, json.size());
    assertTrue(
        json.stream()
            .anyMatch(l -> l.contains("\"status\":\"failed\"") && l.contains("corrupt.png")));

    // A second run: every finished output skipped, nothing rewritten.
    Map<String, FileTime> times = new HashMap<>();
    for (String name : OUTPUTS) {
      times.put(name, Files.getLastModifiedTime(out.resolve(name)));
    }
    UpscaleJob.Summary again = LocalSpark.run(in.toString(), out.toString());
    assertEquals(0, again.done());
    assertEquals(3, again.skipped());
    assertEquals(1, again.failed());
    assertEquals(OUTPUTS, LocalSpark.files(out));
    for (String name : OUTPUTS) {
      assertEquals(times.get(name), Files.getLastModifiedTime(out.resolve(name)), name);
      assertArrayEquals(
          Files.readAllBytes(ref.resolve(name)), Files.readAllBytes(out.resolve(name)));
    }
    assertTrue(
        LocalSpark.manifest(out).stream()
            .filter(r -> !r.getString(r.fieldIndex("input")).endsWith("corrupt.png"))
            .allMatch(r -> "skipped".equals(r.getAs("status"))));
  }

  @Test
  void weightsFromAFileSystemPathAndTheCommandLinesOtherOptions() throws IOException {
    Path model = dir.resolve("model");
    Files.createDirectories(model);
    for (String f : List.of("fsrcnn.armw", "fsrcnn.arml")) {
      try (InputStream s = ArmModel.class.getResourceAsStream("/io/armsr/default/" + f)) {
        Files.copy(s, model.resolve(f));
      }
    }
    Path out = dir.resolve("out");
    String[] options = {"--budget", "0.5", "--scale", "2", "--margin", "3"};
    List<String> args =
        new ArrayList<>(
            List.of(
                in.toString(),
                out.toString(),
                "--weights",
                model.resolve("fsrcnn.armw").toUri().toString(),
                "--lut",
                model.resolve("fsrcnn.arml").toUri().toString(),
                "--format",
                "png"));
    args.addAll(List.of(options));
    UpscaleJob.Summary s = LocalSpark.run(args.toArray(new String[0]));
    assertEquals(3, s.done());
    List<String> cli =
        new ArrayList<>(
            List.of(
                "--weights",
                model.resolve("fsrcnn.armw").toString(),
                "--lut",
                model.resolve("fsrcnn.arml").toString()));
    cli.addAll(List.of(options));
    Path ref = commandLine(dir.resolve("ref"), "png", cli.toArray(new String[0]));
    List<String> pngs = List.of("a.png", "sub/b.png", "sub/deep/c.png");
    assertEquals(pngs, LocalSpark.files(out));
    for (String name : pngs) {
      assertArrayEquals(
          Files.readAllBytes(ref.resolve(name)), Files.readAllBytes(out.resolve(name)), name);
    }
    for (Row r : LocalSpark.manifest(out)) {
      if ("done".equals(r.getAs("status"))) {
        assertTrue((double) r.getAs("flopsShare") <= 0.5, r.toString());
        assertEquals("budget0.5", r.getAs("mode"));
      }
    }
  }

  @Test
  void theCorpusBudgetRoutesEveryImageAtTheDriversThreshold() throws IOException {
    Path out = dir.resolve("out");
    UpscaleJob.Summary s =
        LocalSpark.run(
            in.toString(), out.toString(), "--corpus-budget", "0.4", "--corpus-objective", "mse");
    assertEquals(3, s.done());
    try (ArmModel m = ArmModel.loadDefault(Backbone.FSRCNN)) {
      Upscaler upscaler = new Upscaler(m, Upscaler.Options.defaults());
      double[] costs = m.table().costs();
      // The reference: the hulls computed here, the search over them in memory.
      List<CorpusBudget.ImageHulls> hulls = new ArrayList<>();
      Map<String, DecodedImage> images = new HashMap<>();
      long patches = 0;
      for (String name : OUTPUTS) {
        DecodedImage image = ImageFiles.readImage(in.resolve(name), ReadLimits.DEFAULT);
        images.put(name, image);
        PatchGrid grid = PatchGrid.of(Grid.FULL, image.width(), image.height());
        PatchScores scores = PatchScores.of(image.rgb(), grid, m.table());
        hulls.add(CorpusBudget.ImageHulls.of(CorpusBudget.key(name), scores.predicted(), costs));
        patches += grid.size();
      }
      BigDecimal budget = CorpusBudget.budget(new BigDecimal("0.4"), patches, costs);
      CorpusBudget.Result expected =
          CorpusBudget.search(CorpusBudget.inMemory(hulls, costs.length), costs, budget);
      assertEquals(expected.threshold(), s.budget().threshold());
      assertArrayEquals(expected.counts(), s.budget().counts());
      assertTrue(s.budget().cost().compareTo(budget) <= 0);
      for (int i = 0; i < OUTPUTS.size(); i++) {
        String name = OUTPUTS.get(i);
        ImageUpscale up =
            ImageUpscale.of(
                upscaler,
                images.get(name),
                new RoutingMode.Given(hulls.get(i).choices(expected.threshold())),
                null,
                OutputSize.X4);
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        ImageFiles.writeImage(
            up.output(), io.armsr.imagefile.ImageFormat.forOutput(Path.of(name)), 95, name, bytes);
        assertArrayEquals(bytes.toByteArray(), Files.readAllBytes(out.resolve(name)), name);
      }
      // The manifest's patches per subnet add up to the search's counts, within the budget.
      long[] counted = new long[costs.length];
      for (Row r : LocalSpark.manifest(out)) {
        if ("done".equals(r.getAs("status"))) {
          List<Integer> n = r.getList(r.fieldIndex("patches"));
          for (int j = 0; j < n.size(); j++) {
            counted[j] += n.get(j);
          }
          assertEquals("corpus-budget0.4", r.getAs("mode"));
        }
      }
      assertArrayEquals(expected.counts(), counted);
      assertTrue(CorpusBudget.cost(counted, costs).compareTo(budget) <= 0);
    }
  }

  @Test
  void badOptionsAndModelsStopTheJobBeforeAnyOutput() {
    Path out = dir.resolve("out");
    assertEquals(2, SparkUpscale.run(in.toString(), out.toString(), "--quality", "0"));
    assertEquals(2, SparkUpscale.run(in.toString(), out.toString(), "--corpus-budget", "1.5"));
    assertEquals(
        2,
        SparkUpscale.run(
            in.toString(), out.toString(), "--budget", "0.5", "--corpus-budget", "0.5"));
    assertEquals(2, SparkUpscale.run(in.toString(), out.toString(), "--k", "0.5", "--subnet", "1"));
    assertEquals(2, SparkUpscale.run(in.toString(), out.toString(), "--no-such-flag"));
    CheckpointFormatException e =
        assertThrows(
            CheckpointFormatException.class,
            () ->
                LocalSpark.run(
                    in.toString(),
                    out.toString(),
                    "--weights",
                    dir.resolve("none.armw").toString(),
                    "--lut",
                    dir.resolve("none.arml").toString()));
    assertEquals(4, SparkUpscale.classify(e));
    assertTrue(e.getMessage().contains("none.armw"), e.getMessage());
    assertFalse(Files.exists(out));
  }

  private static List<Integer> ints(int[] a) {
    List<Integer> out = new ArrayList<>();
    for (int v : a) {
      out.add(v);
    }
    return out;
  }

  private static Path onlyPart(Path folder) throws IOException {
    try (var s = Files.list(folder)) {
      List<Path> parts = s.filter(p -> p.getFileName().toString().startsWith("part-")).toList();
      assertEquals(1, parts.size(), parts.toString());
      return parts.get(0);
    }
  }
}

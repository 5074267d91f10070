package io.armsr.spark;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.armsr.image.ImageMetrics;
import io.armsr.image.PlanarImage;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.ImageFiles;
import io.armsr.infer.ArmModel;
import io.armsr.infer.Grid;
import io.armsr.infer.PatchGrid;
import io.armsr.infer.PatchScores;
import io.armsr.model.Backbone;
import io.armsr.model.SrBenchmark;
import io.armsr.route.BudgetRouter;
import io.armsr.testing.Shared;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.math.RoundingMode;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.apache.spark.sql.Row;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * The corpus budget against per-image budgets on real photographs with ground truth: the job run
 * with {@code --budget F}, then with {@code --corpus-budget} at the cost that run spent (its exact
 * share, rounded down), predicted and measured (against HR) PSNR compared.
 */
class CorpusBudgetPsnrTest {
  @TempDir Path dir;

  /** One budget's comparison. */
  record Comparison(
      double budget,
      int images,
      double perImageShare,
      double corpusShare,
      double perImagePredicted,
      double corpusPredicted,
      double perImageMeasured,
      double corpusMeasured,
      double perImagePooled,
      double corpusPooled,
      double perImageMeasuredPooled,
      double corpusMeasuredPooled) {
    String row() {
      return String.format(
          Locale.ROOT,
          "| %.2f | %d | %.4f | %.4f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f | %.3f |",
          budget,
          images,
          perImageShare,
          corpusShare,
          perImagePredicted,
          corpusPredicted,
          perImageMeasured,
          corpusMeasured,
          perImagePooled,
          corpusPooled,
          perImageMeasuredPooled,
          corpusMeasuredPooled);
    }
  }

  @Test
  void onAMixedCorpusTheCorpusBudgetBeatsPerImageBudgetsAtTheSameCost() throws IOException {
    Path hr = Shared.require("data/test/BSD100/HR");
    Path lr = Shared.require("data/test/BSD100/LR");
    Path in = mixedCorpus(lr, hr, 4);
    // The corpus's total squared error (its pooled PSNR), predicted and measured.
    Comparison mse = compare(in, 0.5, "mse");
    System.out.println("CorpusBudgetPsnrTest mse: " + mse.row());
    assertTrue(mse.corpusShare() <= mse.perImageShare(), mse.toString());
    assertTrue(mse.corpusPooled() > mse.perImagePooled(), mse.toString());
    assertTrue(mse.corpusMeasuredPooled() > mse.perImageMeasuredPooled(), mse.toString());
    // The images' mean PSNR, predicted and measured.
    Comparison psnr = compare(in, 0.5, "psnr");
    System.out.println("CorpusBudgetPsnrTest psnr: " + psnr.row());
    assertTrue(psnr.corpusShare() <= psnr.perImageShare(), psnr.toString());
    assertTrue(psnr.corpusPredicted() > psnr.perImagePredicted(), psnr.toString());
    assertTrue(psnr.corpusMeasured() > psnr.perImageMeasured(), psnr.toString());
  }

  /**
   * The table of docs/BENCHMARKS.md: {@code -Darmsr.spark.benchmark=true}, every BSD100 and Set14
   * image, budgets 0.3, 0.5 and 0.7.
   */
  @Test
  @EnabledIfSystemProperty(named = "armsr.spark.benchmark", matches = "true")
  void benchmarkTable() throws IOException {
    Path in = dir.resolve("corpus");
    for (String set : List.of("BSD100", "Set14")) {
      Path lr = Shared.require("data/test/" + set + "/LR");
      for (Path f : list(lr)) {
        Path to = in.resolve(set).resolve(f.getFileName());
        Files.createDirectories(to.getParent());
        Files.copy(f, to);
      }
    }
    List<String> rows = new ArrayList<>();
    for (String objective : List.of("mse", "psnr")) {
      for (double b : new double[] {0.3, 0.5, 0.7}) {
        rows.add("| " + objective + " " + compare(in, b, objective).row().substring(2));
      }
    }
    System.out.println(
        "| objective budget | images | per-image share | corpus share | mean predicted per-image"
            + " | mean predicted corpus | mean measured per-image | mean measured corpus | pooled"
            + " predicted per-image | pooled predicted corpus | pooled measured per-image |"
            + " pooled measured corpus |");
    rows.forEach(System.out::println);
  }

  /** The job with a per-image budget, then with the corpus budget at the cost it spent. */
  private Comparison compare(Path in, double budget, String objective) throws IOException {
    Path perImage = dir.resolve("per-image-" + budget);
    if (!Files.exists(perImage)) {
      LocalSpark.run(in.toString(), perImage.toString(), "--budget", Double.toString(budget));
    }
    double[] costs;
    try (ArmModel m = ArmModel.loadDefault(Backbone.FSRCNN)) {
      costs = m.table().costs();
    }
    Run a = read(perImage, costs);
    BigDecimal share =
        a.cost
            .divide(
                BigDecimal.valueOf(a.patches).multiply(new BigDecimal(costs[3])),
                new MathContext(30, RoundingMode.DOWN))
            .setScale(12, RoundingMode.DOWN);
    Path corpus = dir.resolve("corpus-" + objective + "-" + budget);
    UpscaleJob.Summary s =
        LocalSpark.run(
            in.toString(),
            corpus.toString(),
            "--corpus-budget",
            share.toPlainString(),
            "--corpus-objective",
            objective);
    Run b = read(corpus, costs);
    assertTrue(b.cost.compareTo(a.cost) <= 0, "the corpus spent more: " + b.cost + " > " + a.cost);
    assertTrue(b.cost.compareTo(s.budget().cost()) == 0);
    return new Comparison(
        budget,
        a.images,
        a.share(costs),
        b.share(costs),
        a.predicted,
        b.predicted,
        a.measured,
        b.measured,
        a.pooledPredicted,
        b.pooledPredicted,
        a.pooledMeasured,
        b.pooledMeasured);
  }

  /** A run's totals from its manifest and outputs. */
  private static final class Run {
    BigDecimal cost = BigDecimal.ZERO;
    long patches;
    int images;
    double predicted;
    double measured;
    double pooledPredicted;
    double pooledMeasured;

    double share(double[] costs) {
      return cost.doubleValue() / (patches * costs[3]);
    }
  }

  private static Run read(Path out, double[] costs) throws IOException {
    Run r = new Run();
    double pooledMse = 0;
    double squaredError = 0;
    double samples = 0;
    for (Row row : LocalSpark.manifest(out)) {
      assertTrue("done".equals(row.getAs("status")), row.toString());
      List<Integer> n = row.getList(row.fieldIndex("patches"));
      long[] counts = new long[n.size()];
      long patches = 0;
      for (int j = 0; j < counts.length; j++) {
        counts[j] = n.get(j);
        patches += counts[j];
      }
      r.cost = r.cost.add(CorpusBudget.cost(counts, costs));
      r.patches += patches;
      r.images++;
      double predicted = row.getAs("predictedPsnr");
      r.predicted += predicted;
      pooledMse += BudgetRouter.mse(predicted) * patches;
      String output = row.getAs("output");
      String input = row.getAs("input");
      Path hr =
          Shared.root()
              .resolve("data/test")
              .resolve(setOf(input))
              .resolve("HR")
              .resolve(
                  Path.of(input.replace("file:", ""))
                      .getFileName()
                      .toString()
                      .replace("_LR", "_HR"));
      double[] m = psnr(Path.of(output.replace("file:", "")), hr);
      r.measured += m[0];
      squaredError += BudgetRouter.mse(m[0]) * m[1];
      samples += m[1];
    }
    r.predicted /= r.images;
    r.measured /= r.images;
    r.pooledPredicted = 10 * Math.log10(255.0 * 255 * r.patches / pooledMse);
    r.pooledMeasured = 10 * Math.log10(255.0 * 255 * samples / squaredError);
    return r;
  }

  private static String setOf(String input) {
    for (String set : List.of("BSD100", "Set14", "Set5")) {
      if (input.contains("/" + set + "/")) {
        return set;
      }
    }
    return "BSD100";
  }

  /**
   * The official RGB PSNR of an 8-bit output against its HR (4-pixel border), and the number of
   * samples it is taken over.
   */
  static double[] psnr(Path sr, Path hr) throws IOException {
    Rgb8Image s = ImageFiles.read(sr);
    Rgb8Image h = ImageFiles.read(hr);
    int n = s.width() * s.height();
    float[] data = new float[3 * n];
    for (int i = 0; i < n; i++) {
      for (int c = 0; c < 3; c++) {
        data[c * n + i] = s.pixels()[3 * i + c] & 0xff;
      }
    }
    int b = SrBenchmark.PSNR_BORDER;
    return new double[] {
      ImageMetrics.psnr(new PlanarImage(3, s.height(), s.width(), data), h, b),
      3.0 * (s.width() - 2 * b) * (s.height() - 2 * b)
    };
  }

  /**
   * The {@code each} flattest, most textured and middle BSD100 images by the table's predicted gain
   * of the full network over bicubic, under {@code flat/}, {@code textured/} and {@code mixed/}.
   */
  private Path mixedCorpus(Path lr, Path hr, int each) throws IOException {
    record Scored(Path file, double gain) {}
    List<Scored> scored = new ArrayList<>();
    try (ArmModel m = ArmModel.loadDefault(Backbone.FSRCNN)) {
      for (Path f : list(lr)) {
        Rgb8Image image = ImageFiles.read(f);
        PatchGrid grid = PatchGrid.of(Grid.FULL, image.width(), image.height());
        double gain = 0;
        for (double[] p : PatchScores.of(image, grid, m.table()).predicted()) {
          gain += p[3] - p[0];
        }
        scored.add(new Scored(f, gain / grid.size()));
      }
    }
    scored.sort(Comparator.comparingDouble(Scored::gain));
    Path in = dir.resolve("mixed");
    int mid = scored.size() / 2 - each / 2;
    for (int i = 0; i < each; i++) {
      copy(scored.get(i).file(), in.resolve("BSD100/flat"));
      copy(scored.get(scored.size() - 1 - i).file(), in.resolve("BSD100/textured"));
      copy(scored.get(mid + i).file(), in.resolve("BSD100/mixed"));
    }
    return in;
  }

  private static void copy(Path f, Path folder) throws IOException {
    Files.createDirectories(folder);
    Files.copy(f, folder.resolve(f.getFileName()));
  }

  private static List<Path> list(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.filter(p -> p.toString().endsWith(".png")).sorted().toList();
    }
  }
}

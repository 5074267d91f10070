package io.armsr.cli;

import io.armsr.chart.TradeoffPlot;
import io.armsr.eval.DatasetEval;
import io.armsr.eval.EvalJson;
import io.armsr.eval.Evaluator;
import io.armsr.eval.ImageEval;
import io.armsr.eval.PairedDataset;
import io.armsr.infer.ArmModel;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code armsr eval}: PSNR, SSIM and FLOPs of a model over an HR/LR test set. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = "Evaluate a model on paired HR/LR folders (files pair by sorted order).")
final class EvalCommand implements Callable<Integer> {

  @Option(names = "--hr", required = true, paramLabel = "DIR", description = "ground-truth folder")
  Path hr;

  @Option(names = "--lr", required = true, paramLabel = "DIR", description = "LR folder (HR/4)")
  Path lr;

  @Option(names = "--json", paramLabel = "F", description = "write the report as JSON to F")
  Path json;

  @Option(
      names = "--plot",
      paramLabel = "F.png",
      description =
          "also evaluate the fixed widths and a sweep of K in the same pass and plot PSNR against"
              + " FLOPs to F.png")
  Path plot;

  @Mixin ThreadOptions threads;

  @Mixin ModelOptions model;

  @Mixin GridOptions grid;

  @Mixin RoutingOptions routing;

  @Override
  public Integer call() throws IOException {
    int workers = threads.workers();
    Upscaler.Options options = grid.options().withWorkers(workers);
    RoutingMode mode = routing.mode(model.backbone, options);
    if (plot != null && !plot.getFileName().toString().toLowerCase(Locale.ROOT).endsWith(".png")) {
      throw new IllegalArgumentException("--plot " + plot + ": the plot is a PNG (F.png)");
    }
    requireFolder(hr, "--hr");
    requireFolder(lr, "--lr");
    PairedDataset dataset = PairedDataset.open(hr, lr);
    // The selected mode first; with --plot, every plotted mode too, each computed once.
    Map<String, RoutingMode> modes = new LinkedHashMap<>();
    modes.put(mode.label(), mode);
    if (plot != null) {
      TradeoffPlot.modes().forEach(m -> modes.putIfAbsent(m.label(), m));
    }
    List<DatasetEval> evals;
    try (ArmModel m = model.load()) {
      Evaluator evaluator = new Evaluator(new Upscaler(m, options));
      evals = evaluator.evaluate(dataset, List.copyOf(modes.values()), name -> {});
    }
    DatasetEval eval = evals.get(0);
    print(eval, System.out);
    if (mode instanceof RoutingMode.Budget b) {
      double limit = b.fraction() * eval.costs()[eval.costs().length - 1];
      // A mean over patches rounds: allow for that, as the router's own check is exact.
      long over = eval.images().stream().filter(e -> e.flops() > limit * (1 + 1e-12)).count();
      if (over > 0) {
        System.err.printf(
            "armsr: warning: %s cannot be met on %d image(s): the cheapest subnet of every patch"
                + " costs more; used those%n",
            b.label(), over);
      }
    }
    if (json != null) {
      EvalJson.write(eval, json);
    }
    if (plot != null) {
      TradeoffPlot.standard(evals).render(plot);
      System.out.println("wrote " + plot);
    }
    return 0;
  }

  private static void requireFolder(Path dir, String option) {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(option + " " + dir + ": not a folder");
    }
  }

  static void print(DatasetEval eval, PrintStream out) {
    out.printf(
        "%s on %s, %s grid, mode %s%n", eval.backbone(), eval.dataset(), eval.grid(), eval.mode());
    out.printf(
        "%-24s %9s %9s %7s %11s %9s  %s%n",
        "image", "PSNR", "PSNR-Y", "SSIM-Y", "MFLOPs", "M MACs", "classes");
    Backbone b = Backbone.parse(eval.backbone());
    for (ImageEval e : eval.images()) {
      out.printf(
          "%-24s %9.4f %9.4f %7.4f %11.1f %9.2f  %s%n",
          e.name(),
          e.psnr(),
          e.psnrY(),
          e.ssimY(),
          e.flops() / 1e6,
          multiplyAdds(b, e.classes()) / 1e6,
          Arrays.toString(e.classes()));
    }
    out.printf(
        "%-24s %9.4f %9.4f %7.4f %11.1f %9.2f  %s%n",
        "mean (" + eval.images().size() + " images)",
        eval.meanPsnr(),
        eval.meanPsnrY(),
        eval.meanSsimY(),
        eval.meanFlops() / 1e6,
        multiplyAdds(b, eval.classes()) / 1e6,
        Arrays.toString(eval.classes()));
    out.println(
        "MFLOPs: paper convention per 32x32 patch (ARM.md 3.2); M MACs: true multiply-adds per"
            + " patch");
  }

  /** Mean true multiply-adds per patch for these class counts. */
  static double multiplyAdds(Backbone b, int[] classes) {
    double total = 0;
    long n = 0;
    for (int j = 0; j < classes.length; j++) {
      total += (double) b.multiplyAdds(j) * classes[j];
      n += classes[j];
    }
    return total / n;
  }
}

package io.armsr.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.armsr.eval.Bench;
import io.armsr.imagefile.AtomicFiles;
import io.armsr.imagefile.ImageExtensions;
import io.armsr.infer.ArmModel;
import io.armsr.infer.Upscaler;
import io.armsr.model.AbstractSupernet;
import io.armsr.model.Backbone;
import io.armsr.route.RoutingMode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code armsr bench DIR}: engine throughput against the release's way of working, same run. */
@Command(
    name = "bench",
    mixinStandardHelpOptions = true,
    description =
        "Measure throughput on a folder of LR images: the engine end to end, the release's way of"
            + " working (batch 1, no pre-slicing) as the baseline, and the raw forward rate.")
final class BenchCommand implements Callable<Integer> {

  @Parameters(paramLabel = "DIR", description = "folder of LR images")
  Path dir;

  @Mixin ModelOptions model;

  @Mixin GridOptions grid;

  @Mixin RoutingOptions routing;

  @Mixin ThreadOptions threads;

  @Option(names = "--json", paramLabel = "F", description = "also write the results as JSON")
  Path json;

  @Option(
      names = "--limit",
      defaultValue = "0",
      description = "use only the first N images (default: all)")
  int limit;

  @Option(
      names = "--raw-repeats",
      defaultValue = "20",
      description = "batches of 64 per subnet for the raw forward rate (default: ${DEFAULT-VALUE})")
  int rawRepeats;

  @Option(
      names = "--passes",
      defaultValue = "3",
      description =
          "timed passes over the folder per path; the median counts (default: ${DEFAULT-VALUE})")
  int passes;

  @Option(
      names = "--warm-up",
      paramLabel = "S",
      defaultValue = "3",
      description =
          "seconds of untimed passes before each path's timed ones, at least one pass (default:"
              + " ${DEFAULT-VALUE}): the JIT and libtorch's caches settle")
  double warmUp;

  @Override
  public Integer call() throws IOException {
    int workers = threads.workers();
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException("DIR " + dir + ": not a folder");
    }
    if (limit < 0 || rawRepeats < 1 || passes < 1 || passes > 100 || !(warmUp >= 0)) {
      throw new IllegalArgumentException(
          "--limit must be >= 0, --raw-repeats >= 1, --passes 1..100 and --warm-up >= 0");
    }
    List<Path> files = ImageExtensions.walk(dir);
    if (limit > 0 && files.size() > limit) {
      files = files.subList(0, limit);
    }
    if (files.isEmpty()) {
      throw new IllegalArgumentException(
          "DIR " + dir + ": no images (" + ImageExtensions.describeReadable() + ")");
    }
    // The same routing as upscale: ARM-L (--k 4) unless a routing option says otherwise.
    RoutingMode mode = routing.mode(model.backbone, grid.options().withWorkers(workers));
    Bench.Result r;
    Upscaler.Options options = grid.options().withWorkers(workers);
    Set<String> bf16Layers;
    try (ArmModel m = model.load()) {
      bf16Layers =
          m.supernet() instanceof AbstractSupernet net
              ? net.bf16Layers(options.effectivePrecision())
              : Set.of();
      r = Bench.run(m, options, mode, files, 100, rawRepeats, passes, warmUp);
    }
    print(r);
    System.out.println(
        "precision "
            + options.effectivePrecision().id()
            + (bf16Layers.isEmpty()
                ? ": every convolution in fp32"
                : ": in bf16 " + String.join(", ", bf16Layers))
            + "; the baseline is fp32");
    Backbone backbone = Backbone.parse(r.backbone());
    double limit = r.sgemmLimit(backbone);
    if (limit > 0) {
      System.out.printf(
          Locale.ROOT,
          "fp32 sgemm %.0f GFLOP/s on %d threads: at %.1f M multiply-adds per patch of w%d the"
              + " sgemm-derived limit is %.0f patches/s; raw forward %.0f%% of it, end to end"
              + " %.0f%%%n",
          r.sgemmGflops(),
          r.workers(),
          backbone.multiplyAdds(r.mostUsedSubnet()) / 1e6,
          backbone.width(r.mostUsedSubnet()),
          limit,
          100 * r.rawForwardOfMode() / limit,
          100 * r.endToEnd().patchesPerSecond() / limit);
    }
    if (json != null) {
      ObjectMapper mapper = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
      ObjectNode root = mapper.createObjectNode();
      root.put("backbone", r.backbone());
      root.put("mode", r.mode());
      root.put("images", r.images());
      root.put("patches", r.patches());
      root.put("threads", r.workers());
      root.put("passes", passes);
      root.put("warmUpSeconds", warmUp);
      root.put("precision", options.effectivePrecision().id());
      var layers = root.putArray("bf16Layers");
      bf16Layers.forEach(layers::add);
      rates(root.putObject("endToEnd"), r.endToEnd());
      rates(root.putObject("endToEndOneImageAtATime"), r.oneImageAtATime());
      ObjectNode baseline = root.putObject("baseline");
      rates(baseline, r.baseline());
      baseline.put("libtorchThreads", r.baselineThreads());
      ObjectNode raw = root.putObject("rawForward");
      raw.put("patchesPerSecond", r.rawForwardOfMode());
      var by = raw.putArray("bySubnet");
      for (double v : r.rawForward()) {
        by.add(v);
      }
      var parallel = raw.putArray("parallelBySubnet");
      for (double v : r.rawParallel()) {
        parallel.add(v);
      }
      var intraOp = raw.putArray("intraOpBySubnet");
      for (double v : r.rawIntraOp()) {
        intraOp.add(v);
      }
      root.put("speedup", r.speedup());
      root.put("endToEndShareOfRaw", r.endToEnd().patchesPerSecond() / r.rawForwardOfMode());
      root.put("maxAbsDiff", r.maxAbsDiff());
      root.put("sgemmGflops", r.sgemmGflops());
      root.put("sgemmLimitPatchesPerSecond", r.sgemmLimit(Backbone.parse(r.backbone())));
      if (r.windows() != null) {
        ObjectNode w = root.putObject("windows");
        w.put("shape", r.windows().shape());
        w.put("networkPixelsPerPatch", r.windows().pixelsPerPatch());
        w.put("networkPixelsPerPatchAlone", r.windows().pixelsPerPatchAlone());
        rates(w.putObject("endToEndAlone"), r.windows().alone());
        w.put("speedupOverAlone", r.windows().speedup());
      }
      AtomicFiles.write(json, out -> mapper.writeValue(out, root));
    }
    return 0;
  }

  private static void rates(ObjectNode node, Bench.Rates r) {
    node.put("seconds", r.seconds());
    node.put("patchesPerSecond", r.patchesPerSecond());
    node.put("imagesPerSecond", r.imagesPerSecond());
    node.put("outputMegapixelsPerSecond", r.megapixelsPerSecond());
    var passes = node.putArray("passSeconds");
    for (double p : r.passSeconds()) {
      passes.add(p);
    }
    var resident = node.putArray("residentKbAfterPass");
    for (long kb : r.residentKb()) {
      resident.add(kb);
    }
  }

  private static void print(Bench.Result r) {
    System.out.printf(
        Locale.ROOT,
        "%s, mode %s, %d images, %d patches, %d threads%n",
        r.backbone(),
        r.mode(),
        r.images(),
        r.patches(),
        r.workers());
    System.out.printf(
        Locale.ROOT, "%-26s %10s %10s %10s%n", "", "patches/s", "images/s", "out MP/s");
    row("end to end (engine)", r.endToEnd());
    row("  one image at a time", r.oneImageAtATime());
    if (r.windows() != null) {
      row("  each patch alone", r.windows().alone());
    }
    row("baseline (batch 1, " + r.baselineThreads() + " thr)", r.baseline());
    System.out.printf(
        Locale.ROOT,
        "speedup %.2fx; end to end is %.0f%% of the raw forward rate (%.0f patches/s);"
            + " max |difference| %.2e%n",
        r.speedup(),
        100 * r.endToEnd().patchesPerSecond() / r.rawForwardOfMode(),
        r.rawForwardOfMode(),
        r.maxAbsDiff());
    if (r.windows() != null) {
      System.out.printf(
          Locale.ROOT,
          "shared windows (up to %s patches): %.0f LR pixels computed per network patch, %.0f with"
              + " each patch alone (%.2fx; official grid: 1024); end to end %.2fx each patch alone"
              + " (median of paired passes)%n",
          r.windows().shape(),
          r.windows().pixelsPerPatch(),
          r.windows().pixelsPerPatchAlone(),
          r.windows().pixelsPerPatchAlone() / r.windows().pixelsPerPatch(),
          r.windows().speedup());
    }
    long[] resident = r.endToEnd().residentKb();
    if (resident.length > 0 && resident[0] > 0) {
      StringBuilder mem = new StringBuilder("resident memory after each end-to-end pass, MB:");
      for (long kb : resident) {
        mem.append(' ').append(kb >> 10);
      }
      if (resident.length >= 2) {
        mem.append(
            String.format(
                Locale.ROOT,
                " (last/second %.3f)",
                resident[resident.length - 1] / (double) resident[1]));
      }
      System.out.println(mem);
    }
    StringBuilder sb =
        new StringBuilder(
            "raw forward, batch " + r.rawBatch() + ", patches/s by subnet, threads in parallel:");
    for (double v : r.rawParallel()) {
      sb.append(String.format(Locale.ROOT, " %.0f", v));
    }
    sb.append("; one thread, libtorch intra-op threads:");
    for (double v : r.rawIntraOp()) {
      sb.append(String.format(Locale.ROOT, " %.0f", v));
    }
    System.out.println(sb);
  }

  private static void row(String name, Bench.Rates r) {
    System.out.printf(
        Locale.ROOT,
        "%-26s %10.1f %10.2f %10.2f%n",
        name,
        r.patchesPerSecond(),
        r.imagesPerSecond(),
        r.megapixelsPerSecond());
  }
}

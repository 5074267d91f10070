package io.armsr.server;

import io.armsr.infer.ArmModel;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.model.EngineThreads;
import io.armsr.testing.Shared;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * An open-loop load test of the service (docs/BENCHMARKS.md, "The service under load"): a server
 * over the embedded default model in this JVM, and a client that sends the same image at a fixed
 * rate whatever the answers (as independent users do, unlike a closed loop, which slows down with
 * the server and hides queueing). For each offered rate, a multiple of the capacity measured first
 * (slots / the mean time of one request alone), it prints a Markdown row: the throughput answered,
 * the latency percentiles of the answers, the share refused (503), and the quality kept (the mean
 * share of patches run by a network rather than bicubic, and MFLOPs per patch).
 *
 * <p>Run it (after {@code mvn -pl armsr-server -am test-compile}) with the test class path:
 *
 * <pre>
 * mvn -q -pl armsr-server dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -Dai.djl.offline=true -Darmsr.root=. -cp armsr-server/target/test-classes:armsr-server/target/classes:armsr-core/target/classes:armsr-core/target/test-classes:$(cat armsr-server/target/cp.txt) \
 *   io.armsr.server.LoadBenchmark [slots] [slo-ms] [seconds-per-rate] [query]
 * </pre>
 *
 * Defaults: 1 slot, an SLO of 0 (none) and then 250 ms, 10 s per rate, {@code k=4}.
 */
public final class LoadBenchmark {
  private LoadBenchmark() {}

  private static final double[] LOADS = {0.5, 0.9, 1.5, 3.0};

  private record Answer(int status, double ms, double aboveBicubic, double mflops) {}

  public static void main(String[] args) throws Exception {
    int slots = args.length > 0 ? Integer.parseInt(args[0]) : 1;
    double[] slos =
        args.length > 1 ? new double[] {Double.parseDouble(args[1])} : new double[] {0, 250};
    double seconds = args.length > 2 ? Double.parseDouble(args[2]) : 10;
    String query = args.length > 3 ? args[3] : "k=4";
    System.setProperty(EngineThreads.PROPERTY, "1");
    byte[] image = Files.readAllBytes(Shared.inRepo("examples/kodim23-lr.png"));
    HttpClient http =
        HttpClient.newBuilder()
            .executor(Executors.newFixedThreadPool(4))
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    try (ArmModel model = ArmModel.loadDefault(Backbone.FSRCNN)) {
      Upscaler engine = new Upscaler(model, Upscaler.Options.defaults());
      double serviceMs;
      try (ArmServer s = ArmServer.start(engine, ServerOptions.local(0, slots))) {
        URI uri = s.uri().resolve("/v1/upscale?" + query);
        for (int i = 0; i < 30; i++) { // warm-up
          Answer a = send(http, uri, image).join();
          if (a.status() != 200) {
            throw new IllegalStateException("the warm-up request was answered " + a.status());
          }
        }
        List<Answer> alone = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
          alone.add(send(http, uri, image).join());
        }
        serviceMs = alone.stream().mapToDouble(Answer::ms).average().orElseThrow();
      }
      double capacity = slots * 1000 / serviceMs;
      System.out.printf(
          Locale.ROOT,
          "%s, %d slot(s), %d cores, one request alone %.1f ms: capacity %.1f req/s%n%n",
          query,
          slots,
          Runtime.getRuntime().availableProcessors(),
          serviceMs,
          capacity);
      System.out.println(
          "| SLO | offered | req/s | answered req/s | p50 ms | p95 ms | p99 ms | max ms | refused"
              + " | above bicubic | MFLOPs/patch |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
      for (double slo : slos) {
        ServerOptions o = ServerOptions.local(0, slots).withSloMs(slo);
        try (ArmServer s = ArmServer.start(engine, o)) {
          URI uri = s.uri().resolve("/v1/upscale?" + query);
          for (double load : LOADS) {
            row(http, uri, image, slo, load, capacity * load, seconds);
          }
        }
      }
    }
    System.exit(0);
  }

  private static void row(
      HttpClient http, URI uri, byte[] image, double slo, double load, double rate, double seconds)
      throws Exception {
    int n = (int) Math.max(1, Math.round(rate * seconds));
    long intervalNanos = (long) (1e9 / rate);
    ScheduledExecutorService clock = Executors.newSingleThreadScheduledExecutor();
    List<CompletableFuture<Answer>> answers = Collections.synchronizedList(new ArrayList<>());
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      clock.schedule(
          () -> answers.add(send(http, uri, image)), i * intervalNanos, TimeUnit.NANOSECONDS);
    }
    clock.shutdown();
    clock.awaitTermination(1, TimeUnit.HOURS);
    List<Answer> done = new ArrayList<>();
    for (CompletableFuture<Answer> a : answers) {
      done.add(a.join());
    }
    double wall = (System.nanoTime() - t0) / 1e9;
    List<Double> ms = new ArrayList<>();
    double above = 0;
    double mflops = 0;
    int refused = 0;
    for (Answer a : done) {
      if (a.status() == 200) {
        ms.add(a.ms());
        above += a.aboveBicubic();
        mflops += a.mflops();
      } else if (a.status() == 503) {
        refused++;
      } else {
        throw new IllegalStateException(
            "a request was answered " + a.status() + ", not 200 or 503");
      }
    }
    Collections.sort(ms);
    int ok = ms.size();
    System.out.printf(
        Locale.ROOT,
        "| %s | %.1fx | %.1f | %.1f | %.0f | %.0f | %.0f | %.0f | %.0f%% | %.0f%% | %.2f |%n",
        slo > 0 ? String.format(Locale.ROOT, "%.0f ms", slo) : "none",
        load,
        rate,
        ok / wall,
        pct(ms, 0.50),
        pct(ms, 0.95),
        pct(ms, 0.99),
        ok == 0 ? Double.NaN : ms.get(ok - 1),
        100.0 * refused / done.size(),
        ok == 0 ? Double.NaN : 100 * above / ok,
        ok == 0 ? Double.NaN : mflops / ok);
  }

  private static double pct(List<Double> sorted, double p) {
    if (sorted.isEmpty()) {
      return Double.NaN;
    }
    return sorted.get((int) Math.min(sorted.size() - 1, Math.ceil(p * sorted.size()) - 1));
  }

  private static CompletableFuture<Answer> send(HttpClient http, URI uri, byte[] image) {
    long t0 = System.nanoTime();
    return http.sendAsync(
            HttpRequest.newBuilder(uri)
                .timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofByteArray(image))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray())
        .thenApply(
            r -> {
              double ms = (System.nanoTime() - t0) / 1e6;
              if (r.statusCode() != 200) {
                return new Answer(r.statusCode(), ms, 0, 0);
              }
              String[] c = r.headers().firstValue("X-Armsr-Subnets").orElseThrow().split(",");
              int total = 0;
              for (String v : c) {
                total += Integer.parseInt(v);
              }
              double above = (double) (total - Integer.parseInt(c[0])) / total;
              double mflops =
                  Double.parseDouble(
                      r.headers().firstValue("X-Armsr-Mflops-Per-Patch").orElseThrow());
              return new Answer(200, ms, above, mflops);
            });
  }
}

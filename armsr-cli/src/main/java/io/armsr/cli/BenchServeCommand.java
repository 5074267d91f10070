package io.armsr.cli;

import io.armsr.image.ImageMetrics;
import io.armsr.image.MatlabResize;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageExtensions;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageFormat;
import io.armsr.imagefile.ReadLimits;
import io.armsr.infer.ArmModel;
import io.armsr.infer.Upscaler;
import io.armsr.model.EngineThreads;
import io.armsr.route.RoutingChoice;
import io.armsr.route.TimeModel;
import io.armsr.server.ArmServer;
import io.armsr.server.ServerOptions;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code armsr bench-serve}: the service under open-loop load, an SLO server against a fixed
 * routing. Both servers run in this process on loopback, one after the other, over one model and
 * one measured time model; the client sends real photographs (the centre {@value #CROP}x{@value
 * #CROP} crop of each HR image, made LR by MATLAB's bicubic x1/4) with Poisson arrivals (seeded) at
 * multiples of the full-width capacity measured first (the photographs in turn, the same sequence
 * for both servers), and measures each answer from its scheduled send time (so a late client does
 * not hide queueing). Each load is bounded in requests and in seconds. Per server and load: latency
 * percentiles of the answers, throughput, refusals (503), the mean FLOPs share served and the mean
 * PSNR-Y of the served images against the HR crop.
 */
@Command(
    name = "bench-serve",
    mixinStandardHelpOptions = true,
    description =
        "Load-test armsr serve on loopback: Poisson arrivals of LR crops of real photographs at"
            + " 0.5x, 1x, 2x and 4x the full-width capacity (measured first), against a server with"
            + " --slo-ms and one with a fixed --k; prints latency percentiles, throughput,"
            + " refusals, FLOPs share and PSNR-Y against the HR crops as a Markdown table.")
final class BenchServeCommand implements Callable<Integer> {

  /** Side of the HR crops; the LR images sent are a quarter of it. */
  static final int CROP = 256;

  @Mixin ModelOptions model;

  @Mixin GridOptions grid;

  @Option(
      names = "--data",
      paramLabel = "DIR",
      description =
          "folders of HR photographs (default: ../shared/data/test/Kodak24/HR and"
              + " ../shared/data/val/DIV2K_valid_c256/HR)")
  List<Path> data;

  @Option(
      names = "--slo-ms",
      paramLabel = "T",
      defaultValue = "0",
      description = "the SLO server's --slo-ms (default: 3x one full-width request alone)")
  double sloMs;

  @Option(
      names = "--k",
      paramLabel = "K",
      defaultValue = "4",
      description = "the fixed server's --k (default: ${DEFAULT-VALUE})")
  double k;

  @Option(
      names = "--workers",
      paramLabel = "N",
      defaultValue = "1",
      description = "both servers' --workers (default: ${DEFAULT-VALUE})")
  int workers;

  @Option(
      names = "--loads",
      split = ",",
      defaultValue = "0.5,1,2,4",
      description = "offered loads, multiples of the capacity (default: ${DEFAULT-VALUE})")
  double[] loads;

  @Option(
      names = "--seconds",
      defaultValue = "15",
      description = "the longest a load runs (default: ${DEFAULT-VALUE})")
  double seconds;

  @Option(
      names = "--requests",
      defaultValue = "1500",
      description = "the most requests a load sends (default: ${DEFAULT-VALUE})")
  int requests;

  @Option(names = "--seed", defaultValue = "1", description = "arrivals' seed")
  long seed;

  /** One image sent: its LR file and the HR crop it was made from. */
  record Photo(String name, byte[] lr, Rgb8Image hr) {}

  /** One answer: its status, latency from its scheduled send, FLOPs share, and body (200). */
  record Answer(int photo, int status, double ms, double flopsShare, byte[] body) {}

  @Override
  public Integer call() throws Exception {
    if (workers < 1 || workers > 256 || seconds <= 0 || requests < 1 || k <= 0 || sloMs < 0) {
      throw new IllegalArgumentException(
          "--workers must be 1..256, --seconds, --requests and --k positive, --slo-ms >= 0");
    }
    System.setProperty(EngineThreads.PROPERTY, "1");
    List<Photo> photos = photos(data != null ? data : defaultData());
    System.out.printf(
        Locale.ROOT,
        "%d photographs (%dx%d HR crops, %dx%d LR), %d worker%s, %d cores%n",
        photos.size(),
        CROP,
        CROP,
        CROP / 4,
        CROP / 4,
        workers,
        workers == 1 ? "" : "s",
        Runtime.getRuntime().availableProcessors());
    ExecutorService clientPool = Executors.newFixedThreadPool(4);
    HttpClient http =
        HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .executor(clientPool)
            .connectTimeout(Duration.ofSeconds(10))
            .build();
    try (ArmModel m = model.load()) {
      Upscaler engine = new Upscaler(m, grid.options());
      TimeModel time;
      double capacity;
      double fullMs;
      ServerOptions base = ServerOptions.local(0, workers).withMaxQueue(64);
      try (ArmServer s = ArmServer.listen(engine, base)) {
        time = s.prepare(null, 5);
        URI full = s.uri().resolve("/v1/upscale?subnet=3");
        for (int i = 0; i < 2 * photos.size(); i++) { // warm-up
          closedLoop(http, full, photos, i);
        }
        long t0 = System.nanoTime();
        int n = 0;
        while (n < 3 * photos.size() || System.nanoTime() - t0 < 5e9) {
          closedLoop(http, full, photos, n++);
        }
        fullMs = (System.nanoTime() - t0) / 1e6 / n;
        capacity = workers * 1000 / fullMs;
      }
      double slo = sloMs > 0 ? sloMs : Math.ceil(3 * fullMs);
      System.out.printf(
          Locale.ROOT,
          "one full-width request alone: %.1f ms, capacity %.1f req/s (%d worker%s); SLO %.0f"
              + " ms%n%n",
          fullMs,
          capacity,
          workers,
          workers == 1 ? "" : "s",
          slo);
      System.out.println(
          "| server | load | offered req/s | answered req/s | p50 ms | p95 ms | p99 ms | p99/SLO"
              + " | refused | FLOPs share | PSNR-Y dB |");
      System.out.println("|---|---|---|---|---|---|---|---|---|---|---|");
      String[] names = {String.format(Locale.ROOT, "--slo-ms %.0f", slo), "--k " + fmt(k)};
      ServerOptions[] servers = {
        base.withSloMs(slo), base.withRouting(new RoutingChoice(null, false, k, null, null))
      };
      SplittableRandom random = new SplittableRandom(seed);
      for (int i = 0; i < servers.length; i++) {
        try (ArmServer s = ArmServer.start(engine, servers[i], time)) {
          s.warmUp(5);
          URI uri = s.uri().resolve("/v1/upscale");
          for (double load : loads) {
            List<Answer> answers = load(http, uri, photos, load * capacity, random);
            row(names[i], load, load * capacity, slo, answers, photos);
          }
        }
      }
    } finally {
      clientPool.shutdownNow();
    }
    return 0;
  }

  private static String fmt(double v) {
    return v == Math.rint(v) ? Long.toString((long) v) : Double.toString(v);
  }

  static List<Path> defaultData() {
    return List.of(
        Path.of("../shared/data/test/Kodak24/HR"),
        Path.of("../shared/data/val/DIV2K_valid_c256/HR"));
  }

  /** The centre crop of every image in {@code dirs}, and its LR as a PNG file. */
  static List<Photo> photos(List<Path> dirs) throws IOException {
    List<Photo> out = new ArrayList<>();
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException(dir + " is not a folder of photographs (see --data)");
      }
      List<Path> files;
      try (Stream<Path> s = Files.list(dir)) {
        files = s.filter(ImageExtensions::isReadable).sorted().toList();
      }
      for (Path f : files) {
        Rgb8Image img = ImageFiles.read(f);
        if (img.width() < CROP || img.height() < CROP) {
          continue;
        }
        Rgb8Image hr = img.crop((img.width() - CROP) / 2, (img.height() - CROP) / 2, CROP, CROP);
        Rgb8Image lr = MatlabResize.resize(hr, 0.25);
        ByteArrayOutputStream png = new ByteArrayOutputStream();
        ImageFiles.writeImage(DecodedImage.of(lr), ImageFormat.PNG, 95, "lr", png);
        out.add(new Photo(f.getFileName().toString(), png.toByteArray(), hr));
      }
    }
    if (out.isEmpty()) {
      throw new IllegalArgumentException(
          "no photographs of at least " + CROP + "x" + CROP + " pixels in " + dirs);
    }
    return out;
  }

  private static void closedLoop(HttpClient http, URI uri, List<Photo> photos, int i)
      throws Exception {
    HttpResponse<byte[]> r =
        http.send(
            HttpRequest.newBuilder(uri)
                .POST(HttpRequest.BodyPublishers.ofByteArray(photos.get(i % photos.size()).lr()))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    if (r.statusCode() != 200) {
      throw new IllegalStateException("a capacity request was answered " + r.statusCode());
    }
  }

  /**
   * Sends Poisson arrivals at {@code rate} per second, at most {@link #requests} and for at most
   * {@link #seconds}, then waits for every answer.
   */
  private List<Answer> load(
      HttpClient http, URI uri, List<Photo> photos, double rate, SplittableRandom random) {
    List<CompletableFuture<Answer>> pending = new ArrayList<>();
    long start = System.nanoTime();
    long end = start + (long) (seconds * 1e9);
    double at = 0;
    for (int i = 0; i < requests; i++) {
      at += -Math.log(1 - random.nextDouble()) / rate;
      long due = start + (long) (at * 1e9);
      if (due > end) {
        break;
      }
      for (long wait; (wait = due - System.nanoTime()) > 0; ) {
        LockSupport.parkNanos(wait);
      }
      int photo = i % photos.size(); // every photograph as often, in the same order
      HttpRequest req =
          HttpRequest.newBuilder(uri)
              .timeout(Duration.ofSeconds(60))
              .POST(HttpRequest.BodyPublishers.ofByteArray(photos.get(photo).lr()))
              .build();
      pending.add(
          http.sendAsync(req, HttpResponse.BodyHandlers.ofByteArray())
              .thenApply(
                  r -> {
                    double ms = (System.nanoTime() - due) / 1e6;
                    if (r.statusCode() != 200) {
                      return new Answer(photo, r.statusCode(), ms, 0, null);
                    }
                    double share =
                        Double.parseDouble(
                            r.headers().firstValue("X-Armsr-Flops-Share").orElseThrow());
                    return new Answer(photo, 200, ms, share, r.body());
                  }));
    }
    List<Answer> out = new ArrayList<>();
    for (CompletableFuture<Answer> f : pending) {
      out.add(f.join());
    }
    return out;
  }

  private static void row(
      String server, double load, double rate, double slo, List<Answer> answers, List<Photo> photos)
      throws IOException {
    List<Double> ms = new ArrayList<>();
    double share = 0;
    double psnr = 0;
    int refused = 0;
    double first = Double.MAX_VALUE;
    for (Answer a : answers) {
      if (a.status() == 200) {
        ms.add(a.ms());
        share += a.flopsShare();
        Rgb8Image sr = ImageFiles.readImage(a.body(), "answer", ReadLimits.DEFAULT).rgb();
        psnr += ImageMetrics.psnrY(sr, photos.get(a.photo()).hr(), 4);
      } else if (a.status() == 503) {
        refused++;
      } else {
        throw new IllegalStateException(
            "a request was answered " + a.status() + ", not 200 or 503");
      }
      first = Math.min(first, a.ms());
    }
    int ok = ms.size();
    double[] sorted = ms.stream().mapToDouble(Double::doubleValue).sorted().toArray();
    double offeredSeconds = answers.isEmpty() ? 1 : answers.size() / rate;
    double p99 = pct(sorted, 0.99);
    System.out.printf(
        Locale.ROOT,
        "| %s | %.1fx | %.1f | %.1f | %.0f | %.0f | %.0f | %.2f | %d of %d | %.3f | %.2f |%n",
        server,
        load,
        rate,
        ok / offeredSeconds,
        pct(sorted, 0.50),
        pct(sorted, 0.95),
        p99,
        p99 / slo,
        refused,
        answers.size(),
        ok == 0 ? Double.NaN : share / ok,
        ok == 0 ? Double.NaN : psnr / ok);
    System.out.flush();
  }

  /** The {@code p} quantile of sorted values, nearest rank. */
  static double pct(double[] sorted, double p) {
    if (sorted.length == 0) {
      return Double.NaN;
    }
    int rank = (int) Math.ceil(p * sorted.length);
    return sorted[Math.min(sorted.length - 1, Math.max(0, rank - 1))];
  }
}

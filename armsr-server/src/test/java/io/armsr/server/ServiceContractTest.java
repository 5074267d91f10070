package io.armsr.server;

import static io.armsr.server.ArmServerTest.assertRefused;
import static io.armsr.server.ArmServerTest.post;
import static io.armsr.server.ArmServerTest.send;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageFormat;
import io.armsr.imagefile.ReadLimits;
import io.armsr.infer.ArmModel;
import io.armsr.infer.Calibrator;
import io.armsr.infer.Grid;
import io.armsr.infer.ImageUpscale;
import io.armsr.infer.OutputSize;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import io.armsr.route.RoutingMode;
import io.armsr.route.TimeModel;
import io.armsr.testing.Shared;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The service's contract beyond the image itself: the probes, the OpenAPI description against the
 * route table, the API key, slow uploads, the time-budget routings, concurrency, the metrics, and
 * that no refusal leaves a file behind. Real servers on ephemeral loopback ports, called with
 * {@link HttpClient}.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ServiceContractTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private static ArmModel model;
  private static Upscaler engine;
  private static TimeModel time;
  private static byte[] png;
  private static DecodedImage input;

  @BeforeAll
  static void load() throws Exception {
    model = ArmModel.loadDefault(Backbone.FSRCNN);
    engine = new Upscaler(model, Upscaler.Options.defaults());
    time = Calibrator.measure(engine, Batching.Path.STREAMING, 64, 2, 1).time();
    png = Files.readAllBytes(Shared.inRepo("examples/kodim23-lr.png"));
    input = ImageFiles.readImage(png, "in.png", ReadLimits.DEFAULT);
  }

  @AfterAll
  static void close() {
    if (model != null) {
      model.close();
    }
  }

  private static byte[] file(ImageUpscale up) throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageFiles.writeImage(up.output(), ImageFormat.PNG, 95, "x", out);
    return out.toByteArray();
  }

  @Test
  void probesSayLiveAtOnceAndReadyOnlyOncePrepared() throws Exception {
    try (ArmServer s = ArmServer.listen(engine, ServerOptions.local(0, 1))) {
      JsonNode health = JSON.readTree(send(s, "GET", "/healthz").body());
      assertEquals("ok", health.get("status").asText());
      assertRefused(send(s, "GET", "/readyz"), 503, ApiError.NOT_READY);
      HttpResponse<byte[]> early = post(s, "", png);
      assertRefused(early, 503, ApiError.NOT_READY);
      assertEquals("1", early.headers().firstValue("Retry-After").orElseThrow());
      assertEquals(time, s.prepare(time, 1));
      HttpResponse<byte[]> ready = send(s, "GET", "/readyz");
      assertEquals(200, ready.statusCode());
      assertEquals("ready", JSON.readTree(ready.body()).get("status").asText());
      assertEquals(200, post(s, "", png).statusCode());
    }
  }

  @Test
  void theOpenApiDescriptionIsTheRouteTable() throws Exception {
    try (ArmServer s = ArmServer.start(engine, ServerOptions.local(0, 1))) {
      HttpResponse<byte[]> r = send(s, "GET", "/openapi.json");
      assertEquals(200, r.statusCode());
      JsonNode api = JSON.readTree(r.body());
      assertEquals("3.0.3", api.get("openapi").asText());
      Set<String> paths = new TreeSet<>();
      api.get("paths").fieldNames().forEachRemaining(paths::add);
      assertEquals(new TreeSet<>(ArmServer.ROUTES), paths);
      // every documented operation answers something else than 404/405 ...
      for (String path : paths) {
        for (Iterator<String> m = api.get("paths").get(path).fieldNames(); m.hasNext(); ) {
          String method = m.next().toUpperCase(Locale.ROOT);
          int status = send(s, method, path).statusCode();
          assertTrue(status != 404 && status != 405, method + " " + path + ": " + status);
        }
      }
      // ... and the upscale's parameters are exactly those the server reads.
      Set<String> documented = new TreeSet<>();
      for (JsonNode p : api.get("paths").get("/v1/upscale").get("post").get("parameters")) {
        documented.add(p.get("name").asText());
      }
      assertEquals(new TreeSet<>(UpscaleRequest.NAMES), documented);
      // and every error code the server can answer is named in the Error schema
      String codes = api.at("/components/schemas/Error/properties/error/description").asText();
      for (java.lang.reflect.Field f : ApiError.class.getFields()) {
        if (f.getType() == String.class) {
          assertTrue(codes.contains((String) f.get(null)), f.getName());
        }
      }
    }
  }

  @Test
  void anotherAddressThanLoopbackNeedsAKeyOrInsecure() throws Exception {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> ServerOptions.local(0, 1).withHost("0.0.0.0", null, false));
    assertEquals(
        "--host 0.0.0.0 is reachable from other machines: give --api-key K (clients then send"
            + " 'Authorization: Bearer K') or --insecure",
        e.getMessage());
    ServerOptions.local(0, 1).withHost("0.0.0.0", null, true); // explicit
    ServerOptions.local(0, 1).withHost("localhost", null, false); // loopback
    try (ArmServer s =
        ArmServer.start(engine, ServerOptions.local(0, 1).withHost("127.0.0.1", "s3cret", false))) {
      HttpResponse<byte[]> none = post(s, "subnet=0", png);
      JsonNode j = assertRefused(none, 401, ApiError.UNAUTHORIZED);
      assertEquals(
          "this server needs an API key: send 'Authorization: Bearer <key>'",
          j.get("message").asText());
      assertEquals("Bearer", none.headers().firstValue("WWW-Authenticate").orElseThrow());
      assertRefused(withKey(s, "/v1/upscale?subnet=0", "Bearer wrong"), 401, ApiError.UNAUTHORIZED);
      assertRefused(send(s, "GET", "/metrics"), 401, ApiError.UNAUTHORIZED);
      assertEquals(200, withKey(s, "/v1/upscale?subnet=0", "Bearer s3cret").statusCode());
      for (String open : ArmServer.OPEN) {
        assertEquals(200, send(s, "GET", open).statusCode(), open);
      }
    }
  }

  private static HttpResponse<byte[]> withKey(ArmServer s, String path, String authorization)
      throws Exception {
    return HTTP.send(
        HttpRequest.newBuilder(s.uri().resolve(path))
            .header("Authorization", authorization)
            .POST(HttpRequest.BodyPublishers.ofByteArray(png))
            .build(),
        HttpResponse.BodyHandlers.ofByteArray());
  }

  /** The status line and body of what the server answered on a raw socket. */
  private static String[] rawAnswer(InputStream in) throws Exception {
    String all = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
    int split = all.indexOf("\r\n\r\n");
    return new String[] {all.substring(0, all.indexOf("\r\n")), all.substring(split + 4)};
  }

  @Test
  void aStalledOrSlowUploadTimesOut() throws Exception {
    try (ArmServer s = ArmServer.start(engine, ServerOptions.local(0, 1).withReadTimeoutMs(800))) {
      // Half the body, then nothing: 408 once the connection has been idle for the timeout.
      try (Socket socket = new Socket("127.0.0.1", s.port())) {
        socket.setSoTimeout(20_000);
        OutputStream out = socket.getOutputStream();
        out.write(
            ("POST /v1/upscale HTTP/1.1\r\nHost: x\r\nContent-Type: image/png\r\nContent-Length: "
                    + png.length
                    + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        out.write(png, 0, png.length / 2);
        out.flush();
        long t0 = System.nanoTime();
        String[] answer = rawAnswer(socket.getInputStream());
        double ms = (System.nanoTime() - t0) / 1e6;
        assertTrue(answer[0].startsWith("HTTP/1.1 408"), answer[0]);
        JsonNode j = JSON.readTree(answer[1]);
        assertEquals(ApiError.UPLOAD_TIMEOUT, j.get("error").asText());
        assertTrue(
            j.get("message").asText().contains(png.length / 2 + " bytes received"), answer[1]);
        assertTrue(ms >= 700 && ms < 10_000, ms + " ms");
      }
      // A trickle, a few bytes every 100 ms, never idle for long: 408 once the body is late.
      try (Socket socket = new Socket("127.0.0.1", s.port())) {
        socket.setSoTimeout(20_000);
        OutputStream out = socket.getOutputStream();
        out.write(
            ("POST /v1/upscale HTTP/1.1\r\nHost: x\r\nContent-Length: " + png.length + "\r\n\r\n")
                .getBytes(StandardCharsets.US_ASCII));
        long t0 = System.nanoTime();
        try {
          for (int i = 0; i < png.length && System.nanoTime() - t0 < 5e9; i += 16) {
            out.write(png, i, Math.min(16, png.length - i));
            out.flush();
            Thread.sleep(100);
          }
        } catch (java.io.IOException closed) {
          // the server answered and closed the connection
        }
        String[] answer = rawAnswer(socket.getInputStream());
        assertTrue(answer[0].startsWith("HTTP/1.1 408"), answer[0]);
        assertTrue((System.nanoTime() - t0) / 1e6 < 5000);
      }
      assertEquals(200, post(s, "subnet=0", png).statusCode()); // the server is fine
    }
  }

  @Test
  void budgetMsIsTheEnginesTimeBudgetAndAutoFitsTheSlo() throws Exception {
    try (ArmServer s = ArmServer.start(engine, ServerOptions.local(0, 1), time)) {
      // The first timed request on a fresh server: no correction learnt yet, so exactly the
      // engine's time budget on the same model.
      HttpResponse<byte[]> r = post(s, "budget-ms=40", png);
      assertEquals(200, r.statusCode());
      assertEquals("budget-ms40.0", r.headers().firstValue("X-Armsr-Routing").orElseThrow());
      assertArrayEquals(
          file(
              ImageUpscale.of(
                  engine, input, new RoutingMode.TimeBudget(40, time), null, OutputSize.X4)),
          r.body());
      // the grid parameter: the reference grid's file
      HttpResponse<byte[]> ref = post(s, "grid=reference&k=2", png);
      assertEquals(200, ref.statusCode());
      Upscaler reference =
          new Upscaler(model, Upscaler.Options.defaults().withGrid(Grid.REFERENCE));
      assertArrayEquals(
          file(ImageUpscale.of(reference, input, new RoutingMode.Tradeoff(2), null, OutputSize.X4)),
          ref.body());
    }
    // With an SLO, auto routes by a time budget within it: generous when idle, the whole image at
    // its best; tight, the bicubic branch for every patch.
    double slo = 60_000;
    try (ArmServer s = ArmServer.start(engine, ServerOptions.local(0, 1).withSloMs(slo), time)) {
      HttpResponse<byte[]> r = post(s, "", png);
      assertEquals(200, r.statusCode());
      assertTrue(
          r.headers().firstValue("X-Armsr-Routing").orElseThrow().startsWith("auto:budget-ms"));
      double budget = Double.parseDouble(r.headers().firstValue("X-Armsr-Budget-Ms").orElseThrow());
      // idle: half the SLO's target (a request arriving now must fit too), less the encoding
      assertTrue(
          budget > SloPolicy.TARGET * slo / 2 - 2000 && budget <= SloPolicy.TARGET * slo / 2);
      ImageUpscale best =
          ImageUpscale.of(
              engine, input, new RoutingMode.TimeBudget(budget, time), null, OutputSize.X4);
      assertEquals(
          String.join(
              ",",
              java.util.Arrays.stream(best.routing().classes())
                  .mapToObj(Integer::toString)
                  .toList()),
          r.headers().firstValue("X-Armsr-Subnets").orElseThrow());
    }
    // On a machine where every network is far too slow for the SLO, auto is the bicubic branch;
    // and with a worker held far past the SLO, a request is refused at once, named routing or not.
    TimeModel slow =
        new TimeModel(
            Batching.Path.STREAMING,
            8,
            0,
            0.01,
            new double[] {0.01, 1000, 1000, 1000},
            new double[] {0, 0, 0, 0});
    try (ArmServer s = ArmServer.start(engine, ServerOptions.local(0, 1).withSloMs(2000), slow)) {
      HttpResponse<byte[]> first = post(s, "", png);
      assertEquals(200, first.statusCode());
      assertEquals("35,0,0,0", first.headers().firstValue("X-Armsr-Subnets").orElseThrow());
      assertArrayEquals(
          file(ImageUpscale.of(engine, input, new RoutingMode.Fixed(0), null, OutputSize.X4)),
          first.body());
      try (Admission.Permit held = s.admission().enter(null)) {
        held.expectEnd(60_000);
        long t0 = System.nanoTime();
        HttpResponse<byte[]> next = post(s, "", png);
        assertTrue((System.nanoTime() - t0) / 1e6 < 1000, "at once");
        JsonNode j = assertRefused(next, 503, ApiError.SLO_UNREACHABLE);
        assertTrue(
            j.get("message")
                .asText()
                .startsWith("not even the bicubic image can be served in time"),
            j.toString());
        assertEquals("60", next.headers().firstValue("Retry-After").orElseThrow());
        assertRefused(post(s, "subnet=3", png), 503, ApiError.SLO_UNREACHABLE);
      }
    }
  }

  @Test
  void sixteenRequestsAtOnceAllGetTheirImages() throws Exception {
    List<String> queries =
        List.of("k=1", "k=4", "budget=0.3", "subnet=3", "best", "subnet=0", "k=1.5", "budget=0.8");
    List<RoutingMode> modes =
        List.of(
            new RoutingMode.Tradeoff(1),
            new RoutingMode.Tradeoff(4),
            new RoutingMode.Budget(0.3),
            new RoutingMode.Fixed(3),
            new RoutingMode.Best(),
            new RoutingMode.Fixed(0),
            new RoutingMode.Tradeoff(1.5),
            new RoutingMode.Budget(0.8));
    List<byte[]> expected = new ArrayList<>();
    for (RoutingMode m : modes) {
      expected.add(file(ImageUpscale.of(engine, input, m, null, OutputSize.X4)));
    }
    int n = 16;
    ExecutorService pool = Executors.newFixedThreadPool(n);
    try (ArmServer s = ArmServer.start(engine, ServerOptions.local(0, 2).withMaxQueue(n))) {
      CountDownLatch go = new CountDownLatch(1);
      List<Future<HttpResponse<byte[]>>> answers = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        String q = queries.get(i % queries.size());
        answers.add(
            pool.submit(
                () -> {
                  go.await();
                  return post(s, q, png);
                }));
      }
      go.countDown(); // all sixteen at once
      for (int i = 0; i < n; i++) {
        HttpResponse<byte[]> r = answers.get(i).get(3, TimeUnit.MINUTES);
        assertEquals(200, r.statusCode(), queries.get(i % queries.size()));
        assertArrayEquals(
            expected.get(i % queries.size()), r.body(), queries.get(i % queries.size()));
      }
      // The metrics count them, per subnet and as FLOPs shares.
      String metrics = new String(send(s, "GET", "/metrics").body(), StandardCharsets.UTF_8);
      assertTrue(
          metrics.contains(
              "armsr_http_requests_total{method=\"POST\",route=\"/v1/upscale\",status=\"200\"} 16.0"),
          metrics);
      long[] patches = new long[4];
      double share = 0;
      for (int i = 0; i < n; i++) {
        ImageUpscale up =
            ImageUpscale.of(engine, input, modes.get(i % modes.size()), null, OutputSize.X4);
        int[] c = up.routing().classes();
        for (int j = 0; j < 4; j++) {
          patches[j] += c[j];
        }
        share += up.routing().meanFlops() / up.routing().costs()[3];
      }
      String[] names = {"bicubic", "w16", "w36", "w56"};
      for (int j = 0; j < 4; j++) {
        assertTrue(
            metrics.contains(
                "armsr_patches_total{subnet=\"" + names[j] + "\"} " + (double) patches[j]),
            names[j] + " " + patches[j] + "\n" + metrics);
        assertTrue(
            metrics.contains(
                "armsr_patch_share{subnet=\""
                    + names[j]
                    + "\"} "
                    + (double) patches[j] / (16 * 35)),
            names[j]);
      }
      assertTrue(metrics.contains("armsr_flops_share_count 16"), metrics);
      double mean =
          Double.parseDouble(
              metrics
                  .lines()
                  .filter(l -> l.startsWith("armsr_flops_share_mean "))
                  .findFirst()
                  .orElseThrow()
                  .split(" ")[1]);
      assertEquals(share / n, mean, 1e-9);
    } finally {
      pool.shutdownNow();
    }
  }

  /** Every file under the temporary folder and the working directory, with its size. */
  private static Map<Path, Long> files() throws Exception {
    Map<Path, Long> out = new java.util.TreeMap<>();
    for (Path root : List.of(Path.of(System.getProperty("java.io.tmpdir")), Path.of(""))) {
      try (Stream<Path> s = Files.walk(root.toAbsolutePath(), 3)) {
        s.filter(Files::isRegularFile)
            .filter(p -> !p.toString().contains("surefire") && !p.toString().contains("target"))
            .forEach(
                p -> {
                  try {
                    out.put(p, Files.size(p));
                  } catch (java.io.IOException gone) {
                    // removed meanwhile by another process
                  }
                });
      } catch (java.io.UncheckedIOException unreadable) {
        // a folder another process owns
      }
    }
    return out;
  }

  @Test
  void everyErrorClassGivesItsStatusAndJsonAndLeavesNoFile() throws Exception {
    Set<Path> before = files().keySet();
    try (ArmServer s =
        ArmServer.start(engine, ServerOptions.local(0, 1).withLimits(1 << 20, 20_000))) {
      assertRefused(post(s, "k=x", png), 400, ApiError.BAD_PARAMETER);
      assertRefused(post(s, "", new byte[0]), 400, ApiError.EMPTY_BODY);
      assertRefused(post(s, "", "GIF89a not served".getBytes()), 415, ApiError.NOT_AN_IMAGE);
      ByteArrayOutputStream small = new ByteArrayOutputStream();
      ImageFiles.writeImage(
          DecodedImage.of(input.rgb().crop(0, 0, 100, 100)), ImageFormat.PNG, 95, "x", small);
      byte[] cut = java.util.Arrays.copyOf(small.toByteArray(), small.size() / 2);
      assertRefused(post(s, "", cut), 422, ApiError.BAD_IMAGE);
      assertRefused(post(s, "", png), 413, ApiError.TOO_LARGE); // 24,576 pixels > 20,000
      assertRefused(post(s, "", new byte[(1 << 20) + 1]), 413, ApiError.TOO_LARGE);
      assertRefused(send(s, "GET", "/v2"), 404, ApiError.NOT_FOUND);
      assertRefused(send(s, "PUT", "/v1/upscale"), 405, ApiError.METHOD_NOT_ALLOWED);
    }
    Set<Path> after = new TreeSet<>(files().keySet());
    after.removeAll(before);
    assertEquals(Set.of(), after, "files written by the refused requests");
    assertFalse(before.isEmpty());
  }
}

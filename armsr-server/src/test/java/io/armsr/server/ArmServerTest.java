package io.armsr.server;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageFormat;
import io.armsr.imagefile.ReadLimits;
import io.armsr.infer.ArmModel;
import io.armsr.infer.Calibrator;
import io.armsr.infer.ImageUpscale;
import io.armsr.infer.OutputSize;
import io.armsr.infer.PatchGrid;
import io.armsr.infer.ProgressiveUpscaler;
import io.armsr.infer.RoutingMask;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.route.Batching;
import io.armsr.route.RoutingMode;
import io.armsr.route.TimeModel;
import io.armsr.testing.Shared;
import java.io.ByteArrayOutputStream;
import java.math.BigDecimal;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The service end to end: a real server on an ephemeral loopback port over the embedded default
 * model, called with {@link HttpClient}. Every image answered is compared byte for byte with what
 * the core engine writes for the same options ({@link ImageUpscale}, the path {@code armsr upscale}
 * takes; {@code ServeCommandTest} in armsr-cli compares with the command itself), and every refusal
 * with its status and JSON.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ArmServerTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();

  private static ArmModel model;
  private static Upscaler engine;
  private static ArmServer server;
  private static byte[] png;
  private static DecodedImage input;

  @BeforeAll
  static void start() throws Exception {
    model = ArmModel.loadDefault(Backbone.FSRCNN);
    engine = new Upscaler(model, Upscaler.Options.defaults());
    server = ArmServer.start(engine, ServerOptions.local(0, 2));
    png = Files.readAllBytes(Shared.inRepo("examples/kodim23-lr.png"));
    input = ImageFiles.readImage(png, "in.png", ReadLimits.DEFAULT);
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
    if (model != null) {
      model.close();
    }
  }

  private static TimeModel time;

  /** This machine's time model, measured once per test JVM (briefly: small images, 2 repeats). */
  static synchronized TimeModel timeModel() {
    if (time == null) {
      time = Calibrator.measure(engine, Batching.Path.STREAMING, 64, 2, 1).time();
    }
    return time;
  }

  static HttpResponse<byte[]> post(ArmServer s, String query, byte[] body) throws Exception {
    return sendRetryingClosed(
        HttpRequest.newBuilder(
                s.uri().resolve("/v1/upscale" + (query.isEmpty() ? "" : "?" + query)))
            .timeout(Duration.ofMinutes(2))
            .POST(HttpRequest.BodyPublishers.ofByteArray(body))
            .build());
  }

  static HttpResponse<byte[]> send(ArmServer s, String method, String path) throws Exception {
    return sendRetryingClosed(
        HttpRequest.newBuilder(s.uri().resolve(path))
            .timeout(Duration.ofMinutes(1))
            .method(method, HttpRequest.BodyPublishers.noBody())
            .build());
  }

  /**
   * Sends a request, again once if the pooled connection it went out on turned out closed before
   * any answer byte came back ("header parser received no bytes"): Java's client, unlike browsers
   * and curl, does not retry a POST on a kept-alive connection that the other side closed as the
   * request left (a CI run saw it once in the error-class test). Any answer, and every other
   * failure, is the test's to judge.
   */
  private static HttpResponse<byte[]> sendRetryingClosed(HttpRequest request) throws Exception {
    try {
      return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    } catch (java.io.IOException e) {
      if (e.getMessage() == null || !e.getMessage().contains("received no bytes")) {
        throw e;
      }
      return HTTP.send(request, HttpResponse.BodyHandlers.ofByteArray());
    }
  }

  /** The file the engine writes for {@code mode} (x4 unless {@code size}), as bytes. */
  static byte[] reference(
      RoutingMode mode, ProgressiveUpscaler.Stop anytime, OutputSize size, ImageFormat f, int q)
      throws Exception {
    ImageUpscale up = ImageUpscale.of(engine, input, mode, anytime, size);
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ImageFiles.writeImage(up.output(), f, q, "x", out);
    return out.toByteArray();
  }

  private static String header(HttpResponse<?> r, String name) {
    return r.headers().firstValue(name).orElse(null);
  }

  /** Asserts a JSON refusal: status, code, a message, and nothing like a stack trace. */
  static JsonNode assertRefused(HttpResponse<byte[]> r, int status, String code) throws Exception {
    String body = new String(r.body(), java.nio.charset.StandardCharsets.UTF_8);
    assertEquals(status, r.statusCode(), body);
    assertTrue(header(r, "Content-Type").startsWith("application/json"), header(r, "Content-Type"));
    JsonNode j = JSON.readTree(body);
    assertEquals(code, j.get("error").asText(), body);
    assertFalse(j.get("message").asText().isBlank(), body);
    assertFalse(
        body.contains("Exception") || body.contains("\tat ") || body.contains("at io."), body);
    assertEquals(2, j.size(), body);
    return j;
  }

  @Test
  void theImageIsTheEnginesFileByteForByte() throws Exception {
    HttpResponse<byte[]> r = post(server, "k=2", png);
    assertEquals(200, r.statusCode());
    assertEquals("image/png", header(r, "Content-Type"));
    assertArrayEquals(
        reference(new RoutingMode.Tradeoff(2), null, OutputSize.X4, ImageFormat.PNG, 95), r.body());
    // and the headers say how: 7x5 patches of 28 for the 192x128 example
    ImageUpscale up =
        ImageUpscale.of(engine, input, new RoutingMode.Tradeoff(2), null, OutputSize.X4);
    int[] c = up.routing().classes();
    assertEquals(PatchGrid.full(192, 128).size(), Integer.parseInt(header(r, "X-Armsr-Patches")));
    assertEquals(c[0] + "," + c[1] + "," + c[2] + "," + c[3], header(r, "X-Armsr-Subnets"));
    assertEquals("k2.0", header(r, "X-Armsr-Routing"));
    assertEquals("false", header(r, "X-Armsr-Anytime"));
    assertEquals("768x512", header(r, "X-Armsr-Size"));
    assertEquals(
        String.format(java.util.Locale.ROOT, "%.3f", up.routing().meanFlops() / 1e6),
        header(r, "X-Armsr-Mflops-Per-Patch"));
    assertTrue(
        header(r, "Server-Timing")
            .matches(
                "queue;dur=[0-9.]+, decode;dur=[0-9.]+, upscale;dur=[0-9.]+, encode;dur=[0-9.]+"));
    // The decoded pixels are the x4 SR image.
    DecodedImage got = ImageFiles.readImage(r.body(), "got.png", ReadLimits.DEFAULT);
    assertArrayEquals(up.sr().pixels(), got.rgb().pixels());
  }

  @Test
  void formatSizeAndMaskAreTheEngines() throws Exception {
    HttpResponse<byte[]> jpg = post(server, "budget=0.5&format=jpg&quality=80", png);
    assertEquals(200, jpg.statusCode());
    assertEquals("image/jpeg", header(jpg, "Content-Type"));
    assertArrayEquals(
        reference(new RoutingMode.Budget(0.5), null, OutputSize.X4, ImageFormat.JPEG, 80),
        jpg.body());

    HttpResponse<byte[]> half = post(server, "subnet=3&scale=2", png);
    assertEquals(200, half.statusCode());
    assertEquals("384x256", header(half, "X-Armsr-Size"));
    assertArrayEquals(
        reference(
            new RoutingMode.Fixed(3),
            null,
            new OutputSize(new BigDecimal("2"), null, null),
            ImageFormat.PNG,
            95),
        half.body());

    HttpResponse<byte[]> mask = post(server, "best&mask", png);
    assertEquals(200, mask.statusCode());
    assertEquals("image/png", header(mask, "Content-Type"));
    ImageUpscale up = ImageUpscale.of(engine, input, new RoutingMode.Best(), null, OutputSize.X4);
    Rgb8Image expected = RoutingMask.withLegend(up.sr(), up.routing(), Backbone.FSRCNN);
    Rgb8Image got = ImageFiles.readImage(mask.body(), "mask.png", ReadLimits.DEFAULT).rgb();
    assertEquals(expected.width(), got.width());
    assertEquals(expected.height(), got.height());
    assertArrayEquals(expected.pixels(), got.pixels());
  }

  @Test
  void theOutputTakesTheInputsFormat() throws Exception {
    for (ImageFormat f : List.of(ImageFormat.JPEG, ImageFormat.BMP, ImageFormat.TIFF)) {
      ByteArrayOutputStream file = new ByteArrayOutputStream();
      ImageFiles.writeImage(input, f, 90, "in", file);
      DecodedImage in = ImageFiles.readImage(file.toByteArray(), "in", ReadLimits.DEFAULT);
      HttpResponse<byte[]> r = post(server, "subnet=1", file.toByteArray());
      assertEquals(200, r.statusCode(), f.toString());
      assertEquals(f.mediaType, header(r, "Content-Type"));
      ByteArrayOutputStream expected = new ByteArrayOutputStream();
      ImageFiles.writeImage(
          ImageUpscale.of(engine, in, new RoutingMode.Fixed(1), null, OutputSize.X4).output(),
          f,
          95,
          "x",
          expected);
      assertArrayEquals(expected.toByteArray(), r.body(), f.toString());
    }
  }

  @Test
  void aDeadlineOfZeroAnswersTheBicubicImage() throws Exception {
    HttpResponse<byte[]> r = post(server, "deadline-ms=0", png);
    assertEquals(200, r.statusCode());
    assertEquals("true", header(r, "X-Armsr-Anytime"));
    assertEquals("35,0,0,0", header(r, "X-Armsr-Subnets"));
    assertArrayEquals(
        reference(
            new RoutingMode.Tradeoff(4),
            ProgressiveUpscaler.Stop.deadline(0),
            OutputSize.X4,
            ImageFormat.PNG,
            95),
        r.body());
    // A deadline never reached: the any-time upscale runs to the end of its routing.
    HttpResponse<byte[]> all = post(server, "deadline-ms=600000", png);
    assertEquals(200, all.statusCode());
    assertArrayEquals(
        reference(
            new RoutingMode.Tradeoff(4),
            ProgressiveUpscaler.Stop.never(),
            OutputSize.X4,
            ImageFormat.PNG,
            95),
        all.body());
  }

  /** The events of a {@code text/event-stream} body: name and JSON data, in order. */
  static List<java.util.Map.Entry<String, JsonNode>> events(List<String> lines) throws Exception {
    List<java.util.Map.Entry<String, JsonNode>> out = new ArrayList<>();
    String event = null;
    for (String line : lines) {
      if (line.startsWith("event: ")) {
        event = line.substring(7);
      } else if (line.startsWith("data: ")) {
        out.add(java.util.Map.entry(event, JSON.readTree(line.substring(6))));
      }
    }
    return out;
  }

  static byte[] fromDataUrl(String url, String mediaType) {
    String prefix = "data:" + mediaType + ";base64,";
    assertTrue(url.startsWith(prefix), url.substring(0, Math.min(40, url.length())));
    return java.util.Base64.getDecoder().decode(url.substring(prefix.length()));
  }

  @Test
  void eventsShowTheUpscaleAsItGoesAndEndWithTheImage() throws Exception {
    HttpResponse<java.util.stream.Stream<String>> r =
        HTTP.send(
            HttpRequest.newBuilder(server.uri().resolve("/v1/upscale/events?k=2"))
                .timeout(Duration.ofMinutes(2))
                .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                .build(),
            HttpResponse.BodyHandlers.ofLines());
    assertEquals(200, r.statusCode());
    assertTrue(header(r, "Content-Type").startsWith("text/event-stream"));
    List<java.util.Map.Entry<String, JsonNode>> events = events(r.body().toList());
    int[] c =
        ImageUpscale.of(engine, input, new RoutingMode.Tradeoff(2), null, OutputSize.X4)
            .routing()
            .classes();
    int planned = 35 - c[0];
    java.util.Map.Entry<String, JsonNode> last = events.get(events.size() - 1);
    assertEquals("done", last.getKey());
    List<JsonNode> progress =
        events.stream().filter(e -> e.getKey().equals("progress")).map(e -> e.getValue()).toList();
    assertEquals(events.size() - 1, progress.size());
    // batches of about 4, then 8 patches (docs/DESIGN.md, ProgressiveUpscaler), up to planned
    int before = 0;
    for (JsonNode p : progress) {
      assertEquals(planned, p.get("planned").asInt());
      assertTrue(p.get("upgraded").asInt() > before, p.toString());
      before = p.get("upgraded").asInt();
    }
    // The first batch is small (4 patches, or the first shared window if it is larger).
    int first = progress.get(0).get("upgraded").asInt();
    assertTrue(first >= 1 && first <= planned, "first batch " + first);
    assertEquals(planned, before);
    // the first batch comes with a preview of the image so far
    byte[] preview = fromDataUrl(progress.get(0).get("image").asText(), "image/png");
    assertEquals(768, ImageFiles.readImage(preview, "p.png", ReadLimits.DEFAULT).width());
    JsonNode done = last.getValue();
    assertEquals("k2.0", done.get("routing").asText());
    assertTrue(done.get("anytime").asBoolean());
    assertEquals(35, done.get("patches").asInt());
    for (int j = 0; j < 4; j++) {
      assertEquals(c[j], done.get("subnets").get(j).asInt());
    }
    assertArrayEquals(
        reference(
            new RoutingMode.Tradeoff(2),
            ProgressiveUpscaler.Stop.never(),
            OutputSize.X4,
            ImageFormat.PNG,
            95),
        fromDataUrl(done.get("image").asText(), "image/png"));

    // Refused before the stream starts: the usual status and JSON.
    HttpResponse<byte[]> bad = post(server, "k=abc", png);
    assertRefused(bad, 400, ApiError.BAD_PARAMETER);
    HttpResponse<byte[]> mask =
        HTTP.send(
            HttpRequest.newBuilder(server.uri().resolve("/v1/upscale/events?mask"))
                .POST(HttpRequest.BodyPublishers.ofByteArray(png))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertRefused(mask, 400, ApiError.BAD_PARAMETER);
  }

  @Test
  void aClientThatGoesStopsTheUpscaleAndFreesItsSlot() throws Exception {
    Admission a = new Admission(new SloPolicy(1, 0, 1000));
    UpscaleService service = new UpscaleService(engine, a, ServerOptions.local(0, 1));
    int[] batches = {0};
    assertThrows(
        java.io.UncheckedIOException.class,
        () ->
            service.upscale(
                png,
                UpscaleRequest.parse(java.util.Map.of()),
                System.nanoTime(),
                (upgraded, planned, ms, image) -> {
                  batches[0]++;
                  throw new java.io.UncheckedIOException(new java.io.IOException("gone"));
                }));
    assertEquals(1, batches[0]);
    assertEquals(0, a.running());
    assertEquals(0, a.queued());
  }

  @Test
  void badRequestsAreRefusedWithTheirStatusAndJson() throws Exception {
    String[][] params = {
      {"k=abc", "k must be a number, got 'abc'"},
      {"k=-1", "k must be a positive finite number, got -1.0"},
      {"subnet=4", "subnet must be 0..3, got 4"},
      {"subnet=1&k=2", "subnet, k are mutually exclusive (give at most one)"},
      {"k=1&k=2", "parameter 'k' is given more than once"},
      {"budjet=0.5", null},
      {
        "budget-ms=40",
        "budget-ms needs this machine's time model, and this server has none"
            + " (armsr serve measures one at start-up)"
      },
      {"auto&k=2", "auto and k2.0 are mutually exclusive (auto is the server's routing)"},
      {"grid=hex", "grid must be full or reference, got 'hex'"},
      {"deadline-ms=-5", "deadline-ms must be >= 0, got -5.0"},
      {"format=webp", "format must be png, jpg, bmp or tif, got 'webp'"},
      {"quality=0", "quality must be an integer 1..100, got 0"},
      {"scale=5", "scale must be more than 1 and at most 4, got 5"},
      {"scale=2&width=10", null},
      {"width=1000", null},
      {"mask=yes", "mask takes no value (or true/false), got 'yes'"},
    };
    for (String[] p : params) {
      JsonNode j = assertRefused(post(server, p[0], png), 400, ApiError.BAD_PARAMETER);
      if (p[1] != null) {
        assertEquals(p[1], j.get("message").asText(), p[0]);
      }
    }
    assertTrue(
        assertRefused(post(server, "budjet=0.5", png), 400, ApiError.BAD_PARAMETER)
            .get("message")
            .asText()
            .startsWith(
                "unknown parameter 'budjet' (known: auto, best, budget, budget-ms, deadline-ms"));
    assertTrue(
        assertRefused(post(server, "width=1000", png), 400, ApiError.BAD_PARAMETER)
            .get("message")
            .asText()
            .contains("larger than x4 of the input (768x512)"));

    assertRefused(post(server, "", new byte[0]), 400, ApiError.EMPTY_BODY);
    JsonNode text = assertRefused(post(server, "", "hello".getBytes()), 415, ApiError.NOT_AN_IMAGE);
    assertEquals(
        "the body is not an image this server reads (PNG, JPEG, BMP, TIFF or WebP, told by its"
            + " first bytes)",
        text.get("message").asText());
    JsonNode cut =
        assertRefused(
            post(server, "", Arrays.copyOf(png, png.length / 2)), 422, ApiError.BAD_IMAGE);
    assertTrue(cut.get("message").asText().contains("corrupt or truncated PNG"), cut.toString());

    assertRefused(send(server, "GET", "/v1/upscale"), 405, ApiError.METHOD_NOT_ALLOWED);
    assertRefused(send(server, "GET", "/nope"), 404, ApiError.NOT_FOUND);
    assertRefused(send(server, "DELETE", "/"), 405, ApiError.METHOD_NOT_ALLOWED);
  }

  @Test
  void hostileBodiesCostLittleAndNeverFailTheServer() throws Exception {
    // A header declaring 60000x60000 pixels over a few bytes of data: refused from the header.
    java.nio.ByteBuffer ihdr = java.nio.ByteBuffer.allocate(13).putInt(60000).putInt(60000);
    ihdr.put((byte) 8).put((byte) 2).put((byte) 0).put((byte) 0).put((byte) 0);
    ByteArrayOutputStream bomb = new ByteArrayOutputStream();
    bomb.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n'});
    bomb.write(io.armsr.testing.FuzzInputs.pngChunk("IHDR", ihdr.array()));
    bomb.write(io.armsr.testing.FuzzInputs.pngChunk("IDAT", new byte[] {0x78, (byte) 0x9c, 3, 0}));
    bomb.write(io.armsr.testing.FuzzInputs.pngChunk("IEND", new byte[0]));
    long t0 = System.nanoTime();
    JsonNode j = assertRefused(post(server, "", bomb.toByteArray()), 413, ApiError.TOO_LARGE);
    assertTrue((System.nanoTime() - t0) / 1e9 < 5, "took too long");
    assertTrue(
        j.get("message").asText().contains("60000x60000 = 3,600,000,000 pixels is over the limit"),
        j.toString());

    // Text chunks that would inflate to 2 GB are never inflated: the image is served.
    byte[] textBombs = io.armsr.testing.FuzzInputs.withTextBombs(png, 2, 1024);
    t0 = System.nanoTime();
    HttpResponse<byte[]> r = post(server, "subnet=0", textBombs);
    assertEquals(200, r.statusCode());
    assertTrue((System.nanoTime() - t0) / 1e9 < 10, "took too long");

    // Corrupted files: each is an image (200), a bad image (422) or, its declared size edited, too
    // large (413); never a server error.
    for (io.armsr.testing.FuzzInputs.Case c : io.armsr.testing.FuzzInputs.mutate(png, 24, 7)) {
      HttpResponse<byte[]> f = post(server, "subnet=0", c.bytes());
      if (f.statusCode() == 413) {
        assertRefused(f, 413, ApiError.TOO_LARGE);
      } else if (f.statusCode() == 415) {
        assertRefused(f, 415, ApiError.NOT_AN_IMAGE); // its first bytes edited
      } else if (f.statusCode() != 200) {
        assertRefused(f, 422, ApiError.BAD_IMAGE);
      }
    }
    assertEquals(200, post(server, "subnet=0", png).statusCode());
  }

  @Test
  void limitsAreRefusedAsTooLarge() throws Exception {
    try (ArmServer small =
        ArmServer.start(engine, ServerOptions.local(0, 1).withLimits(png.length - 1, 1 << 20))) {
      JsonNode j = assertRefused(post(small, "", png), 413, ApiError.TOO_LARGE);
      assertEquals(
          "the body is "
              + png.length
              + " bytes, more than this server's limit of "
              + (png.length - 1)
              + " bytes",
          j.get("message").asText());
    }
    try (ArmServer few =
        ArmServer.start(engine, ServerOptions.local(0, 1).withLimits(1 << 20, 20_000))) {
      JsonNode j = assertRefused(post(few, "", png), 413, ApiError.TOO_LARGE);
      assertTrue(
          j.get("message")
              .asText()
              .contains("192x128 = 24,576 pixels is over the limit of 20,000 pixels"),
          j.toString());
      // A smaller image is served as usual.
      ByteArrayOutputStream small = new ByteArrayOutputStream();
      ImageFiles.writeImage(
          DecodedImage.of(input.rgb().crop(0, 0, 100, 100)), ImageFormat.PNG, 95, "x", small);
      HttpResponse<byte[]> r = post(few, "", small.toByteArray());
      assertEquals(200, r.statusCode());
      assertEquals("400x400", header(r, "X-Armsr-Size"));
    }
  }

  @Test
  void loadIsRefusedAtOnceOrWithinTheDeadline() throws Exception {
    try (ArmServer one = ArmServer.start(engine, ServerOptions.local(0, 1).withMaxQueue(0))) {
      Admission.Permit held = one.admission().enter(null);
      try {
        HttpResponse<byte[]> r = post(one, "", png);
        assertRefused(r, 503, ApiError.OVERLOADED);
        assertEquals("1", header(r, "Retry-After"));
      } finally {
        held.close();
      }
      assertEquals(200, post(one, "", png).statusCode());
    }
    try (ArmServer queued = ArmServer.start(engine, ServerOptions.local(0, 1).withMaxQueue(4))) {
      assertEquals(200, post(queued, "", png).statusCode()); // now it knows a request's time
      assertTrue(queued.admission().serviceMs() > 0);
      try (Admission.Permit held = queued.admission().enter(null)) {
        // A deadline shorter than the predicted wait: refused at once, not after it.
        long t0 = System.nanoTime();
        HttpResponse<byte[]> r = post(queued, "deadline-ms=1", png);
        assertTrue((System.nanoTime() - t0) / 1e6 < 1000);
        JsonNode j = assertRefused(r, 503, ApiError.SLO_UNREACHABLE);
        assertTrue(
            j.get("message")
                .asText()
                .startsWith("not even the bicubic image can be served in time"),
            j.toString());
        assertTrue(Integer.parseInt(header(r, "Retry-After")) >= 1);
      }
      try (Admission.Permit held = queued.admission().enter(null)) {
        long t0 = System.nanoTime();
        HttpResponse<byte[]> r = post(queued, "deadline-ms=1500", png);
        double ms = (System.nanoTime() - t0) / 1e6;
        JsonNode j = assertRefused(r, 503, ApiError.DEADLINE);
        // it waits the deadline less the recent decode and encode time (SloPolicy's floor)
        // (the example's floor is its decoding and encoding, well under 500 ms)
        assertTrue(ms >= 1000 && ms < 5000, ms + " ms");
        assertTrue(
            j.get("message").asText().contains("within the time the request had (waited "),
            j.toString());
      }
    }
  }

  @Test
  void infoHealthAndMetricsTellWhatHappened() throws Exception {
    try (ArmServer s =
        ArmServer.start(engine, ServerOptions.local(0, 1).withSloMs(5000), timeModel())) {
      s.warmUp(1); // outside the admission and the metrics
      assertEquals(0, s.admission().serviceMs());
      assertEquals(200, post(s, "", png).statusCode());
      assertEquals(400, post(s, "k=x", png).statusCode());
      JsonNode info = JSON.readTree(send(s, "GET", "/v1/info").body());
      assertEquals("fsrcnn", info.get("backbone").asText());
      assertEquals("full", info.get("grid").asText());
      assertEquals(1, info.get("workers").asInt());
      assertEquals(5000.0, info.get("sloMs").asDouble());
      JsonNode health = JSON.readTree(send(s, "GET", "/healthz").body());
      assertEquals("ok", health.get("status").asText());
      assertEquals(0, health.get("running").asInt());
      String metrics = new String(send(s, "GET", "/metrics").body());
      assertTrue(
          metrics.contains(
              "armsr_upscale_latency_seconds_count{route=\"/v1/upscale\",status=\"200\"} 1"),
          metrics);
      assertTrue(
          metrics.contains(
              "armsr_upscale_latency_seconds_count{route=\"/v1/upscale\",status=\"400\"} 1"),
          metrics);
      assertTrue(
          metrics.contains(
              "armsr_upscale_latency_seconds_bucket{route=\"/v1/upscale\",status=\"200\",le=\"5.0\"} 1"),
          metrics);
      assertTrue(
          metrics.contains(
              "armsr_http_requests_total{method=\"POST\",route=\"/v1/upscale\",status=\"200\"} 1.0"),
          metrics);
      assertTrue(
          metrics.contains(
              "armsr_http_requests_total{method=\"GET\",route=\"/v1/info\",status=\"200\"} 1.0"),
          metrics);
      assertTrue(metrics.contains("armsr_rejections_total{reason=\"bad_parameter\"} 1.0"), metrics);
      assertTrue(metrics.contains("armsr_workers_busy 0.0"), metrics);
      assertTrue(metrics.contains("armsr_queue_depth 0.0"), metrics);
      assertTrue(metrics.contains("armsr_flops_share_count 1"), metrics);
      assertTrue(metrics.contains("armsr_ready 1.0"), metrics);
      String page = new String(send(s, "GET", "/").body());
      assertTrue(page.contains("<title>armsr: any-time super-resolution</title>"));
    }
  }
}

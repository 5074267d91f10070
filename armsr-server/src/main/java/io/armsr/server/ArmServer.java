package io.armsr.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.armsr.format.Software;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageFormat;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The armsr HTTP service: one model and one engine shared by every request (Javalin on Jetty 12).
 *
 * <p>The routes, all in {@link #routes}; each handler translates HTTP to a call and back:
 *
 * <ul>
 *   <li>{@code GET /}: the web page (upload an image, choose the routing, see the result, the
 *       routing mask and how long each step took);
 *   <li>{@code POST /v1/upscale}: the body is an image file (PNG, JPEG, BMP, TIFF, WebP), the query
 *       string the options ({@link UpscaleRequest}); the answer is the upscaled image file, with
 *       its routing in {@code X-Armsr-*} headers and its timings in {@code Server-Timing};
 *   <li>{@code POST /v1/upscale/events}: the same request answered as server-sent events while the
 *       any-time upscale runs: {@code progress} after every batch (patches upgraded of those
 *       planned, the time, and at most every {@value #PREVIEW_MS} ms, or less often when making one
 *       is slow, the image so far as a PNG data URL), then {@code done} (the routing, timings and
 *       the final image file as a data URL), or {@code error}. A client that goes away stops the
 *       upscale and frees its slot;
 *   <li>{@code GET /v1/info}: the model, engine and limits, as JSON;
 *   <li>{@code GET /health}: {@code {"status": "ok"}} and the load now;
 *   <li>{@code GET /metrics}: Prometheus text ({@link ServerMetrics}).
 * </ul>
 *
 * <p>Every refusal is JSON {@code {"error": code, "message": text}} with its status ({@link
 * ApiError}): 400 bad parameter or empty body, 404, 405, 413 too large, 422 not a readable image,
 * 503 overloaded or past its deadline (with {@code Retry-After}), and 500 for a bug, whose stack
 * trace goes to the server's stderr only. A body is read at most to the byte limit and kept in
 * memory: no request writes a file.
 */
public final class ArmServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  private final ServerOptions options;
  private final Admission admission;
  private final UpscaleService service;
  private final ServerMetrics metrics;
  private final String page;
  private final AtomicLong internalErrors = new AtomicLong();
  private final Javalin app;

  private ArmServer(Upscaler engine, ServerOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.admission =
        new Admission(
            new SloPolicy(options.concurrency(), options.maxQueue(), options.queueTimeoutMs()));
    this.service = new UpscaleService(engine, admission, options);
    this.metrics = new ServerMetrics(admission, options.sloMs());
    this.page = resource("index.html");
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.jetty.host = options.host();
              config.jetty.port = options.port();
              config.http.maxRequestSize = options.maxBodyBytes();
              config.http.prefer405over404 = true;
              routes(config.routes);
            });
  }

  /** The route table. */
  private void routes(io.javalin.config.RoutesConfig r) {
    r.get("/", ctx -> ctx.html(page));
    r.post("/v1/upscale", this::upscale);
    r.post("/v1/upscale/events", this::events);
    r.get("/v1/info", ctx -> json(ctx, 200, info()));
    r.get("/health", ctx -> json(ctx, 200, health()));
    r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.scrape()));
    r.exception(ApiError.class, (e, ctx) -> refuse(ctx, e));
    r.exception(Exception.class, (e, ctx) -> refuse(ctx, internal(e)));
    r.error(404, ctx -> refuse(ctx, notFound(ctx)));
    r.error(405, ctx -> refuse(ctx, methodNotAllowed(ctx)));
  }

  /**
   * Starts a server over {@code engine} (one worker: each request runs on its own thread).
   *
   * @throws IllegalArgumentException for options the engine cannot serve (an SLO without the
   *     any-time mode's grid)
   */
  public static ArmServer start(Upscaler engine, ServerOptions options) {
    ArmServer s = new ArmServer(engine, options);
    s.app.start();
    return s;
  }

  /** The port listened on (the one chosen when {@link ServerOptions#port} is 0). */
  public int port() {
    return app.port();
  }

  /** The base address, e.g. {@code http://127.0.0.1:8080/}. */
  public URI uri() {
    String host = options.host().contains(":") ? "[" + options.host() + "]" : options.host();
    return URI.create("http://" + host + ":" + port() + "/");
  }

  Admission admission() {
    return admission;
  }

  /**
   * Warms the engine up before the first requests ({@link UpscaleService#warmUp}); {@code armsr
   * serve} calls it once it listens.
   */
  public void warmUp(int rounds) throws IOException {
    service.warmUp(rounds);
  }

  @Override
  public void close() {
    app.stop();
  }

  // ------------------------------------------------------------------------------------ handlers

  private void upscale(Context ctx) throws Exception {
    long arrived = System.nanoTime();
    int status = 500;
    try {
      byte[] body = body(ctx); // first: a connection is reused only once its body is read
      UpscaleRequest request = UpscaleRequest.parse(ctx.queryParamMap());
      UpscaleService.Upscaled up = service.upscale(body, request, arrived);
      metrics.queueWait(up.queueMs());
      metrics.routed(up.aboveBicubic(), sum(up.classes()), up.meanFlops());
      headers(ctx, up);
      ctx.contentType(up.format().mediaType).result(up.body());
      status = 200;
    } catch (ApiError e) {
      status = e.status();
      metrics.rejected(e.code());
      throw e;
    } finally {
      metrics.request(status, (System.nanoTime() - arrived) / 1e9);
    }
  }

  /**
   * The least time between two previews of a progressive upscale; also at least {@value
   * #PREVIEW_COST_FACTOR} times what the last preview took to make, so that previews of a large
   * image (a PNG of its x4 canvas each) take at most a fifth of the upscale's time.
   */
  static final long PREVIEW_MS = 250;

  static final long PREVIEW_COST_FACTOR = 4;

  private void events(Context ctx) throws Exception {
    long arrived = System.nanoTime();
    int status = 500;
    EventStream events = new EventStream(ctx.res());
    try {
      byte[] body = body(ctx);
      UpscaleRequest request = UpscaleRequest.parse(ctx.queryParamMap());
      if (request.mask()) {
        throw ApiError.badParameter("mask is not streamed: ask POST /v1/upscale for it");
      }
      long[] nextPreview = {System.nanoTime()}; // the first batch comes with one
      UpscaleService.Upscaled up =
          service.upscale(
              body,
              request,
              arrived,
              (upgraded, planned, elapsedMs, image) -> {
                Map<String, Object> m = new LinkedHashMap<>();
                m.put("upgraded", upgraded);
                m.put("planned", planned);
                m.put("elapsedMs", elapsedMs);
                long now = System.nanoTime();
                if (upgraded < planned && now >= nextPreview[0]) {
                  m.put("image", dataUrl("image/png", preview(image.get())));
                  long cost = System.nanoTime() - now;
                  nextPreview[0] =
                      now + Math.max(PREVIEW_MS * 1_000_000, PREVIEW_COST_FACTOR * cost);
                }
                events.send("progress", m);
              });
      metrics.queueWait(up.queueMs());
      metrics.routed(up.aboveBicubic(), sum(up.classes()), up.meanFlops());
      Map<String, Object> done = new LinkedHashMap<>();
      done.put("routing", up.routing());
      done.put("anytime", up.anytime());
      done.put("patches", sum(up.classes()));
      done.put("subnets", up.classes());
      done.put("mflopsPerPatch", up.meanFlops() / 1e6);
      done.put("size", up.width() + "x" + up.height());
      done.put("queueMs", up.queueMs());
      done.put("decodeMs", up.decodeMs());
      done.put("upscaleMs", up.upscaleMs());
      done.put("encodeMs", up.encodeMs());
      done.put("warnings", up.warnings());
      done.put("image", dataUrl(up.format().mediaType, up.body()));
      events.send("done", done);
      status = 200;
    } catch (ApiError e) {
      status = e.status();
      metrics.rejected(e.code());
      if (!events.started()) {
        throw e;
      }
      events.send("error", errorBody(e));
    } catch (UncheckedIOException e) {
      status = 499; // the client went away: nothing to answer
      metrics.rejected("client_gone");
    } catch (RuntimeException e) {
      if (!events.started()) {
        throw e;
      }
      events.send("error", errorBody(internal(e)));
    } finally {
      metrics.request(status, (System.nanoTime() - arrived) / 1e9);
    }
  }

  private static byte[] preview(Rgb8Image image) {
    try {
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      ImageFiles.writeImage(
          DecodedImage.of(image), ImageFormat.PNG, 95, UpscaleService.UPLOAD, out);
      return out.toByteArray();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String dataUrl(String mediaType, byte[] bytes) {
    return "data:" + mediaType + ";base64," + Base64.getEncoder().encodeToString(bytes);
  }

  /**
   * The request body, read at most to the byte limit, in memory. Beyond the limit the answer is 413
   * and the connection is closed: the rest of the body is not read.
   */
  private byte[] body(Context ctx) throws IOException {
    long max = options.maxBodyBytes();
    long declared = ctx.req().getContentLengthLong();
    if (declared > max) {
      ctx.header("Connection", "close");
      throw tooLarge(declared + " bytes");
    }
    try (InputStream in = ctx.req().getInputStream()) {
      byte[] body = in.readNBytes((int) max + 1);
      if (body.length > max) {
        ctx.header("Connection", "close");
        throw tooLarge("more than " + max + " bytes");
      }
      return body;
    }
  }

  private ApiError tooLarge(String size) {
    return new ApiError(
        413,
        ApiError.TOO_LARGE,
        "the body is "
            + size
            + ", more than this server's limit of "
            + options.maxBodyBytes()
            + " bytes");
  }

  /** The routing and timings of a response, as headers the web page and clients read. */
  private static void headers(Context ctx, UpscaleService.Upscaled up) {
    int[] c = up.classes();
    StringBuilder classes = new StringBuilder();
    for (int j = 0; j < c.length; j++) {
      classes.append(j == 0 ? "" : ",").append(c[j]);
    }
    ctx.header("X-Armsr-Routing", up.routing());
    ctx.header("X-Armsr-Anytime", Boolean.toString(up.anytime()));
    ctx.header("X-Armsr-Patches", Integer.toString(sum(c)));
    ctx.header("X-Armsr-Subnets", classes.toString());
    ctx.header(
        "X-Armsr-Mflops-Per-Patch", String.format(Locale.ROOT, "%.3f", up.meanFlops() / 1e6));
    ctx.header("X-Armsr-Size", up.width() + "x" + up.height());
    ctx.header(
        "Server-Timing",
        String.format(
            Locale.ROOT,
            "queue;dur=%.1f, decode;dur=%.1f, upscale;dur=%.1f, encode;dur=%.1f",
            up.queueMs(),
            up.decodeMs(),
            up.upscaleMs(),
            up.encodeMs()));
    if (!up.warnings().isEmpty()) {
      // Header values are ASCII: anything else (a file name's letters) becomes '?'.
      ctx.header(
          "X-Armsr-Warning", String.join(" | ", up.warnings()).replaceAll("[^\\x20-\\x7e]", "?"));
    }
  }

  private Map<String, Object> info() {
    Upscaler.Options e = service.upscaler().options();
    Backbone b = service.upscaler().model().backbone();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("software", Software.NAME_AND_VERSION);
    m.put("backbone", b.id());
    m.put("widths", b.widths());
    m.put("grid", e.grid().id());
    m.put("margin", e.effectiveMargin());
    m.put("batch", e.batchSize());
    m.put("concurrency", options.concurrency());
    m.put("maxQueue", options.maxQueue());
    m.put("sloMs", options.sloMs());
    m.put("queueTimeoutMs", options.queueTimeoutMs());
    m.put("maxBodyBytes", options.maxBodyBytes());
    m.put("maxPixels", options.maxPixels());
    m.put("parameters", UpscaleRequest.NAMES);
    return m;
  }

  private Map<String, Object> health() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", "ok");
    m.put("running", admission.running());
    m.put("queued", admission.queued());
    return m;
  }

  // -------------------------------------------------------------------------------------- errors

  private static void refuse(Context ctx, ApiError e) {
    if (e.retryAfterSeconds() > 0) {
      ctx.header("Retry-After", Integer.toString(e.retryAfterSeconds()));
    }
    json(ctx, e.status(), errorBody(e));
  }

  /** Every refusal's body: {@code {"error": code, "message": text}}. */
  private static Map<String, Object> errorBody(ApiError e) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("error", e.code());
    m.put("message", e.getMessage());
    return m;
  }

  /** A bug: logged with its stack trace here, answered with an id to find it by. */
  private ApiError internal(Exception e) {
    long id = internalErrors.incrementAndGet();
    System.err.println("armsr serve: internal error #" + id + ":");
    e.printStackTrace();
    return new ApiError(
        500, ApiError.INTERNAL, "internal error #" + id + " (the server's log has the details)");
  }

  private static ApiError notFound(Context ctx) {
    return new ApiError(
        404,
        ApiError.NOT_FOUND,
        "no such resource: " + ctx.path() + " (see GET /v1/info; upscaling is POST /v1/upscale)");
  }

  private static ApiError methodNotAllowed(Context ctx) {
    return new ApiError(
        405,
        ApiError.METHOD_NOT_ALLOWED,
        ctx.method() + " is not allowed on " + ctx.path() + " (upscaling is POST /v1/upscale)");
  }

  private static void json(Context ctx, int status, Object value) {
    try {
      ctx.status(status).contentType("application/json").result(JSON.writeValueAsBytes(value));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int sum(int[] a) {
    int s = 0;
    for (int v : a) {
      s += v;
    }
    return s;
  }

  private static String resource(String name) {
    try (InputStream in = ArmServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource io/armsr/server/" + name);
      }
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

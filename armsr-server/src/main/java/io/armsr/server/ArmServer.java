package io.armsr.server;

import com.fasterxml.jackson.databind.ObjectMapper;
import io.armsr.format.Software;
import io.armsr.image.Rgb8Image;
import io.armsr.imagefile.DecodedImage;
import io.armsr.imagefile.ImageFiles;
import io.armsr.imagefile.ImageFormat;
import io.armsr.infer.Calibrator;
import io.armsr.infer.Upscaler;
import io.armsr.model.Backbone;
import io.armsr.model.EngineThreads;
import io.armsr.route.Batching;
import io.armsr.route.TimeModel;
import io.javalin.Javalin;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.handler.GracefulHandler;

/**
 * The armsr HTTP service: one model and one engine shared by every request (Javalin on Jetty 12).
 *
 * <p>The routes, all in {@link #routes}; each handler translates HTTP to a call and back:
 *
 * <ul>
 *   <li>{@code GET /}: the web page (choose or drop an image, the budget or {@code auto}, a
 *       before/after slider against bicubic, the routing mask, the routing summary, a download, and
 *       the any-time refinement as it happens);
 *   <li>{@code POST /v1/upscale}: the body is an image file (PNG, JPEG, BMP, TIFF, WebP, told by
 *       its bytes), the query string the options ({@link UpscaleRequest}); the answer is the
 *       upscaled image file, with its routing in {@code X-Armsr-*} headers and its timings in
 *       {@code Server-Timing};
 *   <li>{@code POST /v1/upscale/events}: the same request answered as server-sent events while the
 *       any-time upscale runs: {@code start} with the bicubic image at once, {@code progress} after
 *       every batch (patches upgraded of those planned, the time, and at most every {@value
 *       #PREVIEW_MS} ms, or less often when making one is slow, the image so far as a PNG data
 *       URL), then {@code done} (the routing, timings and the final image file as a data URL), or
 *       {@code error}. A client that goes away stops the upscale and frees its worker;
 *   <li>{@code GET /v1/info}: the model, engine, limits and SLO, as JSON;
 *   <li>{@code GET /healthz}: the process is up ({@code {"status": "ok"}} and the load now); {@code
 *       GET /readyz}: 200 once the model is loaded, the time model measured and the engine warm,
 *       503 before;
 *   <li>{@code GET /metrics}: Prometheus text ({@link ServerMetrics});
 *   <li>{@code GET /openapi.json}: the API as OpenAPI 3.0.
 * </ul>
 *
 * <p>Every refusal is JSON {@code {"error": code, "message": text}} with its status ({@link
 * ApiError}): 400 bad parameter or empty body, 401 without the API key, 404, 405, 408 an upload too
 * slow, 413 too large, 415 not an image, 422 a corrupt image, 503 overloaded, past the SLO,
 * starting or stopping (with {@code Retry-After}), and 500 for a bug, whose stack trace goes to the
 * server's stderr only. A body is read at most to the byte limit and kept in memory: no request
 * writes a file.
 *
 * <p>{@link #close} stops gracefully: new connections are refused, requests in flight get up to
 * {@link ServerOptions#graceMs} to finish (Jetty's {@code GracefulHandler}).
 */
public final class ArmServer implements AutoCloseable {

  private static final ObjectMapper JSON = new ObjectMapper();

  /** The routes, for the request counter's {@code route} label and the OpenAPI test. */
  static final Set<String> ROUTES =
      Set.of(
          "/",
          "/v1/upscale",
          "/v1/upscale/events",
          "/v1/info",
          "/healthz",
          "/readyz",
          "/metrics",
          "/openapi.json");

  /** Routes open without the API key: the page itself, the probes and the API's description. */
  static final Set<String> OPEN = Set.of("/", "/healthz", "/readyz", "/openapi.json");

  /** Side of the largest synthetic image of the start-up calibration ({@link #prepare}). */
  static final int CALIBRATION_SIDE = 128;

  /** Timed runs per routing of the start-up calibration. */
  static final int CALIBRATION_REPEATS = 3;

  private final ServerOptions options;
  private final Admission admission;
  private final UpscaleService service;
  private final ServerMetrics metrics;
  private final String page;
  private final byte[] openApi;
  private final AtomicLong internalErrors = new AtomicLong();
  private final Javalin app;
  private volatile boolean ready;
  private volatile boolean stopping;

  private ArmServer(Upscaler engine, ServerOptions options) {
    this.options = Objects.requireNonNull(options, "options");
    this.admission =
        new Admission(
            new SloPolicy(options.workers(), options.maxQueue(), options.queueTimeoutMs()));
    this.service = new UpscaleService(engine, admission, options);
    this.metrics =
        new ServerMetrics(
            admission,
            options.sloMs(),
            engine.model().backbone(),
            service::timeRatio,
            () -> ready ? 1 : 0);
    this.page = new String(resource("index.html"), StandardCharsets.UTF_8);
    this.openApi = resource("openapi.json");
    this.app =
        Javalin.create(
            config -> {
              config.startup.showJavalinBanner = false;
              config.startup.showOldJavalinVersionWarning = false;
              config.http.maxRequestSize = options.maxBodyBytes();
              config.http.prefer405over404 = true;
              config.jetty.addConnector(
                  (server, http) -> {
                    ServerConnector c =
                        new ServerConnector(server, new HttpConnectionFactory(http));
                    c.setHost(options.host());
                    c.setPort(options.port());
                    // A connection that sends nothing for this long (a stalled upload) is closed.
                    c.setIdleTimeout((long) options.readTimeoutMs());
                    return c;
                  });
              config.jetty.modifyServer(
                  server -> {
                    server.setStopTimeout((long) options.graceMs());
                    server.setHandler(new GracefulHandler());
                  });
              routes(config.routes);
            });
  }

  /** The route table. */
  private void routes(io.javalin.config.RoutesConfig r) {
    r.before(this::admit);
    r.get("/", ctx -> ctx.html(page));
    r.post("/v1/upscale", this::upscale);
    r.post("/v1/upscale/events", this::events);
    r.get("/v1/info", ctx -> json(ctx, 200, info()));
    r.get("/healthz", ctx -> json(ctx, 200, health()));
    r.get("/readyz", this::readyz);
    r.get("/metrics", ctx -> ctx.contentType("text/plain; version=0.0.4").result(metrics.scrape()));
    r.get("/openapi.json", ctx -> ctx.contentType("application/json").result(openApi));
    r.after(ctx -> metrics.http(route(ctx.path()), ctx.method().name(), ctx.res().getStatus()));
    r.exception(ApiError.class, (e, ctx) -> refuse(ctx, e));
    r.exception(Exception.class, (e, ctx) -> refuse(ctx, internal(e)));
    r.error(404, ctx -> refuse(ctx, notFound(ctx)));
    r.error(405, ctx -> refuse(ctx, methodNotAllowed(ctx)));
  }

  /**
   * Starts a server over {@code engine}, ready at once (no warm-up).
   *
   * @param time this machine's time model for {@code auto} under an SLO and for {@code budget-ms}
   *     ({@link io.armsr.infer.Calibrator}, or a device profile's); null for none, which only a
   *     server without an SLO may have (it then refuses {@code budget-ms})
   * @throws IllegalArgumentException for options the engine cannot serve
   */
  public static ArmServer start(Upscaler engine, ServerOptions options, TimeModel time) {
    if (options.sloMs() > 0 && time == null) {
      throw new IllegalArgumentException("--slo-ms needs this machine's time model");
    }
    ArmServer s = listen(engine, options);
    if (time != null) {
      s.service.time(time);
    }
    s.ready = true;
    return s;
  }

  /** {@link #start(Upscaler, ServerOptions, TimeModel)} without a time model. */
  public static ArmServer start(Upscaler engine, ServerOptions options) {
    return start(engine, options, null);
  }

  /**
   * Starts a server over {@code engine} that listens but is not ready ({@code /readyz} 503, upscale
   * requests refused with 503 {@code not_ready}) until {@link #prepare}.
   */
  public static ArmServer listen(Upscaler engine, ServerOptions options) {
    ArmServer s = new ArmServer(engine, options);
    s.app.start();
    return s;
  }

  /**
   * Gets the server ready: sets the time model, or measures it when {@code time} is null (a brief
   * calibration of this machine, {@link io.armsr.infer.Calibrator}, on synthetic images of up to
   * {@value #CALIBRATION_SIDE} pixels a side, one libtorch thread as every request runs), warms the
   * engine up ({@link UpscaleService#warmUp}) and then answers requests.
   *
   * @return the time model in use
   */
  public TimeModel prepare(TimeModel time, int warmUpRounds) throws IOException {
    EngineThreads.set(1);
    if (time == null) {
      // Compiled code first: a cold JIT would inflate every coefficient, the routing's most.
      service.warmUp(warmUpRounds);
      service.warmUpRouting();
    }
    TimeModel model =
        time != null
            ? time
            : Calibrator.measure(
                    service.upscaler(),
                    Batching.Path.STREAMING,
                    CALIBRATION_SIDE,
                    CALIBRATION_REPEATS,
                    1)
                .time();
    service.time(model);
    service.warmUp(warmUpRounds);
    ready = true;
    return model;
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

  UpscaleService service() {
    return service;
  }

  /**
   * Warms the engine up before the first requests ({@link UpscaleService#warmUp}); {@link #prepare}
   * calls it.
   */
  public void warmUp(int rounds) throws IOException {
    service.warmUp(rounds);
  }

  /**
   * Stops: refuses new requests (503 {@code shutting_down} on connections already open, no new
   * connections), lets those in flight finish within the grace period, then closes.
   */
  @Override
  public void close() {
    stopping = true;
    app.stop();
  }

  // ------------------------------------------------------------------------------------ handlers

  /** Before every route: stopping, not ready yet, or without the API key: refused. */
  private void admit(Context ctx) {
    ctx.attribute(ARRIVED, System.nanoTime());
    if (stopping) {
      ctx.header("Connection", "close");
      throw new ApiError(
          503, ApiError.SHUTTING_DOWN, "the server is stopping; try again elsewhere", 1);
    }
    if (options.apiKey() != null && !OPEN.contains(ctx.path())) {
      String given = ctx.header("Authorization");
      byte[] expected = ("Bearer " + options.apiKey()).getBytes(StandardCharsets.UTF_8);
      if (given == null
          || !MessageDigest.isEqual(expected, given.getBytes(StandardCharsets.UTF_8))) {
        ctx.header("WWW-Authenticate", "Bearer");
        throw new ApiError(
            401,
            ApiError.UNAUTHORIZED,
            given == null
                ? "this server needs an API key: send 'Authorization: Bearer <key>'"
                : "the API key is not this server's");
      }
    }
    if (!ready && ctx.path().startsWith("/v1/upscale")) {
      throw new ApiError(
          503, ApiError.NOT_READY, "the server is starting (calibrating and warming up)", 1);
    }
  }

  private static final String ARRIVED = "armsr.arrived";

  /** Set once a request's whole body has been read. */
  private static final String BODY_READ = "armsr.bodyRead";

  private void readyz(Context ctx) {
    if (!ready) {
      throw new ApiError(
          503, ApiError.NOT_READY, "the server is starting (calibrating and warming up)", 1);
    }
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("status", "ready");
    json(ctx, 200, m);
  }

  private void upscale(Context ctx) throws Exception {
    long arrived = ctx.attribute(ARRIVED);
    int status = 500;
    try {
      byte[] body = body(ctx); // first: a connection is reused only once its body is read
      UpscaleRequest request = UpscaleRequest.parse(ctx.queryParamMap());
      UpscaleService.Upscaled up = service.upscale(body, request, arrived);
      served(up);
      headers(ctx, up);
      ctx.contentType(up.format().mediaType).result(up.body());
      status = 200;
    } catch (ApiError e) {
      status = e.status();
      metrics.rejected(e.code());
      throw e;
    } finally {
      metrics.latency("/v1/upscale", status, (System.nanoTime() - arrived) / 1e9);
    }
  }

  private void served(UpscaleService.Upscaled up) {
    metrics.queueWait(up.queueMs());
    metrics.routed(up.classes(), up.flopsShare());
  }

  /**
   * The least time between two previews of a progressive upscale; also at least {@value
   * #PREVIEW_COST_FACTOR} times what the last preview took to make, so that previews of a large
   * image (a PNG of its x4 canvas each) take at most a fifth of the upscale's time.
   */
  static final long PREVIEW_MS = 250;

  static final long PREVIEW_COST_FACTOR = 4;

  private void events(Context ctx) throws Exception {
    long arrived = ctx.attribute(ARRIVED);
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
      served(up);
      Map<String, Object> done = new LinkedHashMap<>();
      done.put("routing", up.routing());
      done.put("anytime", up.anytime());
      done.put("patches", sum(up.classes()));
      done.put("subnets", up.classes());
      done.put("mflopsPerPatch", up.meanFlops() / 1e6);
      done.put("flopsShare", up.flopsShare());
      done.put("psnrGainDb", up.psnrGain());
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
      metrics.latency("/v1/upscale/events", status, (System.nanoTime() - arrived) / 1e9);
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
   * and the connection is closed: the rest of the body is not read. A body that takes longer than
   * the read timeout to arrive (a slow upload), or a connection that sends nothing for that long (a
   * stalled one: Jetty's idle timeout fails the read), is answered 408 and the connection closed.
   */
  private byte[] body(Context ctx) throws IOException {
    long max = options.maxBodyBytes();
    long declared = ctx.req().getContentLengthLong();
    if (declared > max) {
      ctx.header("Connection", "close");
      throw tooLarge(declared + " bytes");
    }
    long until = System.nanoTime() + (long) (options.readTimeoutMs() * 1e6);
    ByteArrayOutputStream out =
        new ByteArrayOutputStream((int) Math.max(0, Math.min(declared, max)));
    byte[] chunk = new byte[64 << 10];
    try (InputStream in = ctx.req().getInputStream()) {
      for (int n; (n = in.read(chunk)) >= 0; ) {
        out.write(chunk, 0, n);
        if (out.size() > max) {
          ctx.header("Connection", "close");
          throw tooLarge("more than " + max + " bytes");
        }
        if (System.nanoTime() > until) {
          throw uploadTimeout(ctx, out.size());
        }
      }
    } catch (IOException e) {
      // Jetty fails a read that waited longer than the connection's idle timeout.
      throw uploadTimeout(ctx, out.size());
    }
    ctx.attribute(BODY_READ, Boolean.TRUE);
    return out.toByteArray();
  }

  private ApiError uploadTimeout(Context ctx, long received) {
    ctx.header("Connection", "close");
    return new ApiError(
        408,
        ApiError.UPLOAD_TIMEOUT,
        String.format(
            Locale.ROOT,
            "the body did not arrive within %.0f ms (%d bytes received); send it faster",
            options.readTimeoutMs(),
            received));
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
    ctx.header("X-Armsr-Flops-Share", String.format(Locale.ROOT, "%.4f", up.flopsShare()));
    ctx.header("X-Armsr-Psnr-Gain-Db", String.format(Locale.ROOT, "%.3f", up.psnrGain()));
    if (!Double.isNaN(up.budgetMs())) {
      ctx.header("X-Armsr-Budget-Ms", String.format(Locale.ROOT, "%.1f", up.budgetMs()));
    }
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
    m.put("workers", options.workers());
    m.put("maxQueue", options.maxQueue());
    m.put("sloMs", options.sloMs());
    m.put("routing", options.routing() == null ? "auto" : options.routing().toString());
    m.put("timeModel", service.time() != null);
    m.put("readTimeoutMs", options.readTimeoutMs());
    m.put("apiKey", options.apiKey() != null);
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
    if (ctx.attribute(BODY_READ) == null && ctx.req().getContentLengthLong() != 0) {
      // The body was not read (refused before it, or only in part): the connection cannot be
      // reused for another request.
      ctx.header("Connection", "close");
    }
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
        "no such resource: "
            + ctx.path()
            + " (see GET /openapi.json; upscaling is POST /v1/upscale)");
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

  /** The request counter's {@code route} label of a path: the route, or {@code unmatched}. */
  static String route(String path) {
    return ROUTES.contains(path) ? path : "unmatched";
  }

  static byte[] resource(String name) {
    try (InputStream in = ArmServer.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource io/armsr/server/" + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

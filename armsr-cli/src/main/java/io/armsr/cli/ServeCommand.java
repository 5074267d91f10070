package io.armsr.cli;

import io.armsr.infer.ArmModel;
import io.armsr.infer.Upscaler;
import io.armsr.model.EngineThreads;
import io.armsr.route.RoutingChoice;
import io.armsr.route.TimeModel;
import io.armsr.server.ArmServer;
import io.armsr.server.ServerOptions;
import java.net.BindException;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code armsr serve}: the HTTP service ({@link ArmServer}) over one model loaded once. It runs
 * until SIGTERM or Ctrl-C (SIGINT), then stops gracefully: no new connections, the requests in
 * flight finish within {@code --grace-ms}, and the command exits 0.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve upscaling over HTTP: POST an image file to /v1/upscale (the options as query"
          + " parameters: auto, k, budget, budget-ms, subnet, best, deadline-ms, grid, format,"
          + " quality, scale, width, height, strip-metadata, mask); POST it to /v1/upscale/events"
          + " to follow the any-time upscale as server-sent events; open the web page at /; the"
          + " API is described at /openapi.json.",
      "--workers requests are upscaled at once, each on one core; --max-queue more wait, and"
          + " beyond that requests are refused at once (503). With --slo-ms T every request that"
          + " names no routing is routed by a time budget on this machine's time model (measured"
          + " at start-up unless --profile gives one) to be answered within T ms of its arrival,"
          + " cheaper as load rises; when not even the bicubic image could be, it is refused at"
          + " once (503, Retry-After)."
    })
final class ServeCommand implements Callable<Integer> {

  @Mixin ModelOptions model;

  @Mixin GridOptions grid;

  @Mixin RoutingOptions routing;

  @Option(
      names = {"--workers", "--threads"},
      paramLabel = "N",
      description = "upscales at once, each on one core (default: all cores)")
  Integer workers;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description =
          "address to listen on (default: ${DEFAULT-VALUE}, this machine only); any other needs"
              + " --api-key or --insecure")
  String host;

  @Option(
      names = "--port",
      defaultValue = "" + ServerOptions.DEFAULT_PORT,
      description = "port to listen on; 0 for any free one (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--max-queue",
      paramLabel = "Q",
      defaultValue = "" + ServerOptions.DEFAULT_QUEUE,
      description =
          "requests that may wait for a free worker; more are refused at once with 503"
              + " (default: ${DEFAULT-VALUE})")
  int maxQueue;

  @Option(
      names = "--slo-ms",
      paramLabel = "T",
      defaultValue = "0",
      description =
          "answer within T ms of arrival: requests that name no routing get a time budget, and"
              + " none waits past T; 0: no SLO (default)")
  double sloMs;

  @Option(
      names = "--queue-timeout-ms",
      paramLabel = "T",
      defaultValue = "" + (long) ServerOptions.DEFAULT_QUEUE_TIMEOUT_MS,
      description =
          "without --slo-ms, the longest a request waits for a worker (default: ${DEFAULT-VALUE})")
  double queueTimeoutMs;

  @Option(
      names = "--max-body-bytes",
      paramLabel = "B",
      defaultValue = "" + ServerOptions.DEFAULT_MAX_BODY,
      description = "the largest image file accepted, in bytes (default: ${DEFAULT-VALUE})")
  long maxBody;

  @Option(
      names = "--max-pixels",
      paramLabel = "N",
      defaultValue = "" + ServerOptions.DEFAULT_MAX_PIXELS,
      description =
          "refuse inputs of more than N pixels, from the header before decoding (default:"
              + " ${DEFAULT-VALUE})")
  long maxPixels;

  @Option(
      names = "--read-timeout-ms",
      paramLabel = "T",
      defaultValue = "" + (long) ServerOptions.DEFAULT_READ_TIMEOUT_MS,
      description =
          "a body must arrive within T ms, and a connection may stall at most that long (408)"
              + " (default: ${DEFAULT-VALUE})")
  double readTimeoutMs;

  @Option(
      names = "--grace-ms",
      paramLabel = "T",
      defaultValue = "" + (long) ServerOptions.DEFAULT_GRACE_MS,
      description =
          "on SIGTERM, how long requests in flight may take to finish (default: ${DEFAULT-VALUE})")
  double graceMs;

  @Option(
      names = "--api-key",
      paramLabel = "K",
      description =
          "requests must carry 'Authorization: Bearer K' (the page, probes and /openapi.json excepted)")
  String apiKey;

  @Option(
      names = "--insecure",
      description = "allow a --host other than loopback without --api-key")
  boolean insecure;

  /** Warm-up upscales before the service is ready: the JIT compiles the hot paths. */
  static final int WARM_UP_ROUNDS = 5;

  /** A started service: its server over its model, with its options; closing stops both. */
  record Running(ArmServer server, ArmModel model, ServerOptions options, TimeModel time)
      implements AutoCloseable {
    @Override
    public void close() {
      try {
        server.close();
      } finally {
        model.close();
      }
    }
  }

  /**
   * Checks the options, loads the model, starts listening, then gets ready: reads the device
   * profile ({@code --profile}) or calibrates briefly, and warms the engine up.
   *
   * @throws IllegalArgumentException for a bad option, or a port already in use
   */
  Running start() throws java.io.IOException {
    if (workers != null && (workers < 1 || workers > 256)) {
      throw new IllegalArgumentException("--workers must be 1..256, got " + workers);
    }
    System.setProperty(EngineThreads.PROPERTY, "1"); // each request runs on one core
    int n = workers != null ? workers : Runtime.getRuntime().availableProcessors();
    routing.check();
    RoutingChoice choice = routing.choice == null ? null : routing.choice();
    ServerOptions options =
        new ServerOptions(
            host,
            port,
            n,
            maxQueue,
            sloMs,
            queueTimeoutMs,
            maxBody,
            maxPixels,
            readTimeoutMs,
            graceMs,
            apiKey,
            insecure,
            choice);
    Upscaler.Options engine = grid.options(); // one worker: requests run on their own threads
    TimeModel given =
        routing.profile != null ? routing.readProfile(model.backbone, engine).time() : null;
    ArmModel m = model.load();
    ArmServer server;
    try {
      server = ArmServer.listen(new Upscaler(m, engine), options);
    } catch (RuntimeException e) {
      m.close();
      for (Throwable t = e; t != null; t = t.getCause()) {
        if (t instanceof BindException) {
          throw new IllegalArgumentException(
              "cannot listen on " + host + ":" + port + " (" + t.getMessage() + ")", e);
        }
      }
      throw e;
    }
    try {
      TimeModel time = server.prepare(given, WARM_UP_ROUNDS);
      return new Running(server, m, options, time);
    } catch (RuntimeException | java.io.IOException e) {
      server.close();
      m.close();
      throw e;
    }
  }

  @Override
  public Integer call() throws Exception {
    CountDownLatch stop = new CountDownLatch(1);
    Signals.onTerminate(stop::countDown);
    Running running = start();
    ArmServer s = running.server();
    System.out.printf(
        Locale.ROOT,
        "armsr serve: listening on %s (%s, %s grid, %d worker%s, queue %d%s; time model %.2f"
            + " ms/image + %.3f ms/patch); SIGTERM or Ctrl-C stops%n",
        s.uri(),
        running.model().backbone().id(),
        grid.options().grid().id(),
        running.options().workers(),
        running.options().workers() == 1 ? "" : "s",
        maxQueue,
        sloMs > 0 ? String.format(Locale.ROOT, ", SLO %.0f ms", sloMs) : "",
        running.time().imageMs(),
        running.time().patchMs());
    System.out.flush();
    stop.await();
    System.out.println("armsr serve: stopping (requests in flight may finish)");
    System.out.flush();
    running.close();
    return 0;
  }
}

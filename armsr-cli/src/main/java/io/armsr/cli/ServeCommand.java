package io.armsr.cli;

import io.armsr.infer.ArmModel;
import io.armsr.infer.Upscaler;
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
 * until stopped (SIGTERM or Ctrl-C), which closes the server and the model.
 */
@Command(
    name = "serve",
    mixinStandardHelpOptions = true,
    description = {
      "Serve upscaling over HTTP: POST an image file to /v1/upscale (the options as query"
          + " parameters: k, budget, subnet, best, deadline-ms, format, quality, scale, width,"
          + " height, strip-metadata, mask); POST it to /v1/upscale/events to follow the any-time"
          + " upscale as server-sent events; or open the web page at /.",
      "--threads requests are upscaled at once, each on one core; --max-queue more wait, and"
          + " beyond that requests are refused at once (503). With --slo-ms every request that"
          + " gives no deadline-ms gets that one: it is answered in time, its patches upgraded as"
          + " far as the time left allows."
    })
final class ServeCommand implements Callable<Integer> {

  @Mixin ModelOptions model;

  @Mixin GridOptions grid;

  @Mixin ThreadOptions threads;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "address to listen on (default: ${DEFAULT-VALUE}, this machine only)")
  String host;

  @Option(
      names = "--port",
      defaultValue = "" + ServerOptions.DEFAULT_PORT,
      description = "port to listen on; 0 for any free one (default: ${DEFAULT-VALUE})")
  int port;

  @Option(
      names = "--max-queue",
      paramLabel = "N",
      defaultValue = "" + ServerOptions.DEFAULT_QUEUE,
      description =
          "requests that may wait for a free engine slot; more are refused at once with 503"
              + " (default: ${DEFAULT-VALUE})")
  int maxQueue;

  @Option(
      names = "--slo-ms",
      paramLabel = "T",
      defaultValue = "0",
      description =
          "the deadline of requests that give no deadline-ms, from their arrival (the any-time"
              + " mode); 0: none (default)")
  double sloMs;

  @Option(
      names = "--queue-timeout-ms",
      paramLabel = "T",
      defaultValue = "" + (long) ServerOptions.DEFAULT_QUEUE_TIMEOUT_MS,
      description =
          "the longest a request without a deadline waits for a slot (default: ${DEFAULT-VALUE})")
  double queueTimeoutMs;

  @Option(
      names = "--max-body",
      paramLabel = "BYTES",
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

  /** Warm-up upscales before the service says it listens: the JIT compiles the hot paths. */
  static final int WARM_UP_ROUNDS = 5;

  /** A started service: its server over its model, with its options; closing stops both. */
  record Running(ArmServer server, ArmModel model, ServerOptions options) implements AutoCloseable {
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
   * Checks the options, loads the model and starts the server.
   *
   * @throws IllegalArgumentException for a bad option, or a port already in use
   */
  Running start() throws java.io.IOException {
    int slots = threads.workers(); // checked first; sets libtorch to one intra-op thread
    ServerOptions options =
        new ServerOptions(host, port, slots, maxQueue, sloMs, queueTimeoutMs, maxBody, maxPixels);
    Upscaler.Options engine = grid.options(); // one worker: requests run on their own threads
    ArmModel m = model.load();
    try {
      return new Running(ArmServer.start(new Upscaler(m, engine), options), m, options);
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
  }

  @Override
  public Integer call() throws Exception {
    Running running = start();
    CountDownLatch stopped = new CountDownLatch(1);
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                () -> {
                  running.close();
                  stopped.countDown();
                },
                "armsr-serve-stop"));
    ArmServer s = running.server();
    s.warmUp(WARM_UP_ROUNDS);
    System.out.printf(
        Locale.ROOT,
        "armsr serve: listening on %s (%s, %s grid, %d engine slot%s, queue %d%s); Ctrl-C stops%n",
        s.uri(),
        running.model().backbone().id(),
        grid.options().grid().id(),
        running.options().concurrency(),
        running.options().concurrency() == 1 ? "" : "s",
        maxQueue,
        sloMs > 0 ? String.format(Locale.ROOT, ", SLO %.0f ms", sloMs) : "");
    System.out.flush();
    stopped.await();
    return 0;
  }
}

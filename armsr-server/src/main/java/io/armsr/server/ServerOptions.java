package io.armsr.server;

import io.armsr.route.RoutingChoice;
import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * What an {@link ArmServer} accepts and how much it runs at once; validated here, so that a server
 * never starts with limits that cannot hold.
 *
 * @param host the address to listen on ({@code 127.0.0.1}: this machine only); any other address
 *     needs an {@code apiKey} or {@code insecure}
 * @param port the port; 0 for any free one ({@link ArmServer#port} says which)
 * @param workers upscales running at once, each on one core (one libtorch thread each)
 * @param maxQueue requests that may wait for a free worker; more are refused at once (503)
 * @param sloMs the latency objective in ms from a request's arrival, or 0 for none: requests that
 *     name no routing are routed to fit it ({@link SloPolicy}), and no request waits past it
 * @param queueTimeoutMs the longest a request waits for a worker when there is no SLO
 * @param maxBodyBytes the largest request body (image file) read; larger ones get 413
 * @param maxPixels the largest input image, in pixels, read from its header before decoding
 * @param readTimeoutMs the longest a connection may send nothing (a stalled upload), and the
 *     longest a whole body may take to arrive (a slow one); 408 after it
 * @param graceMs how long {@link ArmServer#close} lets requests in flight finish
 * @param apiKey the key every API request must carry as {@code Authorization: Bearer <key>}, or
 *     null for none
 * @param insecure whether a non-loopback {@code host} may go without an {@code apiKey}
 * @param routing the routing of requests that name none, or null for {@code auto}: the time budget
 *     of the SLO when there is one, else the command line's default ({@code k 4})
 */
public record ServerOptions(
    String host,
    int port,
    int workers,
    int maxQueue,
    double sloMs,
    double queueTimeoutMs,
    long maxBodyBytes,
    long maxPixels,
    double readTimeoutMs,
    double graceMs,
    String apiKey,
    boolean insecure,
    RoutingChoice routing) {

  /** 64 MiB: a 16-bit 4K TIFF, and far more than any compressed photograph of the pixel limit. */
  public static final long DEFAULT_MAX_BODY = 64L << 20;

  /**
   * 16,000,000 pixels (e.g. 4900x3265): its x4 result is 256 MP, about 0.8 GB of 8-bit output while
   * it is encoded. The heap check of {@link io.armsr.infer.UpscaleMemory} applies as well.
   */
  public static final long DEFAULT_MAX_PIXELS = 16_000_000;

  public static final int DEFAULT_PORT = 8080;
  public static final int DEFAULT_QUEUE = 16;
  public static final double DEFAULT_QUEUE_TIMEOUT_MS = 30_000;
  public static final double DEFAULT_READ_TIMEOUT_MS = 10_000;
  public static final double DEFAULT_GRACE_MS = 30_000;

  public ServerOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("--host must be an address, got '" + host + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0..65535, got " + port);
    }
    if (workers < 1 || workers > 256) {
      throw new IllegalArgumentException("--workers must be 1..256, got " + workers);
    }
    if (maxQueue < 0 || maxQueue > 100_000) {
      throw new IllegalArgumentException("--max-queue must be 0..100000, got " + maxQueue);
    }
    if (!(sloMs >= 0 && Double.isFinite(sloMs))) {
      throw new IllegalArgumentException("--slo-ms must be >= 0 (0: none), got " + sloMs);
    }
    positive(queueTimeoutMs, "--queue-timeout-ms");
    positive(readTimeoutMs, "--read-timeout-ms");
    if (!(graceMs >= 0 && Double.isFinite(graceMs))) {
      throw new IllegalArgumentException("--grace-ms must be >= 0, got " + graceMs);
    }
    if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "--max-body-bytes must be 1.." + (Integer.MAX_VALUE - 8) + " bytes, got " + maxBodyBytes);
    }
    if (maxPixels < 1) {
      throw new IllegalArgumentException("--max-pixels must be at least 1, got " + maxPixels);
    }
    if (apiKey != null && (apiKey.isBlank() || !apiKey.matches("[\\x21-\\x7e]+"))) {
      throw new IllegalArgumentException(
          "--api-key must be printable ASCII without spaces (it travels in a header)");
    }
    if (apiKey == null && !insecure && !loopback(host)) {
      throw new IllegalArgumentException(
          "--host "
              + host
              + " is reachable from other machines: give --api-key K (clients then send"
              + " 'Authorization: Bearer K') or --insecure");
    }
    if (routing != null) {
      routing.check("--");
    }
  }

  private static void positive(double ms, String name) {
    if (!(ms > 0 && Double.isFinite(ms))) {
      throw new IllegalArgumentException(name + " must be a positive number, got " + ms);
    }
  }

  /** Whether {@code host} names this machine's loopback interface only. */
  static boolean loopback(String host) {
    try {
      for (InetAddress a : InetAddress.getAllByName(host)) {
        if (!a.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      throw new IllegalArgumentException("--host " + host + " is not a known address");
    }
  }

  /** Loopback on {@code port}, {@code workers} workers, no SLO, the default limits. */
  public static ServerOptions local(int port, int workers) {
    return new ServerOptions(
        "127.0.0.1",
        port,
        workers,
        DEFAULT_QUEUE,
        0,
        DEFAULT_QUEUE_TIMEOUT_MS,
        DEFAULT_MAX_BODY,
        DEFAULT_MAX_PIXELS,
        DEFAULT_READ_TIMEOUT_MS,
        DEFAULT_GRACE_MS,
        null,
        false,
        null);
  }

  public ServerOptions withSloMs(double ms) {
    return edit(b -> b.sloMs = ms);
  }

  public ServerOptions withMaxQueue(int n) {
    return edit(b -> b.maxQueue = n);
  }

  public ServerOptions withLimits(long bodyBytes, long pixels) {
    return edit(
        b -> {
          b.maxBodyBytes = bodyBytes;
          b.maxPixels = pixels;
        });
  }

  public ServerOptions withReadTimeoutMs(double ms) {
    return edit(b -> b.readTimeoutMs = ms);
  }

  /** Listening on {@code address}, requests needing {@code key} (null: none, then {@code open}). */
  public ServerOptions withHost(String address, String key, boolean open) {
    return edit(
        b -> {
          b.host = address;
          b.apiKey = key;
          b.insecure = open;
        });
  }

  /** Requests that name no routing get {@code choice} (null: {@code auto}). */
  public ServerOptions withRouting(RoutingChoice choice) {
    return edit(b -> b.routing = choice);
  }

  /** These options with some changed by {@code change}, validated again. */
  private ServerOptions edit(java.util.function.Consumer<Builder> change) {
    Builder b = new Builder(this);
    change.accept(b);
    return b.build();
  }

  /** The components, to change a few of them. */
  private static final class Builder {
    String host;
    int port;
    int workers;
    int maxQueue;
    double sloMs;
    double queueTimeoutMs;
    long maxBodyBytes;
    long maxPixels;
    double readTimeoutMs;
    double graceMs;
    String apiKey;
    boolean insecure;
    RoutingChoice routing;

    Builder(ServerOptions o) {
      host = o.host;
      port = o.port;
      workers = o.workers;
      maxQueue = o.maxQueue;
      sloMs = o.sloMs;
      queueTimeoutMs = o.queueTimeoutMs;
      maxBodyBytes = o.maxBodyBytes;
      maxPixels = o.maxPixels;
      readTimeoutMs = o.readTimeoutMs;
      graceMs = o.graceMs;
      apiKey = o.apiKey;
      insecure = o.insecure;
      routing = o.routing;
    }

    ServerOptions build() {
      return new ServerOptions(
          host,
          port,
          workers,
          maxQueue,
          sloMs,
          queueTimeoutMs,
          maxBodyBytes,
          maxPixels,
          readTimeoutMs,
          graceMs,
          apiKey,
          insecure,
          routing);
    }
  }
}

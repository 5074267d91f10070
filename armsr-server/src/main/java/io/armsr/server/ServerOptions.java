package io.armsr.server;

/**
 * What an {@link ArmServer} accepts and how much it runs at once; validated here, so that a server
 * never starts with limits that cannot hold.
 *
 * @param host the address to listen on ({@code 127.0.0.1}: this machine only)
 * @param port the port; 0 for any free one ({@link ArmServer#port} says which)
 * @param concurrency upscales running at once, each on one core (one libtorch thread each)
 * @param maxQueue requests that may wait for a free engine slot; more are refused at once (503)
 * @param sloMs the deadline of a request that gives none ({@code deadline-ms}), in ms from its
 *     arrival, or 0 for none (such requests run their routing to completion)
 * @param queueTimeoutMs the longest a request without a deadline waits for a slot
 * @param maxBodyBytes the largest request body (image file) read; larger ones get 413
 * @param maxPixels the largest input image, in pixels, read from its header before decoding
 */
public record ServerOptions(
    String host,
    int port,
    int concurrency,
    int maxQueue,
    double sloMs,
    double queueTimeoutMs,
    long maxBodyBytes,
    long maxPixels) {

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

  public ServerOptions {
    if (host == null || host.isBlank()) {
      throw new IllegalArgumentException("--host must be an address, got '" + host + "'");
    }
    if (port < 0 || port > 65535) {
      throw new IllegalArgumentException("--port must be 0..65535, got " + port);
    }
    if (concurrency < 1 || concurrency > 256) {
      throw new IllegalArgumentException("--threads must be 1..256, got " + concurrency);
    }
    if (maxQueue < 0 || maxQueue > 100_000) {
      throw new IllegalArgumentException("--max-queue must be 0..100000, got " + maxQueue);
    }
    if (!(sloMs >= 0 && Double.isFinite(sloMs))) {
      throw new IllegalArgumentException("--slo-ms must be >= 0 (0: none), got " + sloMs);
    }
    if (!(queueTimeoutMs > 0 && Double.isFinite(queueTimeoutMs))) {
      throw new IllegalArgumentException(
          "--queue-timeout-ms must be a positive number, got " + queueTimeoutMs);
    }
    if (maxBodyBytes < 1 || maxBodyBytes > Integer.MAX_VALUE - 8) {
      throw new IllegalArgumentException(
          "--max-body must be 1.." + (Integer.MAX_VALUE - 8) + " bytes, got " + maxBodyBytes);
    }
    if (maxPixels < 1) {
      throw new IllegalArgumentException("--max-pixels must be at least 1, got " + maxPixels);
    }
  }

  /** Loopback on {@code port}, {@code concurrency} slots, no SLO, the default limits. */
  public static ServerOptions local(int port, int concurrency) {
    return new ServerOptions(
        "127.0.0.1",
        port,
        concurrency,
        DEFAULT_QUEUE,
        0,
        DEFAULT_QUEUE_TIMEOUT_MS,
        DEFAULT_MAX_BODY,
        DEFAULT_MAX_PIXELS);
  }

  public ServerOptions withSloMs(double ms) {
    return new ServerOptions(
        host, port, concurrency, maxQueue, ms, queueTimeoutMs, maxBodyBytes, maxPixels);
  }

  public ServerOptions withMaxQueue(int n) {
    return new ServerOptions(
        host, port, concurrency, n, sloMs, queueTimeoutMs, maxBodyBytes, maxPixels);
  }

  public ServerOptions withLimits(long bodyBytes, long pixels) {
    return new ServerOptions(
        host, port, concurrency, maxQueue, sloMs, queueTimeoutMs, bodyBytes, pixels);
  }
}

package io.armsr.server;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The service's meters, scraped by Prometheus at {@code GET /metrics}:
 *
 * <ul>
 *   <li>{@code armsr_requests_seconds} (timer, by {@code status}): each upscale request from its
 *       arrival to its response, with histogram buckets at 50 ms .. 30 s and at the SLO, so that
 *       the share of responses within it can be read off;
 *   <li>{@code armsr_queue_wait_seconds}: the time a request waited for an engine slot;
 *   <li>{@code armsr_rejected_total} (by {@code error}): requests refused, e.g. {@code overloaded};
 *   <li>{@code armsr_patches_above_bicubic_ratio}: the share of a response's patches run by a
 *       network rather than bicubic; under load, deadlines cut the any-time upscale short and it
 *       falls: how much quality the load cost;
 *   <li>{@code armsr_mflops_per_patch}: the mean paper MFLOPs per patch of each response;
 *   <li>{@code armsr_engine_running}, {@code armsr_engine_queued}: slots in use and requests
 *       waiting, now.
 * </ul>
 */
public final class ServerMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final double sloMs;
  private final Timer queueWait;
  private final DistributionSummary upgraded;
  private final DistributionSummary mflops;

  public ServerMetrics(Admission admission, double sloMs) {
    this.sloMs = sloMs;
    Gauge.builder("armsr.engine.running", admission, Admission::running)
        .description("upscales holding an engine slot")
        .register(registry);
    Gauge.builder("armsr.engine.queued", admission, Admission::queued)
        .description("requests waiting for an engine slot")
        .register(registry);
    queueWait =
        Timer.builder("armsr.queue.wait")
            .description("time a request waited for an engine slot")
            .publishPercentileHistogram(false)
            .register(registry);
    upgraded =
        DistributionSummary.builder("armsr.patches.above.bicubic.ratio")
            .description("share of a response's patches run by a network rather than bicubic")
            .register(registry);
    mflops =
        DistributionSummary.builder("armsr.mflops.per.patch")
            .description("mean paper MFLOPs per patch of a response")
            .register(registry);
  }

  /** One upscale request answered with {@code status}, {@code seconds} after it arrived. */
  public void request(int status, double seconds) {
    Timer.Builder b =
        Timer.builder("armsr.requests")
            .description("upscale requests, from arrival to response")
            .tag("status", Integer.toString(status))
            .serviceLevelObjectives(
                Duration.ofMillis(50),
                Duration.ofMillis(100),
                Duration.ofMillis(250),
                Duration.ofMillis(500),
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                Duration.ofSeconds(30));
    if (sloMs > 0) {
      b = b.serviceLevelObjectives(Duration.ofNanos((long) (sloMs * 1e6)));
    }
    b.register(registry).record((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
  }

  /** A request refused with {@code code} ({@link ApiError}). */
  public void rejected(String code) {
    Counter.builder("armsr.rejected")
        .description("requests refused, by error code")
        .tag("error", code)
        .register(registry)
        .increment();
  }

  public void queueWait(double ms) {
    queueWait.record((long) (ms * 1e6), TimeUnit.NANOSECONDS);
  }

  /** How a response was routed: patches above bicubic of all, mean paper FLOPs per patch. */
  public void routed(int aboveBicubic, int patches, double meanFlops) {
    upgraded.record((double) aboveBicubic / patches);
    mflops.record(meanFlops / 1e6);
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }
}

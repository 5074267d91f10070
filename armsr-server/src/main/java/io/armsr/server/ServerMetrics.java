package io.armsr.server;

import io.armsr.model.Backbone;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Timer;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.DoubleAdder;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.DoubleSupplier;

/**
 * The service's meters, scraped by Prometheus at {@code GET /metrics}:
 *
 * <ul>
 *   <li>{@code armsr_http_requests_total{route, method, status}}: every request answered, by the
 *       route it matched ({@code /v1/upscale}, {@code /healthz}, ...; {@code unmatched} for none);
 *   <li>{@code armsr_upscale_latency_seconds{route, status}}: a histogram of the upscale requests'
 *       time from arrival to response, with buckets from 5 ms to 30 s and at the SLO, so that the
 *       share of responses within it can be read off ({@code _bucket{le="<slo>"}});
 *   <li>{@code armsr_queue_depth}: requests waiting for a worker now; {@code armsr_workers_busy}:
 *       workers upscaling now; {@code armsr_queue_wait_seconds}: how long each request waited;
 *   <li>{@code armsr_rejections_total{reason}}: requests refused, by error code ({@code
 *       overloaded}, {@code slo_unreachable}, {@code bad_image}, ...);
 *   <li>{@code armsr_patches_total{subnet}} and {@code armsr_patch_share{subnet}}: the patches
 *       served by each sub-network ({@code bicubic}, {@code w16}, ... by width), and their share of
 *       all patches served: under load the share of bicubic rises;
 *   <li>{@code armsr_flops_share}: each response's FLOPs as a share of running every patch at full
 *       width (a summary: {@code _sum / _count} is the mean), and {@code armsr_flops_share_mean},
 *       that mean over everything served;
 *   <li>{@code armsr_time_model_ratio}: measured over predicted time of the routed upscales, the
 *       run-time correction of the time model; {@code armsr_ready}: 1 once the engine is warm.
 * </ul>
 */
public final class ServerMetrics {
  private final PrometheusMeterRegistry registry =
      new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final double sloMs;
  private final Timer queueWait;
  private final DistributionSummary flopsShare;
  private final List<Counter> patches = new ArrayList<>();
  private final LongAdder[] patchCounts = new LongAdder[Backbone.SUBNETS];
  private final LongAdder responses = new LongAdder();
  private final DoubleAdder flopsSum = new DoubleAdder();

  public ServerMetrics(
      Admission admission,
      double sloMs,
      Backbone backbone,
      DoubleSupplier timeRatio,
      DoubleSupplier ready) {
    this.sloMs = sloMs;
    Gauge.builder("armsr.queue.depth", admission, Admission::queued)
        .description("requests waiting for a worker")
        .register(registry);
    Gauge.builder("armsr.workers.busy", admission, Admission::running)
        .description("workers upscaling")
        .register(registry);
    queueWait =
        Timer.builder("armsr.queue.wait")
            .description("time a request waited for a worker")
            .register(registry);
    flopsShare =
        DistributionSummary.builder("armsr.flops.share")
            .description("a response's FLOPs as a share of running every patch at full width")
            .register(registry);
    Gauge.builder(
            "armsr.flops.share.mean",
            this,
            m -> m.responses.sum() == 0 ? 0 : m.flopsSum.sum() / m.responses.sum())
        .description("the mean FLOPs share of everything served")
        .register(registry);
    for (int j = 0; j < Backbone.SUBNETS; j++) {
      String name = j == 0 ? "bicubic" : "w" + backbone.width(j);
      patches.add(
          Counter.builder("armsr.patches")
              .description("patches served, by sub-network")
              .tag("subnet", name)
              .register(registry));
      LongAdder count = new LongAdder();
      patchCounts[j] = count;
      Gauge.builder("armsr.patch.share", this, m -> m.share(count))
          .description("share of all patches served, by sub-network")
          .tag("subnet", name)
          .register(registry);
    }
    // Gauges hold their object weakly: these suppliers live only here.
    Gauge.builder("armsr.time.model.ratio", timeRatio, DoubleSupplier::getAsDouble)
        .description(
            "measured over predicted time of routed upscales (the time model's correction)")
        .strongReference(true)
        .register(registry);
    Gauge.builder("armsr.ready", ready, DoubleSupplier::getAsDouble)
        .description("1 once the model is loaded and the engine warm")
        .strongReference(true)
        .register(registry);
  }

  private double share(LongAdder count) {
    long all = 0;
    for (LongAdder c : patchCounts) {
      all += c.sum();
    }
    return all == 0 ? 0 : (double) count.sum() / all;
  }

  /** Any request answered: by the route it matched, its method and status. */
  public void http(String route, String method, int status) {
    Counter.builder("armsr.http.requests")
        .description("requests answered, by route, method and status")
        .tag("route", route)
        .tag("method", method)
        .tag("status", Integer.toString(status))
        .register(registry)
        .increment();
  }

  /**
   * One upscale request on {@code route} answered with {@code status}, {@code seconds} after it
   * arrived.
   */
  public void latency(String route, int status, double seconds) {
    Timer.Builder b =
        Timer.builder("armsr.upscale.latency")
            .description("upscale requests, from arrival to response")
            .tag("route", route)
            .tag("status", Integer.toString(status))
            .serviceLevelObjectives(
                Duration.ofMillis(5),
                Duration.ofMillis(10),
                Duration.ofMillis(25),
                Duration.ofMillis(50),
                Duration.ofMillis(100),
                Duration.ofMillis(250),
                Duration.ofMillis(500),
                Duration.ofSeconds(1),
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                Duration.ofSeconds(30));
    if (sloMs > 0) {
      b =
          b.serviceLevelObjectives(
              Duration.ofNanos((long) (sloMs * 1e6)), Duration.ofNanos((long) (1.1 * sloMs * 1e6)));
    }
    b.register(registry).record((long) (seconds * 1e9), TimeUnit.NANOSECONDS);
  }

  /** A request refused with {@code code} ({@link ApiError}). */
  public void rejected(String code) {
    Counter.builder("armsr.rejections")
        .description("requests refused, by error code")
        .tag("reason", code)
        .register(registry)
        .increment();
  }

  public void queueWait(double ms) {
    queueWait.record((long) (ms * 1e6), TimeUnit.NANOSECONDS);
  }

  /** How a response was routed: patches per subnet and its FLOPs share. */
  public void routed(int[] classes, double share) {
    for (int j = 0; j < classes.length; j++) {
      patches.get(j).increment(classes[j]);
      patchCounts[j].add(classes[j]);
    }
    flopsShare.record(share);
    flopsSum.add(share);
    responses.increment();
  }

  /** The Prometheus text exposition of every meter. */
  public String scrape() {
    return registry.scrape();
  }
}

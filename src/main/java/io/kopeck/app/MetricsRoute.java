package io.kopeck.app;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * {@code GET /metrics} in the Prometheus text format: Vert.x HTTP server (by route and status),
 * event bus, SQL pool and JVM meters, and Kopeck's business meters (all {@code kopeck_*}). No label
 * carries a user id or anything else a client chooses, so the series count stays bounded.
 * Unauthenticated, like every Prometheus target: expose it on the internal network only.
 */
public final class MetricsRoute implements HttpRoutes {
  private final PrometheusMeterRegistry registry;

  public MetricsRoute(PrometheusMeterRegistry registry) {
    this.registry = registry;
  }

  @Override
  public void mount(Router router) {
    router.get("/metrics").handler(PrometheusScrapingHandler.create(registry));
  }
}

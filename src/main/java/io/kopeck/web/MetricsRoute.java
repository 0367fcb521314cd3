package io.kopeck.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * {@code GET /metrics} in the Prometheus text format: Vert.x HTTP server (by route and status),
 * event bus, SQL pool and JVM meters, and Kopeck's business meters (all {@code kopeck_*}). No label
 * carries a user id or anything else a client chooses, so the series count stays bounded.
 * With METRICS_BEARER_TOKEN set, a scrape must present it as {@code Authorization: Bearer …}
 * (Prometheus' {@code authorization} setting); unset, it is open: keep it on an internal network.
 */
public final class MetricsRoute implements HttpRoutes {
  private final PrometheusMeterRegistry registry;
  private final BearerAuth auth;

  public MetricsRoute(PrometheusMeterRegistry registry, String bearerToken) {
    this.registry = registry;
    this.auth = bearerToken.isEmpty() ? null : new BearerAuth(java.util.List.of(bearerToken));
  }

  @Override
  public void mount(Router router) {
    var route = router.get("/metrics");
    if (auth != null) {
      route.handler(auth::handle);
    }
    route.handler(PrometheusScrapingHandler.create(registry));
  }
}

package io.kopeck.web;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.micrometer.PrometheusScrapingHandler;

/**
 * {@code GET /metrics} in the Prometheus text format: Vert.x HTTP server (by route and status),
 * event bus, SQL pool and JVM meters, and Kopeck's business meters (all {@code kopeck_*}). No label
 * carries a user id or anything else a client chooses, so the series count stays bounded.
 * With METRICS_BEARER_TOKEN set, a scrape must present it as {@code Authorization: Bearer …}
 * (Prometheus' {@code authorization} setting). Unset, it is open to an internal network — except
 * when PUBLIC_BASE_URL is https (a public deployment, SPEC §17): then only loopback clients are
 * answered (a Prometheus beside the service), others get 404 as if there were no such route.
 */
public final class MetricsRoute implements HttpRoutes {
  private final PrometheusMeterRegistry registry;
  private final BearerAuth auth;
  private final ClientAddress loopbackOnly;

  /** {@code clients}: who asks, when only loopback may (token unset, public deployment); null: anyone. */
  public MetricsRoute(PrometheusMeterRegistry registry, String bearerToken, ClientAddress clients) {
    this.registry = registry;
    this.auth = bearerToken.isEmpty() ? null : new BearerAuth(java.util.List.of(bearerToken));
    this.loopbackOnly = bearerToken.isEmpty() ? clients : null;
  }

  @Override
  public void mount(Router router) {
    var route = router.get("/metrics");
    if (auth != null) {
      route.handler(auth::handle);
    } else if (loopbackOnly != null) {
      route.handler(this::loopback);
    }
    route.handler(PrometheusScrapingHandler.create(registry));
  }

  private void loopback(RoutingContext ctx) {
    if (loopback(loopbackOnly.of(ctx.request()))) {
      ctx.next();
    } else {
      ctx.fail(404);
    }
  }

  private static boolean loopback(String address) {
    return address.startsWith("127.") || address.equals("::1") || address.equals("0:0:0:0:0:0:0:1");
  }
}

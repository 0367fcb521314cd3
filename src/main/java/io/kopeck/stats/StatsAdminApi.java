package io.kopeck.stats;

import io.kopeck.web.HttpRoutes;
import io.kopeck.web.JsonHttp;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.time.Clock;
import java.time.ZoneId;

/** {@code GET /admin/api/v1/stats?from=YYYY-MM-DD&to=YYYY-MM-DD} (days in DISPLAY_TIMEZONE, both included). */
public final class StatsAdminApi implements HttpRoutes {
  private final Stats stats;
  private final Clock clock;
  private final ZoneId zone;

  public StatsAdminApi(Stats stats, Clock clock, ZoneId zone) {
    this.stats = stats;
    this.clock = clock;
    this.zone = zone;
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/api/v1/stats").handler(this::report);
  }

  private void report(RoutingContext ctx) {
    StatsRange range = StatsRange.parse(ctx.queryParams().get("from"), ctx.queryParams().get("to"), clock, zone);
    stats.report(range).onSuccess(json -> JsonHttp.respond(ctx, 200, json)).onFailure(ctx::fail);
  }
}

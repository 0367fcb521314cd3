package io.kopeck.admin;

import io.kopeck.events.WebhookEvents;
import io.kopeck.web.ApiException;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.JsonHttp;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.Set;

/**
 * {@code /admin/api/v1/webhook-deliveries} (SPEC §21): the events in one state (failed ones by default),
 * and a failed one queued again. Authentication is the admin API's (mounted before).
 */
public final class WebhookDeliveriesApi implements HttpRoutes {
  private static final Set<String> STATUSES = Set.of("pending", "delivered", "failed");
  private static final int DEFAULT_LIMIT = 100;
  private static final int MAX_LIMIT = 1000;

  private final WebhookEvents events;

  public WebhookDeliveriesApi(WebhookEvents events) {
    this.events = events;
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/api/v1/webhook-deliveries").handler(this::list);
    router.post("/admin/api/v1/webhook-deliveries/:id/retry").handler(this::retry);
  }

  private void list(RoutingContext ctx) {
    String status = ctx.queryParams().get("status") == null ? "failed" : ctx.queryParams().get("status");
    if (!STATUSES.contains(status)) {
      throw new ApiException(400, "invalid_status", "status must be pending, delivered or failed");
    }
    int limit = limit(ctx.queryParams().get("limit"));
    events.list(status, limit).onSuccess(list -> JsonHttp.respond(ctx, 200, new JsonObject().put("status", status)
        .put("deliveries", list))).onFailure(ctx::fail);
  }

  private static int limit(String raw) {
    if (raw == null) {
      return DEFAULT_LIMIT;
    }
    if (!raw.matches("[0-9]{1,4}") || Integer.parseInt(raw) < 1 || Integer.parseInt(raw) > MAX_LIMIT) {
      throw new ApiException(400, "invalid_limit", "limit must be a whole number from 1 to " + MAX_LIMIT);
    }
    return Integer.parseInt(raw);
  }

  private void retry(RoutingContext ctx) {
    String id = ctx.pathParam("id");
    if (id == null || !id.matches("evt_[0-9a-f]{32}")) {
      throw new ApiException(400, "invalid_event_id", "an event id is evt_ and 32 hexadecimal digits");
    }
    events.retry(id).onSuccess(outcome -> {
      switch (outcome) {
        case QUEUED -> JsonHttp.respond(ctx, 202, new JsonObject().put("id", id).put("status", "pending"));
        case NOT_FAILED -> ctx.fail(new ApiException(409, "not_failed", "event " + id + " has not failed"));
        case NOT_FOUND -> ctx.fail(new ApiException(404, "event_not_found", "no event " + id));
      }
    }).onFailure(ctx::fail);
  }
}

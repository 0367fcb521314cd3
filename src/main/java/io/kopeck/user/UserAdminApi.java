package io.kopeck.user;

import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.JsonHttp;
import io.kopeck.web.PathParams;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code /admin/api/v1/users/{id}}: show, adjust, block, unblock (SPEC §9), grants (SPEC §21). Authentication is the
 * admin API's (mounted before).
 */
public final class UserAdminApi implements HttpRoutes {
  private static final Actor ADMIN = new Actor("admin", "api");

  private final UserAccounts accounts;
  private final GrantAccounts grants;

  public UserAdminApi(UserAccounts accounts, GrantAccounts grants) {
    this.accounts = accounts;
    this.grants = grants;
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/api/v1/users/:userId").handler(ctx -> respond(ctx, accounts.show(userId(ctx))));
    router.post("/admin/api/v1/users/:userId/adjust").handler(ctx ->
        respond(ctx, accounts.adjust(userId(ctx), Adjustment.fromJson(JsonHttp.body(ctx)), ADMIN)));
    router.post("/admin/api/v1/users/:userId/block").handler(ctx ->
        respond(ctx, accounts.setBlocked(userId(ctx), true, ADMIN)));
    router.post("/admin/api/v1/users/:userId/unblock").handler(ctx ->
        respond(ctx, accounts.setBlocked(userId(ctx), false, ADMIN)));
    // A new grant is 201, the same grant again 200 (SPEC §21).
    router.post("/admin/api/v1/users/:userId/grants").handler(ctx ->
        grants.give(userId(ctx), GrantRequest.fromJson(JsonHttp.body(ctx)), ADMIN)
            .onSuccess(result -> JsonHttp.respond(ctx, result.created() ? 201 : 200, result.grant()))
            .onFailure(ctx::fail));
    router.get("/admin/api/v1/users/:userId/grants").handler(ctx -> {
      long userId = userId(ctx);
      respond(ctx, grants.running(userId).map(list -> new JsonObject().put("user_id", userId).put("grants", list)));
    });
  }

  private static void respond(RoutingContext ctx, Future<JsonObject> result) {
    result.onSuccess(json -> JsonHttp.respond(ctx, 200, json)).onFailure(ctx::fail);
  }

  private static long userId(RoutingContext ctx) {
    return PathParams.positiveLong(ctx, "userId", "invalid_user_id");
  }
}

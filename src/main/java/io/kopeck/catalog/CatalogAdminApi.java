package io.kopeck.catalog;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.app.ApiException;
import io.kopeck.app.HttpRoutes;
import io.kopeck.app.StrictJson;
import io.kopeck.audit.AuditLog.Actor;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** Admin API for the catalog (SPEC §9); authentication is the admin API's, mounted before these routes. */
public final class CatalogAdminApi implements HttpRoutes {
  private static final Actor ADMIN = new Actor("admin", "api");

  private final TariffCatalog tariffs;

  public CatalogAdminApi(TariffCatalog tariffs) {
    this.tariffs = tariffs;
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/api/v1/tariffs").handler(this::list);
    router.post("/admin/api/v1/tariffs").handler(this::create);
    router.patch("/admin/api/v1/tariffs/:slug").handler(this::update);
  }

  private void list(RoutingContext ctx) {
    tariffs.list().onSuccess(list -> {
      JsonArray items = new JsonArray();
      list.forEach(t -> items.add(t.toJson()));
      respond(ctx, 200, new JsonObject().put("tariffs", items));
    }).onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    tariffs.create(body(ctx), ADMIN).onSuccess(t -> respond(ctx, 201, t.toJson())).onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    tariffs.update(ctx.pathParam("slug"), body(ctx), ADMIN).onSuccess(t -> respond(ctx, 200, t.toJson()))
        .onFailure(ctx::fail);
  }

  private static ObjectNode body(RoutingContext ctx) {
    try {
      return StrictJson.readObject(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid_json", "The body is not a JSON object: " + e.getMessage());
    }
  }

  private static void respond(RoutingContext ctx, int status, JsonObject body) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }
}

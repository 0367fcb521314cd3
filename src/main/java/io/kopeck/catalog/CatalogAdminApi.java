package io.kopeck.catalog;

import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.JsonHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** Admin API for tariffs and promo codes (SPEC §9); authentication is the admin API's, mounted before. */
public final class CatalogAdminApi implements HttpRoutes {
  private static final Actor ADMIN = new Actor("admin", "api");

  private final TariffCatalog tariffs;
  private final PromoCodes promoCodes;

  public CatalogAdminApi(TariffCatalog tariffs, PromoCodes promoCodes) {
    this.tariffs = tariffs;
    this.promoCodes = promoCodes;
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/api/v1/tariffs").handler(this::list);
    router.post("/admin/api/v1/tariffs").handler(this::create);
    router.patch("/admin/api/v1/tariffs/:slug").handler(this::update);
    router.get("/admin/api/v1/promo-codes").handler(this::listPromoCodes);
    router.post("/admin/api/v1/promo-codes").handler(this::createPromoCode);
    router.get("/admin/api/v1/promo-codes/:code").handler(this::showPromoCode);
    router.post("/admin/api/v1/promo-codes/:code/deactivate").handler(this::deactivatePromoCode);
  }

  private void listPromoCodes(RoutingContext ctx) {
    promoCodes.list().onSuccess(list -> {
      JsonArray items = new JsonArray();
      list.forEach(p -> items.add(p.toJson()));
      JsonHttp.respond(ctx, 200, new JsonObject().put("promo_codes", items));
    }).onFailure(ctx::fail);
  }

  private void createPromoCode(RoutingContext ctx) {
    promoCodes.create(JsonHttp.body(ctx), ADMIN).onSuccess(p -> JsonHttp.respond(ctx, 201, p.toJson())).onFailure(ctx::fail);
  }

  private void showPromoCode(RoutingContext ctx) {
    promoCodes.find(ctx.pathParam("code")).onSuccess(p -> JsonHttp.respond(ctx, 200, p.toJson())).onFailure(ctx::fail);
  }

  private void deactivatePromoCode(RoutingContext ctx) {
    promoCodes.deactivate(ctx.pathParam("code"), ADMIN).onSuccess(p -> JsonHttp.respond(ctx, 200, p.toJson()))
        .onFailure(ctx::fail);
  }

  private void list(RoutingContext ctx) {
    tariffs.list().onSuccess(list -> {
      JsonArray items = new JsonArray();
      list.forEach(t -> items.add(t.toJson()));
      JsonHttp.respond(ctx, 200, new JsonObject().put("tariffs", items));
    }).onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    tariffs.create(JsonHttp.body(ctx), ADMIN).onSuccess(t -> JsonHttp.respond(ctx, 201, t.toJson())).onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    tariffs.update(ctx.pathParam("slug"), JsonHttp.body(ctx), ADMIN).onSuccess(t -> JsonHttp.respond(ctx, 200, t.toJson()))
        .onFailure(ctx::fail);
  }

}

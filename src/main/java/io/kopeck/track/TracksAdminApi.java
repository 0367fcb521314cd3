package io.kopeck.track;

import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.JsonHttp;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * {@code GET|POST /admin/api/v1/tracks}, {@code PATCH /admin/api/v1/tracks/{slug}} (SPEC §18): track
 * definitions, each change audited; authentication is the admin API's, mounted before.
 */
public final class TracksAdminApi implements HttpRoutes {
  private static final Actor ADMIN = new Actor("admin", "api");

  private final TrackCatalog catalog;

  public TracksAdminApi(TrackCatalog catalog) {
    this.catalog = catalog;
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/api/v1/tracks").handler(this::list);
    router.post("/admin/api/v1/tracks").handler(this::create);
    router.patch("/admin/api/v1/tracks/:slug").handler(this::update);
  }

  private void list(RoutingContext ctx) {
    catalog.list().onSuccess(tracks -> {
      JsonArray items = new JsonArray();
      tracks.forEach(track -> items.add(track.toJson()));
      JsonHttp.respond(ctx, 200, new JsonObject().put("tracks", items));
    }).onFailure(ctx::fail);
  }

  private void create(RoutingContext ctx) {
    catalog.create(JsonHttp.body(ctx), ADMIN).onSuccess(track -> JsonHttp.respond(ctx, 201, track.toJson()))
        .onFailure(ctx::fail);
  }

  private void update(RoutingContext ctx) {
    catalog.update(ctx.pathParam("slug"), JsonHttp.body(ctx), ADMIN)
        .onSuccess(track -> JsonHttp.respond(ctx, 200, track.toJson())).onFailure(ctx::fail);
  }
}

package io.kopeck.admin;

import io.kopeck.ledger.LedgerVerifier;
import io.kopeck.ledger.Violation;
import io.kopeck.web.BearerAuth;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.JsonHttp;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/**
 * The admin HTTP API under /admin/api/v1 (SPEC §9): its ADMIN_API_KEY check for every admin route
 * (features mount their own admin routes after it) and ledger verification.
 */
public final class AdminApi implements HttpRoutes {
  private final BearerAuth auth;
  private final LedgerVerifier verifier;
  private final int maxBodyBytes;

  public AdminApi(BearerAuth auth, LedgerVerifier verifier, int maxBodyBytes) {
    this.auth = auth;
    this.verifier = verifier;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void mountGuards(Router router) {
    // Authenticate before any body is read; then the bodies of the calls that take one.
    router.route("/admin/api/v1/*").handler(auth::handle);
    router.route("/admin/api/v1/*").method(HttpMethod.POST).method(HttpMethod.PATCH)
        .handler(HttpRoutes.body(maxBodyBytes));
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/api/v1/ledger/verify").handler(this::verifyLedger);
  }

  private void verifyLedger(RoutingContext ctx) {
    verifier.verify().onSuccess(violations -> {
      JsonArray rows = new JsonArray();
      violations.stream().map(Violation::toJson).forEach(rows::add);
      JsonHttp.respond(ctx, 200, new JsonObject().put("ok", violations.isEmpty()).put("violations", rows));
    }).onFailure(ctx::fail);
  }
}

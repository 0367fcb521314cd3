package io.kopeck.payment;

import io.kopeck.common.Refused;
import io.kopeck.web.ApiException;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.RequestHygiene;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code POST|GET /payments/{provider}/result}: form or query parameters, handed to the Robokassa
 * protocol adapter. A refusal is answered by its kind (400 bad signature, 404 unknown invoice); a
 * payment that could not be recorded (the database) is 503, and the provider sends it again.
 */
public final class PaymentApi implements HttpRoutes {
  private final RobokassaCallbacks callbacks;

  public PaymentApi(RobokassaCallbacks callbacks) {
    this.callbacks = callbacks;
  }

  @Override
  public void mount(Router router) {
    // Signed inside the body (Robokassa's protocol has no header to check first): read at most 64 KiB.
    router.route("/payments/:provider/result").method(HttpMethod.GET).method(HttpMethod.POST)
        .handler(HttpRoutes.body(CALLBACK_BODY_LIMIT)).handler(this::result);
  }

  private void result(RoutingContext ctx) {
    String problem = RequestHygiene.problemInParams(ctx.request().params(), true);
    if (problem != null) {
      ctx.fail(ApiException.badRequest("invalid_request", "A parameter " + problem));
      return;
    }
    Map<String, String> params = new LinkedHashMap<>();
    ctx.request().params().forEach(e -> {
      if (!e.getKey().equals("provider")) {
        params.put(e.getKey(), e.getValue());
      }
    });
    callbacks.result(ctx.pathParam("provider"), params).onComplete(done -> {
      if (done.failed()) {
        ctx.fail(done.cause() instanceof Refused ? done.cause()
            : new ApiException(503, "unavailable", "The payment could not be recorded; retry"));
      } else if (done.result().accepted()) {
        ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(done.result().body());
      } else {
        ctx.fail(new ApiException(400, "amount_mismatch", done.result().body()));
      }
    });
  }
}

package io.kopeck.payment;

import io.kopeck.common.Refusal;
import io.kopeck.web.ApiException;
import io.kopeck.web.HttpErrors;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.RequestHygiene;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;

/** {@code POST|GET /payments/{provider}/result}: form or query parameters, handed to the PaymentVerticle. */
public final class PaymentApi implements HttpRoutes {
  private static final DeliveryOptions DELIVERY = new DeliveryOptions().setSendTimeout(30_000).setLocalOnly(true);

  private final EventBus bus;

  public PaymentApi(EventBus bus) {
    this.bus = bus;
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
    JsonObject params = new JsonObject();
    ctx.request().params().forEach(e -> {
      if (!e.getKey().equals("provider")) {
        params.put(e.getKey(), e.getValue());
      }
    });
    JsonObject request = new JsonObject().put("provider", ctx.pathParam("provider")).put("params", params);
    bus.<JsonObject>request(PaymentVerticle.ADDRESS, request, DELIVERY).onComplete(done -> {
      if (done.failed()) {
        ctx.fail(new ApiException(503, "unavailable", "The payment could not be recorded; retry"));
        return;
      }
      JsonObject answer = done.result().body();
      if (answer.containsKey("error")) {
        int status = HttpErrors.statusOf(Refusal.Kind.valueOf(answer.getString("kind")));
        ctx.fail(new ApiException(status, answer.getString("error"), answer.getString("message")));
      } else if (answer.getBoolean("accepted")) {
        ctx.response().putHeader("Content-Type", "text/plain; charset=utf-8").end(answer.getString("body"));
      } else {
        ctx.fail(new ApiException(400, "amount_mismatch", answer.getString("body")));
      }
    });
  }
}

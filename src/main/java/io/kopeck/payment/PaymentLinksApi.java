package io.kopeck.payment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.StrictJson;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.JsonHttp;
import io.kopeck.web.PathParams;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.util.Set;

/**
 * {@code POST /api/v1/users/{id}/payment-links} (SPEC §21), with a Runner key (the Runner API's guard,
 * mounted before): {@code {"tariff": slug}} or {@code {"amount": "500.00"}}, optional {@code provider} and
 * {@code promo_code} → 201 with the invoice and its URL.
 */
public final class PaymentLinksApi implements HttpRoutes {
  private static final Set<String> FIELDS = Set.of("tariff", "amount", "provider", "promo_code");

  private final RunnerPaymentLinks links;

  public PaymentLinksApi(RunnerPaymentLinks links) {
    this.links = links;
  }

  @Override
  public void mount(Router router) {
    router.post("/api/v1/users/:userId/payment-links").handler(this::create);
  }

  private void create(RoutingContext ctx) {
    long userId = PathParams.positiveLong(ctx, "userId", "invalid_user_id");
    RunnerPaymentLinks.Request request = request(JsonHttp.body(ctx));
    links.create(userId, request).onSuccess(link -> JsonHttp.respond(ctx, 201, link)).onFailure(ctx::fail);
  }

  private static RunnerPaymentLinks.Request request(ObjectNode body) {
    body.fieldNames().forEachRemaining(name -> {
      if (!FIELDS.contains(name)) {
        throw PaymentRefusal.INVALID_LINK_REQUEST.because("Unknown field '" + name + "'; a payment link takes "
            + "tariff or amount, and optionally provider and promo_code");
      }
    });
    String tariff = text(body, "tariff");
    BigDecimal amount;
    try {
      amount = body.hasNonNull("amount") ? StrictJson.decimal(body, "amount") : null;
    } catch (IllegalArgumentException e) {
      throw PaymentRefusal.INVALID_LINK_REQUEST.because(e.getMessage());
    }
    if ((tariff == null) == (amount == null)) {
      throw PaymentRefusal.INVALID_LINK_REQUEST.because("Give either tariff (a slug) or amount, not both");
    }
    return new RunnerPaymentLinks.Request(tariff, amount, text(body, "provider"), text(body, "promo_code"));
  }

  private static String text(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual() || node.textValue().isBlank() || node.textValue().length() > 64) {
      throw PaymentRefusal.INVALID_LINK_REQUEST.because(field + " must be a string of 1 to 64 characters");
    }
    return node.textValue();
  }
}

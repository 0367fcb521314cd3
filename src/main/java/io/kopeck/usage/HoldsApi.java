package io.kopeck.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.CleanText;
import io.kopeck.common.StrictJson;
import io.kopeck.ledger.Amounts;
import io.kopeck.ledger.Holds;
import io.kopeck.ledger.Holds.Hold;
import io.kopeck.web.ApiException;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.JsonHttp;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.math.BigDecimal;
import java.time.Duration;

/**
 * Holds through the Runner API (SPEC §19), under the Runner key of {@code /api/v1/*}:
 * {@code POST /api/v1/holds} places one, {@code POST /api/v1/holds/{id}/settle} charges it (one
 * ledger row), {@code POST /api/v1/holds/{id}/release} gives its tokens back. The ledger's
 * {@link Holds} decides; this class reads and answers.
 */
public final class HoldsApi implements HttpRoutes {
  private static final int MAX_ID = 128;
  private static final int MAX_DESCRIPTION = 500;
  private static final BigDecimal MAX_AMOUNT = new BigDecimal("1000000000000");

  private final Holds holds;

  public HoldsApi(Holds holds) {
    this.holds = holds;
  }

  @Override
  public void mount(Router router) {
    router.post("/api/v1/holds").handler(this::place);
    router.post("/api/v1/holds/:holdId/settle").handler(this::settle);
    router.post("/api/v1/holds/:holdId/release").handler(this::release);
  }

  private void place(RoutingContext ctx) {
    ObjectNode body = JsonHttp.body(ctx);
    String holdId = holdId(body.path("hold_id").isTextual() ? body.get("hold_id").textValue() : null);
    JsonNode user = body.get("user_id");
    if (user == null || !user.isIntegralNumber() || !user.canConvertToLong() || user.longValue() <= 0) {
      throw ApiException.badRequest("invalid_request", "user_id must be a positive whole number");
    }
    BigDecimal amount = amount(body);
    Duration ttl = ttl(body.get("ttl_seconds"));
    String description = description(body.get("description"));
    holds.place(user.longValue(), holdId, amount, ttl, description).onSuccess(placed -> {
      Hold hold = placed.hold();
      JsonHttp.respond(ctx, placed.created() ? 201 : 200, new JsonObject().put("hold_id", hold.holdId())
          .put("user_id", hold.userId()).put("status", hold.status()).put("amount", Amounts.tokenText(hold.amount()))
          .put("available_after", Amounts.tokenText(hold.availableAfter()))
          .put("expires_at", hold.expiresAt().toInstant().toString()));
    }).onFailure(ctx::fail);
  }

  private void settle(RoutingContext ctx) {
    String holdId = holdId(ctx.pathParam("holdId"));
    BigDecimal amount = amount(JsonHttp.body(ctx));
    holds.settle(holdId, amount).onSuccess(hold -> JsonHttp.respond(ctx, 200, new JsonObject()
        .put("hold_id", hold.holdId()).put("status", hold.status())
        .put("tokens_charged", Amounts.tokenText(hold.tokensCharged()))
        .put("balance_after", Amounts.tokenText(hold.balanceAfter())).put("transaction_id", hold.transactionId())))
        .onFailure(ctx::fail);
  }

  private void release(RoutingContext ctx) {
    String holdId = holdId(ctx.pathParam("holdId"));
    holds.release(holdId).onSuccess(hold -> JsonHttp.respond(ctx, 200, new JsonObject()
        .put("hold_id", hold.holdId()).put("status", hold.status()))).onFailure(ctx::fail);
  }

  private static String holdId(String text) {
    if (text == null || text.isEmpty() || text.length() > MAX_ID || CleanText.problemInName(text) != null) {
      throw ApiException.badRequest("invalid_request", "hold_id must be a string of 1 to " + MAX_ID
          + " printable characters");
    }
    return text;
  }

  /** A positive number of tokens with at most 4 decimal places (a JSON number or a decimal string). */
  private static BigDecimal amount(ObjectNode body) {
    BigDecimal amount;
    try {
      amount = StrictJson.decimal(body, "amount");
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid_amount", e.getMessage());
    }
    if (amount == null || amount.signum() <= 0 || amount.compareTo(MAX_AMOUNT) > 0
        || amount.stripTrailingZeros().scale() > 4) {
      throw ApiException.badRequest("invalid_amount",
          "amount must be a positive number of tokens with at most 4 decimal places");
    }
    return amount.setScale(4);
  }

  private static Duration ttl(JsonNode node) {
    if (node == null || node.isNull()) {
      return Holds.DEFAULT_TTL;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 1
        || node.longValue() > Holds.MAX_TTL.toSeconds()) {
      throw ApiException.badRequest("invalid_request", "ttl_seconds must be a whole number from 1 to "
          + Holds.MAX_TTL.toSeconds());
    }
    return Duration.ofSeconds(node.longValue());
  }

  private static String description(JsonNode node) {
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual() || node.textValue().length() > MAX_DESCRIPTION
        || CleanText.problemInText(node.textValue()) != null) {
      throw ApiException.badRequest("invalid_request", "description must be a string of at most " + MAX_DESCRIPTION
          + " characters");
    }
    return node.textValue();
  }
}

package io.kopeck.usage;

import io.kopeck.ledger.Amounts;
import io.kopeck.ledger.ChargeResult;
import io.vertx.core.json.JsonObject;
import java.util.Map;

/** The JSON answers of the Runner API for charges (SPEC §6.2, §6.3). Amounts are decimal strings. */
final class ChargeResponses {
  private static final Map<String, Integer> STATUS = Map.of(
      ChargeResult.USER_NOT_FOUND, 404,
      ChargeResult.BALANCE_FLOOR, 409,
      ChargeResult.INSUFFICIENT_BALANCE, 409,
      ChargeResult.USER_BLOCKED, 403,
      ChargeResult.SUBSCRIPTION_EXPIRED, 403,
      ChargeResult.INVALID_EVENT, 422,
      ChargeResult.INVALID_REQUEST, 400,
      "unavailable", 503);

  private static final Map<String, String> MESSAGES = Map.of(
      ChargeResult.USER_NOT_FOUND, "No such user",
      ChargeResult.BALANCE_FLOOR, "The charge would take the balance below the floor; nothing was debited",
      ChargeResult.INSUFFICIENT_BALANCE, "The balance does not cover this spend",
      ChargeResult.USER_BLOCKED, "The user is blocked",
      ChargeResult.SUBSCRIPTION_EXPIRED, "An active subscription is required",
      ChargeResult.INVALID_EVENT, "The database cannot store this event as it is; it will not be charged",
      ChargeResult.INVALID_REQUEST, "The database cannot store this spend as it is; it will not be charged",
      "unavailable", "The charge was not recorded; retry with the same event_id or idempotency_key");

  private ChargeResponses() {
  }

  static int httpStatus(String error) {
    return STATUS.getOrDefault(error, 400);
  }

  static JsonObject usage(String eventId, ChargeResult result) {
    if (!result.charged()) {
      return rejected(eventId, result.rejection(), MESSAGES.get(result.rejection())).put("duplicate", result.duplicate());
    }
    return new JsonObject()
        .put("event_id", eventId)
        .put("status", result.duplicate() ? "duplicate" : "charged")
        .put("tokens_charged", Amounts.tokenText(result.tokens()))
        .put("balance_after", Amounts.tokenText(result.balanceAfter()))
        .put("transaction_id", result.transactionId());
  }

  static JsonObject rejected(String eventId, String error, String message) {
    return new JsonObject().put("event_id", eventId).put("status", "rejected").put("error", error)
        .put("message", message);
  }

  static JsonObject unavailable(String eventId) {
    return rejected(eventId, "unavailable", MESSAGES.get("unavailable")).put("retryable", true);
  }

  static JsonObject spend(ChargeResult result) {
    return new JsonObject()
        .put("transaction_id", result.transactionId())
        .put("tokens_spent", Amounts.tokenText(result.tokens()))
        .put("balance_before", Amounts.tokenText(result.balanceBefore()))
        .put("balance_after", Amounts.tokenText(result.balanceAfter()))
        .put("duplicate", result.duplicate());
  }

  static String message(String error) {
    return MESSAGES.getOrDefault(error, error);
  }
}

package io.kopeck.usage;

import io.kopeck.ledger.Amounts;
import io.kopeck.ledger.LedgerRefusal;
import io.kopeck.ledger.PostingResult;
import io.kopeck.web.HttpErrors;
import io.vertx.core.json.JsonObject;

/** The JSON answers of the Runner API for charges (SPEC §6.2, §6.3). Amounts are decimal strings. */
final class ChargeResponses {
  static final String UNAVAILABLE = "unavailable";
  private static final String UNAVAILABLE_MESSAGE =
      "The charge was not recorded; retry with the same event_id or idempotency_key";

  private ChargeResponses() {
  }

  static int httpStatus(LedgerRefusal refusal) {
    return HttpErrors.statusOf(refusal.kind());
  }

  static JsonObject usage(String eventId, PostingResult result) {
    if (!result.applied()) {
      return rejected(eventId, result.refusal().code(), result.refusal().message()).put("duplicate", result.duplicate());
    }
    return new JsonObject()
        .put("event_id", eventId)
        .put("status", result.duplicate() ? "duplicate" : "charged")
        .put("tokens_charged", Amounts.tokenText(result.debited()))
        .put("balance_after", Amounts.tokenText(result.balanceAfter()))
        .put("transaction_id", result.transactionId());
  }

  static JsonObject rejected(String eventId, String error, String message) {
    return new JsonObject().put("event_id", eventId).put("status", "rejected").put("error", error)
        .put("message", message);
  }

  /** An event that could not be read: refused before it reached the engine. */
  static JsonObject invalid(String eventId, String message) {
    return rejected(eventId, LedgerRefusal.INVALID_EVENT.code(), message);
  }

  static JsonObject unavailable(String eventId) {
    return rejected(eventId, UNAVAILABLE, UNAVAILABLE_MESSAGE).put("retryable", true);
  }

  static String unavailableMessage() {
    return UNAVAILABLE_MESSAGE;
  }

  static JsonObject spend(PostingResult result) {
    return new JsonObject()
        .put("transaction_id", result.transactionId())
        .put("tokens_spent", Amounts.tokenText(result.debited()))
        .put("balance_before", Amounts.tokenText(result.balanceBefore()))
        .put("balance_after", Amounts.tokenText(result.balanceAfter()))
        .put("duplicate", result.duplicate());
  }
}

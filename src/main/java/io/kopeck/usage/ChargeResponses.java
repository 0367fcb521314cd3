package io.kopeck.usage;

import com.fasterxml.jackson.core.io.JsonStringEncoder;
import io.kopeck.ledger.Amounts;
import io.kopeck.ledger.LedgerRefusal;
import io.kopeck.ledger.PostingResult;
import io.kopeck.web.HttpErrors;
import io.vertx.core.json.JsonObject;

/** The JSON answers of the Runner API for charges (SPEC §6.2, §6.3). Amounts are decimal strings. */
final class ChargeResponses {
  private static final JsonStringEncoder QUOTE = JsonStringEncoder.getInstance();
  static final String UNAVAILABLE = "unavailable";
  private static final String UNAVAILABLE_MESSAGE =
      "The charge was not recorded; retry with the same event_id or idempotency_key";

  private ChargeResponses() {
  }

  static int httpStatus(LedgerRefusal refusal) {
    return HttpErrors.statusOf(refusal.kind());
  }

  /** The answer to one event as JSON text; {@code line} (NDJSON) is added when not null. */
  static String usage(String eventId, PostingResult result, Integer line) {
    if (!result.applied()) {
      JsonObject rejected = rejected(eventId, result.refusal().code(), result.refusal().message())
          .put("duplicate", result.duplicate());
      return withLine(rejected, line).encode();
    }
    // The answer nearly every charge gets, written straight to text: building a JsonObject and
    // encoding it was a visible share of a charge's CPU. Same fields, same order as the tree would give.
    StringBuilder json = new StringBuilder(160).append("{\"event_id\":\"");
    QUOTE.quoteAsString(eventId, json);
    json.append("\",\"status\":\"").append(result.duplicate() ? "duplicate" : "charged")
        .append("\",\"tokens_charged\":\"").append(Amounts.tokenText(result.debited()))
        .append("\",\"balance_after\":\"").append(Amounts.tokenText(result.balanceAfter()))
        .append("\",\"transaction_id\":").append(result.transactionId());
    if (line != null) {
      json.append(",\"line\":").append(line.intValue());
    }
    return json.append('}').toString();
  }

  static JsonObject withLine(JsonObject answer, Integer line) {
    return line == null ? answer : answer.put("line", line);
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

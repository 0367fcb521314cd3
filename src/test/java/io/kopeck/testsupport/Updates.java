package io.kopeck.testsupport;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.atomic.AtomicLong;

/** Telegram updates shaped like the shared fixtures, with fresh update ids. */
public final class Updates {
  private static final AtomicLong IDS = new AtomicLong(920_000_000);

  private Updates() {
  }

  public static JsonObject user(long id, String firstName, String lastName, String language) {
    return new JsonObject().put("id", id).put("is_bot", false).put("first_name", firstName).put("last_name", lastName)
        .put("username", "user" + id).put("language_code", language);
  }

  /** A private text message (a command gets its bot_command entity, as Telegram sends it). */
  public static JsonObject text(JsonObject from, String text) {
    JsonObject message = new JsonObject().put("message_id", (int) (IDS.get() % 100_000)).put("date", 1764151200)
        .put("from", from).put("chat", chat(from)).put("text", text);
    if (text.startsWith("/")) {
      message.put("entities", new JsonArray().add(new JsonObject().put("offset", 0)
          .put("length", text.split(" ")[0].length()).put("type", "bot_command")));
    }
    return new JsonObject().put("update_id", IDS.incrementAndGet()).put("message", message);
  }

  /** A private message carrying a document (a file the user sends). */
  public static JsonObject document(JsonObject from, String fileId, String fileName, String mimeType, long size) {
    JsonObject message = new JsonObject().put("message_id", (int) (IDS.get() % 100_000)).put("date", 1764151200)
        .put("from", from).put("chat", chat(from)).put("document", new JsonObject().put("file_id", fileId)
            .put("file_unique_id", "u" + fileId).put("file_name", fileName).put("mime_type", mimeType)
            .put("file_size", size));
    return new JsonObject().put("update_id", IDS.incrementAndGet()).put("message", message);
  }

  /** A button press on the bot's message {@code messageId}. */
  public static JsonObject press(JsonObject from, int messageId, String data) {
    JsonObject message = new JsonObject().put("message_id", messageId).put("date", 1764151380)
        .put("from", new JsonObject().put("id", 7000000000L).put("is_bot", true).put("first_name", "Kopeck"))
        .put("chat", chat(from)).put("text", "…");
    return new JsonObject().put("update_id", IDS.incrementAndGet()).put("callback_query", new JsonObject()
        .put("id", "cb" + IDS.get()).put("chat_instance", "-1").put("from", from).put("message", message).put("data", data));
  }

  /** Telegram asking whether a Stars payment may go ahead. */
  public static JsonObject preCheckout(JsonObject from, String payload, long total, String currency) {
    return new JsonObject().put("update_id", IDS.incrementAndGet()).put("pre_checkout_query", new JsonObject()
        .put("id", "pcq" + IDS.get()).put("from", from).put("currency", currency).put("total_amount", total)
        .put("invoice_payload", payload));
  }

  /** A successful Stars payment, as the service message Telegram sends after it. */
  public static JsonObject paid(JsonObject from, String payload, long total, String chargeId) {
    return paid(from, payload, total, chargeId, new JsonObject());
  }

  /** The same with subscription fields (is_recurring, is_first_recurring, subscription_expiration_date). */
  public static JsonObject paid(JsonObject from, String payload, long total, String chargeId, JsonObject extra) {
    JsonObject payment = new JsonObject().put("currency", "XTR").put("total_amount", total)
        .put("invoice_payload", payload).put("telegram_payment_charge_id", chargeId)
        .put("provider_payment_charge_id", "").mergeIn(extra);
    return serviceMessage(from, "successful_payment", payment);
  }

  /** A refund of a Stars payment made outside Kopeck. */
  public static JsonObject refunded(JsonObject from, String payload, long total, String chargeId) {
    return serviceMessage(from, "refunded_payment", new JsonObject().put("currency", "XTR").put("total_amount", total)
        .put("invoice_payload", payload).put("telegram_payment_charge_id", chargeId));
  }

  private static JsonObject serviceMessage(JsonObject from, String field, JsonObject content) {
    JsonObject message = new JsonObject().put("message_id", (int) (IDS.get() % 100_000)).put("date", 1764151200)
        .put("from", from).put("chat", chat(from)).put(field, content);
    return new JsonObject().put("update_id", IDS.incrementAndGet()).put("message", message);
  }

  private static JsonObject chat(JsonObject from) {
    return new JsonObject().put("id", from.getLong("id")).put("first_name", from.getString("first_name"))
        .put("type", "private");
  }
}

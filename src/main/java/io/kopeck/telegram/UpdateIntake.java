package io.kopeck.telegram;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.pengrad.telegrambot.utility.BotUtils;
import io.kopeck.common.StrictJson;
import io.kopeck.payment.PaymentUpdates;
import io.kopeck.product.ForwarderVerticle;
import io.kopeck.product.ProductUpdates;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Where every update comes in, from the webhook or from long polling alike: a malformed one is
 * logged and dropped; a pre-checkout query goes straight to the {@link CheckoutVerticle} (Telegram
 * waits at most 10 s); any other is de-duplicated by update_id in the database and handed to the
 * {@link TelegramVerticle}. The outcome is what happened: malformed, checkout, accepted, duplicate.
 */
final class UpdateIntake {
  private static final String REMEMBER = """
      INSERT INTO telegram_updates (update_id) VALUES ($1) ON CONFLICT (update_id) DO NOTHING RETURNING update_id""";
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private static final Logger log = LoggerFactory.getLogger(UpdateIntake.class);

  private final Pool pool;
  private final EventBus bus;
  private final MeterRegistry registry;
  private final UpdateRouting routing;
  private final Clock clock;

  UpdateIntake(Pool pool, EventBus bus, MeterRegistry registry, UpdateRouting routing, Clock clock) {
    this.pool = pool;
    this.bus = bus;
    this.registry = registry;
    this.routing = routing;
    this.clock = clock;
  }

  Future<String> take(String body) {
    ObjectNode update = wellFormed(body);
    if (update == null) {
      return Future.succeededFuture(count("malformed"));
    }
    if (update.has("pre_checkout_query")) {
      bus.send(CheckoutVerticle.ADDRESS, body, LOCAL);
      return Future.succeededFuture(count("checkout"));
    }
    long updateId = update.get("update_id").longValue();
    return routing.productChat(update).compose(chat -> chat != null ? forward(chat, updateId, body)
        : keep(update, updateId, body));
  }

  /**
   * The product's (SPEC §20): queued durably, de-duplicated like every update, in one transaction,
   * before Telegram hears 200.
   */
  private Future<String> forward(long chat, long updateId, String body) {
    return pool.withTransaction(tx -> tx.preparedQuery(REMEMBER).execute(Tuple.of(updateId))
            .compose(rows -> rows.size() == 0 ? Future.succeededFuture(false)
                : ProductUpdates.remember(tx, chat, updateId, body, clock)))
        .map(fresh -> {
          if (fresh) {
            bus.send(ForwarderVerticle.WAKE, null, LOCAL);
          }
          return count(fresh ? "forwarded" : "duplicate");
        });
  }

  private Future<String> keep(ObjectNode update, long updateId, String body) {
    Long payer = payer(update);
    Future<Boolean> remembered = payer != null ? PaymentUpdates.remember(pool, payer, updateId, body)
        : pool.preparedQuery(REMEMBER).execute(Tuple.of(updateId)).map(rows -> rows.size() > 0);
    return remembered.map(fresh -> {
      if (fresh) {
        bus.send(TelegramVerticle.ADDRESS, body, LOCAL);
      }
      return count(fresh ? "accepted" : "duplicate");
    });
  }

  /**
   * Who paid, when the update is a payment ({@code successful_payment}, {@code refunded_payment}): such
   * an update is remembered durably until its effect is recorded (SPEC §17), not merely de-duplicated.
   */
  private static Long payer(ObjectNode update) {
    JsonNode message = update.path("message");
    JsonNode from = message.path("from").path("id");
    boolean payment = message.has("successful_payment") || message.has("refunded_payment");
    return payment && from.isIntegralNumber() && from.canConvertToLong() ? from.longValue() : null;
  }

  /**
   * Webhook updates: accepted, forwarded (the product's), duplicate (update_id seen before), checkout
   * (a pre-checkout query), malformed (ignored), rejected (wrong secret).
   */
  String count(String outcome) {
    registry.counter("kopeck_telegram_updates", "outcome", outcome).increment();
    return outcome;
  }

  /**
   * The update when the body is one the bot can read: a JSON object of clean strings with a
   * non-negative update_id, in the shape the Bot API library expects. Otherwise one WARN line (with
   * the update_id when there is one) and null: Telegram hears 200 and nothing else happens, so a
   * broken update is never retried forever (SPEC §8, §11).
   */
  private static ObjectNode wellFormed(String body) {
    ObjectNode json;
    try {
      json = StrictJson.readObject(body == null ? "" : body);
    } catch (IllegalArgumentException e) {
      log.warn("Malformed Telegram update ignored: {}", kv("reason", e.getMessage()));
      return null;
    }
    JsonNode id = json.get("update_id");
    Long updateId = id != null && id.isIntegralNumber() && id.canConvertToLong() && id.longValue() >= 0
        ? id.longValue() : null;
    String problem = updateId == null ? "update_id is missing or not a whole number" : shapeProblem(body);
    if (problem != null) {
      log.warn("Malformed Telegram update ignored: {} {}", kv("update_id", updateId), kv("reason", problem));
      return null;
    }
    return json;
  }

  private static String shapeProblem(String body) {
    try {
      return BotUtils.parseUpdate(body) == null ? "not an update" : null;
    } catch (RuntimeException e) {
      return "not in the shape of an update: " + e.getClass().getSimpleName();
    }
  }
}

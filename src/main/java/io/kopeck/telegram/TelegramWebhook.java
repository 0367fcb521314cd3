package io.kopeck.telegram;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.pengrad.telegrambot.utility.BotUtils;
import io.kopeck.common.StrictJson;
import io.kopeck.web.ApiException;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.JsonHttp;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /telegram/webhook} (SPEC §8): the secret header checked in constant time (401 and
 * nothing processed otherwise), the update de-duplicated by update_id in the database, answered
 * 200 at once, and handed to the TelegramVerticle. A failure while handling is logged there and
 * never turns into an error Telegram would retry.
 */
public final class TelegramWebhook implements HttpRoutes {
  private static final String REMEMBER = """
      INSERT INTO telegram_updates (update_id) VALUES ($1) ON CONFLICT (update_id) DO NOTHING RETURNING update_id""";
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private static final Logger log = LoggerFactory.getLogger(TelegramWebhook.class);

  private final byte[] secret;
  private final Pool pool;
  private final EventBus bus;

  private final MeterRegistry registry;

  public TelegramWebhook(String secret, Pool pool, EventBus bus, MeterRegistry registry) {
    this.secret = secret.getBytes(StandardCharsets.UTF_8);
    this.pool = pool;
    this.bus = bus;
    this.registry = registry;
  }

  @Override
  public void mountGuards(Router router) {
    // The secret is a header: checked before a byte of the body is read.
    router.post("/telegram/webhook").handler(this::checkSecret);
    router.post("/telegram/webhook").handler(HttpRoutes.body(CALLBACK_BODY_LIMIT));
  }

  @Override
  public void mount(Router router) {
    router.post("/telegram/webhook").handler(this::receive);
  }

  private void checkSecret(RoutingContext ctx) {
    String presented = ctx.request().getHeader("X-Telegram-Bot-Api-Secret-Token");
    // No secret configured means no webhook: nobody's updates are taken.
    if (secret.length == 0 || presented == null
        || !MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8))) {
      count("rejected");
      ctx.fail(new ApiException(401, "unauthorized", "Missing or wrong X-Telegram-Bot-Api-Secret-Token"));
      return;
    }
    ctx.next();
  }

  private void receive(RoutingContext ctx) {
    String body = ctx.body().asString("UTF-8");
    ObjectNode update = wellFormed(body);
    if (update == null) {
      count("malformed");
      JsonHttp.respond(ctx, 200, new JsonObject());
      return;
    }
    if (update.has("pre_checkout_query")) {
      // Telegram waits at most 10 s for this answer: straight to its own verticle, no queue in front.
      count("checkout");
      bus.send(CheckoutVerticle.ADDRESS, body, LOCAL);
      JsonHttp.respond(ctx, 200, new JsonObject());
      return;
    }
    long updateId = update.get("update_id").longValue();
    pool.preparedQuery(REMEMBER).execute(Tuple.of(updateId)).onSuccess(rows -> {
      boolean fresh = rows.size() > 0;
      count(fresh ? "accepted" : "duplicate");
      if (fresh) {
        bus.send(TelegramVerticle.ADDRESS, body, LOCAL);
      }
      JsonHttp.respond(ctx, 200, new JsonObject());
    }).onFailure(ctx::fail);
  }

  /**
   * Webhook updates: accepted, duplicate (update_id seen before), checkout (a pre-checkout query),
   * malformed (ignored), rejected (wrong secret).
   */
  private void count(String outcome) {
    registry.counter("kopeck_telegram_updates", "outcome", outcome).increment();
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

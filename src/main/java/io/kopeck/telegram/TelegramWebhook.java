package io.kopeck.telegram;

import io.kopeck.app.ApiException;
import io.kopeck.app.HttpRoutes;
import io.kopeck.app.JsonHttp;
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
  public void mount(Router router) {
    router.post("/telegram/webhook").handler(this::receive);
  }

  private void receive(RoutingContext ctx) {
    String presented = ctx.request().getHeader("X-Telegram-Bot-Api-Secret-Token");
    // No secret configured means no webhook: nobody's updates are taken.
    if (secret.length == 0 || presented == null
        || !MessageDigest.isEqual(secret, presented.getBytes(StandardCharsets.UTF_8))) {
      count("rejected");
      ctx.fail(new ApiException(401, "unauthorized", "Missing or wrong X-Telegram-Bot-Api-Secret-Token"));
      return;
    }
    JsonObject update = update(ctx);
    long updateId = update.getLong("update_id");
    pool.preparedQuery(REMEMBER).execute(Tuple.of(updateId)).onSuccess(rows -> {
      boolean fresh = rows.size() > 0;
      count(fresh ? "accepted" : "duplicate");
      if (fresh) {
        bus.send(TelegramVerticle.ADDRESS, update, LOCAL);
      }
      JsonHttp.respond(ctx, 200, new JsonObject());
    }).onFailure(ctx::fail);
  }

  /** Webhook updates: accepted, duplicate (update_id seen before), rejected (wrong secret). */
  private void count(String outcome) {
    registry.counter("kopeck_telegram_updates", "outcome", outcome).increment();
  }

  private static JsonObject update(RoutingContext ctx) {
    JsonObject update;
    try {
      update = ctx.body().asJsonObject();
    } catch (RuntimeException e) {
      throw ApiException.badRequest("invalid_json", "The body is not a Telegram update");
    }
    if (update == null || !(update.getValue("update_id") instanceof Number id) || id.longValue() < 0) {
      throw ApiException.badRequest("invalid_update", "update_id is required");
    }
    return update;
  }
}

package io.kopeck.telegram;

import io.kopeck.web.ApiException;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.JsonHttp;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.util.List;

/**
 * {@code POST /telegram/webhook} (SPEC §8): the secret header checked in constant time (401 and
 * nothing processed otherwise), then the update goes through {@link UpdateIntake} (de-duplicated by
 * update_id, handed to the TelegramVerticle) and is answered 200 at once. A failure while handling
 * is logged there and never turns into an error Telegram would retry.
 */
public final class TelegramWebhook implements HttpRoutes {
  private final List<byte[]> secrets;
  private final UpdateIntake intake;

  /** {@code secrets}: TELEGRAM_WEBHOOK_SECRET, and in console mode the page's own; empty ones are ignored. */
  public TelegramWebhook(List<String> secrets, Pool pool, EventBus bus, MeterRegistry registry, UpdateRouting routing,
                         Clock clock) {
    this.secrets = secrets.stream().filter(s -> !s.isEmpty()).map(s -> s.getBytes(StandardCharsets.UTF_8)).toList();
    this.intake = new UpdateIntake(pool, bus, registry, routing, clock);
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
    if (presented == null || !matches(presented.getBytes(StandardCharsets.UTF_8))) {
      intake.count("rejected");
      ctx.fail(new ApiException(401, "unauthorized", "Missing or wrong X-Telegram-Bot-Api-Secret-Token"));
      return;
    }
    ctx.next();
  }

  /** Constant time per secret, and every secret compared, so the time says nothing about which one matched. */
  private boolean matches(byte[] presented) {
    boolean matched = false;
    for (byte[] secret : secrets) {
      matched |= MessageDigest.isEqual(secret, presented);
    }
    return matched;
  }

  private void receive(RoutingContext ctx) {
    intake.take(ctx.body().asString("UTF-8")).onSuccess(outcome -> JsonHttp.respond(ctx, 200, new JsonObject()))
        .onFailure(ctx::fail);
  }

}

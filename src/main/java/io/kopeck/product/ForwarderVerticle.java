package io.kopeck.product;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.botapi.BotApi;
import io.kopeck.common.ClaimLoop;
import io.kopeck.product.ProductUpdates.Claimed;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.DecodeException;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Delivers the updates Kopeck does not handle to the owner's product (SPEC §20): {@code POST
 * PRODUCT_WEBHOOK_URL} with Telegram's original JSON and {@code X-Kopeck-Secret}. A 2xx answer is
 * delivered; when its body is a webhook reply ({@code {"method": "sendMessage", …}}) Kopeck makes that
 * Bot API call. Anything else is tried again later ({@link ProductUpdates#notDelivered}). At most
 * {@link #IN_FLIGHT} deliveries at once per instance, one per chat, in update order per chat.
 */
public final class ForwarderVerticle extends VerticleBase {
  /** Wakes the claim loop now (an update was just queued) instead of at the next tick. */
  public static final String WAKE = "product.updates.wake";
  private static final Logger log = LoggerFactory.getLogger(ForwarderVerticle.class);
  private static final int IN_FLIGHT = 32;
  private static final long TICK_MS = 200;
  private static final int MAX_REPLY_BYTES = 64 * 1024;

  /** Where the product listens and the secret that tells it the update comes from Kopeck. */
  public record Settings(String url, String secret) {
    @Override
    public String toString() {
      return "ForwarderVerticle.Settings[url=" + url + "]"; // never the secret
    }
  }

  private final ProductUpdates updates;
  private final Settings settings;
  private final BotApi api;
  private final MeterRegistry registry;
  private WebClient client;
  private ClaimLoop<Claimed> loop;

  public ForwarderVerticle(ProductUpdates updates, Settings settings, BotApi api, MeterRegistry registry) {
    this.updates = updates;
    this.settings = settings;
    this.api = api;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5_000).setIdleTimeout(60),
        new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
    loop = new ClaimLoop<>("product updates", IN_FLIGHT, updates::claim, this::deliver).start(vertx, TICK_MS);
    return vertx.eventBus().localConsumer(WAKE, message -> loop.claim()).completion();
  }

  /** Stops claiming and lets the deliveries in flight record their outcome. */
  @Override
  public Future<?> stop() {
    return loop.stop().onComplete(v -> client.close());
  }

  private Future<Void> deliver(Claimed update) {
    return client.postAbs(settings.url()).putHeader("Content-Type", "application/json")
        .putHeader("X-Kopeck-Secret", settings.secret()).putHeader("X-Kopeck-Update-Id", Long.toString(update.updateId()))
        .timeout(30_000).sendBuffer(Buffer.buffer(update.body()))
        .transform(done -> done.succeeded() && done.result().statusCode() / 100 == 2
            ? updates.delivered(update).compose(v -> reply(update, done.result()))
            : retry(update, done.succeeded() ? "the product answered " + done.result().statusCode()
                : done.cause().toString()));
  }

  private Future<Void> retry(Claimed update, String error) {
    count("retried");
    return updates.notDelivered(update, error).map(gaveUp -> {
      if (gaveUp) {
        count("failed");
        log.error("Product update given up after 24 h {} {} {}", kv("update_id", update.updateId()),
            kv("chat_id", update.chatId()), kv("error", error));
      }
      return null;
    });
  }

  /**
   * The product answered in Telegram's webhook-reply form: Kopeck makes the call for it. What Telegram
   * says to it is logged, not retried — the update itself was delivered.
   */
  private Future<Void> reply(Claimed update, HttpResponse<Buffer> answer) {
    count("delivered");
    Buffer body = answer.body();
    if (body == null || body.length() == 0 || body.length() > MAX_REPLY_BYTES) {
      return Future.succeededFuture();
    }
    JsonObject call;
    try {
      call = new JsonObject(body);
    } catch (DecodeException | ClassCastException e) {
      return Future.succeededFuture();
    }
    String method = call.getString("method");
    if (method == null) {
      return Future.succeededFuture();
    }
    JsonObject params = call.copy();
    params.remove("method");
    return api.raw(method, params).transform(done -> {
      if (done.failed() || !done.result().getBoolean("ok", false)) {
        log.warn("The product's webhook reply was refused {} {} {}", kv("update_id", update.updateId()),
            kv("method", method), kv("answer", done.failed() ? done.cause().getMessage() : done.result().encode()));
      } else {
        count("replied");
      }
      return Future.succeededFuture();
    });
  }

  /** Outcomes: delivered, replied (a webhook reply made), retried, failed (given up). */
  private void count(String outcome) {
    registry.counter("kopeck_product_updates", "outcome", outcome).increment();
  }
}

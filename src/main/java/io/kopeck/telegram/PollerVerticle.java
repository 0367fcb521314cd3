package io.kopeck.telegram;

import com.pengrad.telegrambot.request.DeleteWebhook;
import io.kopeck.botapi.BotApi;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Long polling for development (SPEC §14, TELEGRAM_MODE=polling): one poller across all instances —
 * the one that holds a PostgreSQL advisory lock on its own connection (the others try again every
 * few seconds, so one takes over when the poller's process dies and its session with it). The
 * poller removes any webhook ({@code deleteWebhook}), then asks {@code getUpdates} (long poll,
 * offset = last update_id + 1) and hands every raw update to the same {@link UpdateIntake} the
 * webhook uses: the same checks, de-duplication and handlers.
 */
public final class PollerVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(PollerVerticle.class);
  private static final String LOCK = "SELECT pg_try_advisory_lock(hashtext('kopeck.telegram.poller')) AS held";
  private static final int LONG_POLL_SECONDS = 25;
  private static final long RETRY_MS = 3_000;

  private final Pool pool;
  private final BotSettings config;
  private final MeterRegistry registry;
  private final AtomicInteger active = new AtomicInteger();
  private UpdateIntake intake;
  private final UpdateRouting routing;
  private final Clock clock;
  private WebClient client;
  private final BotApi api;
  private SqlConnection lock;
  private long offset;
  private boolean stopping;

  public PollerVerticle(Pool pool, BotSettings config, BotApi api, MeterRegistry registry, UpdateRouting routing,
                        Clock clock) {
    this.routing = routing;
    this.clock = clock;
    this.api = api;
    this.pool = pool;
    this.config = config;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    intake = new UpdateIntake(pool, vertx.eventBus(), registry, routing, clock);
    client = WebClient.create(vertx, new WebClientOptions().setIdleTimeout(0));
    registry.gauge("kopeck_telegram_poller_active", active);
    vertx.setTimer(1, id -> acquire());
    return Future.succeededFuture();
  }

  @Override
  public Future<?> stop() {
    stopping = true;
    client.close();
    return lock == null ? Future.succeededFuture() : lock.close();
  }

  /** Takes the poller's lock on a connection of its own, or tries again later. */
  private void acquire() {
    if (stopping) {
      return;
    }
    pool.getConnection().compose(connection -> connection.query(LOCK).execute().compose(rows -> {
      if (rows.iterator().next().getBoolean("held")) {
        lock = connection;
        return Future.succeededFuture(true);
      }
      return connection.close().map(false);
    })).onComplete(done -> {
      if (done.succeeded() && done.result()) {
        active.set(1);
        log.info("Telegram: this instance polls for updates (long polling)");
        api.call(new DeleteWebhook()).onComplete(v -> poll());
      } else {
        vertx.setTimer(RETRY_MS, id -> acquire());
      }
    });
  }

  private void poll() {
    if (stopping) {
      return;
    }
    // The lock lives as long as its connection: a lost connection means another instance may poll now.
    lock.query("SELECT 1").execute().compose(v -> getUpdates()).onComplete(done -> {
      if (done.succeeded()) {
        poll();
        return;
      }
      if (!stopping && lockLost(done.cause())) {
        return;
      }
      log.warn("Telegram: getUpdates failed, retrying: {}", done.cause().getMessage());
      vertx.setTimer(RETRY_MS, id -> poll());
    });
  }

  private boolean lockLost(Throwable cause) {
    if (lock != null && cause.getMessage() != null && cause.getMessage().contains("closed")) {
      log.warn("Telegram: the poller's database session ended; trying to poll again");
      active.set(0);
      lock = null;
      vertx.setTimer(RETRY_MS, id -> acquire());
      return true;
    }
    return false;
  }

  private Future<Void> getUpdates() {
    JsonObject request = new JsonObject().put("offset", offset).put("timeout", LONG_POLL_SECONDS)
        .put("allowed_updates", new JsonArray(List.of(BotSetup.ALLOWED_UPDATES)));
    // The token is part of the path; this URL is never logged.
    return client.postAbs(config.telegramApiUrl().replaceAll("/+$", "") + "/bot" + config.telegramBotToken()
            + "/getUpdates").timeout((LONG_POLL_SECONDS + 10) * 1000L).sendJsonObject(request)
        .compose(response -> {
          JsonObject body = response.bodyAsJsonObject();
          if (response.statusCode() != 200 || body == null || !body.getBoolean("ok", false)) {
            return Future.failedFuture("getUpdates answered " + response.statusCode());
          }
          return take(body.getJsonArray("result", new JsonArray()), 0);
        });
  }

  /** One update after another, in Telegram's order; the offset moves past each once it is taken. */
  private Future<Void> take(JsonArray updates, int index) {
    if (index >= updates.size()) {
      return Future.succeededFuture();
    }
    Object update = updates.getValue(index);
    long updateId = update instanceof JsonObject json ? json.getLong("update_id", -1L) : -1L;
    String raw = update instanceof JsonObject json ? json.encode() : String.valueOf(update);
    return intake.take(raw).compose(outcome -> {
      offset = Math.max(offset, updateId + 1);
      return take(updates, index + 1);
    });
  }
}

package io.kopeck.events;

import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.util.UUID;

/**
 * Writes the events of SPEC §21 into the webhook outbox, inside the transaction of the effect they
 * report: committed together or not at all. Delivery is {@link WebhookSenderVerticle}'s. Without
 * WEBHOOK_URL nothing is written (there is no one to tell, and a queue no one drains only grows).
 */
public final class Events {
  private static final String INSERT = """
      INSERT INTO webhook_events (user_id, id, type, dedup_key, body, next_attempt_at, created_at)
      VALUES ($1, $2, $3, $4, $5, $6, $6) ON CONFLICT (user_id, dedup_key) DO NOTHING""";

  private final Clock clock;
  private final boolean enabled;

  public Events(Clock clock, boolean enabled) {
    this.clock = clock;
    this.enabled = enabled;
  }

  /** Writes nothing, ever (the CLI's commands, a service without WEBHOOK_URL). */
  public static Events none(Clock clock) {
    return new Events(clock, false);
  }

  /**
   * Queues an event about {@code userId} on {@code tx}. {@code dedupKey} names the effect (an invoice
   * paid, a grant expired): the same key again queues nothing, so a replayed effect is told once.
   */
  public Future<Void> emit(SqlClient tx, long userId, EventType type, String dedupKey, JsonObject data) {
    if (!enabled) {
      return Future.succeededFuture();
    }
    OffsetDateTime now = Times.utcNow(clock);
    String id = "evt_" + UUID.randomUUID().toString().replace("-", "");
    String body = new JsonObject().put("id", id).put("type", type.wireName())
        .put("created_at", DateTimeFormatter.ISO_INSTANT.format(now)).put("data", data).encode();
    return tx.preparedQuery(INSERT).execute(Tuple.of(userId, id, type.wireName(), type.wireName() + ":" + dedupKey,
        body, now)).mapEmpty();
  }
}

package io.kopeck.events;

import io.kopeck.common.PerRow;
import io.kopeck.common.RowClaim;
import io.kopeck.common.RowJson;
import io.kopeck.common.TimerJob;
import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The webhook outbox ({@code webhook_events}, SPEC §21): claimed by one instance at a time, leased for
 * the length of a delivery, retried after 1, 2, 4 … minutes (at most 24 h apart) until a 2xx, and
 * {@code failed} after {@link #MAX_ATTEMPTS}; failed events are listed and sent again on an admin's word.
 */
public final class WebhookEvents {
  static final int MAX_ATTEMPTS = 15;
  static final Duration LEASE = Duration.ofSeconds(60);
  private static final Duration FIRST_BACKOFF = Duration.ofMinutes(1);
  private static final Duration MAX_BACKOFF = Duration.ofHours(24);
  private static final Duration KEEP_DELIVERED = Duration.ofDays(7);

  private final RowClaim due = new RowClaim(
      "SELECT user_id, id FROM webhook_events WHERE status = 'pending' AND next_attempt_at <= $1",
      "ORDER BY next_attempt_at LIMIT $2", "FOR UPDATE SKIP LOCKED", 2, "user_id", "user_id", "id", "id");
  private static final String LEASE_ROW = """
      UPDATE webhook_events SET attempts = attempts + 1, next_attempt_at = $3
      WHERE user_id = $1 AND id = $2 RETURNING user_id, id, type, body, attempts""";
  private static final String DELIVERED = """
      UPDATE webhook_events SET status = 'delivered', delivered_at = $3, last_status = $4, last_error = NULL
      WHERE user_id = $1 AND id = $2""";
  private static final String NOT_DELIVERED = """
      UPDATE webhook_events SET status = $3, next_attempt_at = $4, last_status = $5, last_error = $6
      WHERE user_id = $1 AND id = $2""";
  private static final String LIST = """
      SELECT id, user_id, type, attempts, last_status, last_error, created_at, next_attempt_at, body
      FROM webhook_events WHERE status = $1 ORDER BY created_at, id LIMIT $2""";
  private static final String RETRY = """
      UPDATE webhook_events SET status = 'pending', attempts = 0, next_attempt_at = $2
      WHERE id = $1 AND status = 'failed' RETURNING id""";
  private static final String EXISTS = "SELECT status FROM webhook_events WHERE id = $1";
  private static final String BACKLOG = "SELECT count(*) FROM webhook_events WHERE status = 'pending'";
  private static final String PRUNE = "DELETE FROM webhook_events WHERE status = 'delivered' AND delivered_at < $1";

  /** A leased event, ready to send. */
  public record Claimed(long userId, String id, String type, String body, int attempts) {
  }

  /** What an admin's retry found: the event was failed and is queued again, or it is not failed, or unknown. */
  public enum Retry { QUEUED, NOT_FAILED, NOT_FOUND }

  private final Pool pool;
  private final Clock clock;

  public WebhookEvents(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** Up to {@code limit} events due now, leased to the caller. */
  Future<List<Claimed>> claim(int limit) {
    OffsetDateTime now = Times.utcNow(clock);
    return pool.withTransaction(tx -> due.claim(tx, Tuple.of(now, limit)).compose(rows -> {
      List<Tuple> leases = new ArrayList<>();
      rows.forEach(row -> leases.add(Tuple.of(row.getLong("user_id"), row.getString("id"), now.plus(LEASE))));
      return PerRow.execute(tx, LEASE_ROW, leases);
    })).map(leased -> leased.stream().map(WebhookEvents::claimed).toList());
  }

  private static Claimed claimed(Row row) {
    return new Claimed(row.getLong("user_id"), row.getString("id"), row.getString("type"), row.getString("body"),
        row.getInteger("attempts"));
  }

  Future<Void> delivered(Claimed event, int status) {
    return pool.preparedQuery(DELIVERED).execute(Tuple.of(event.userId(), event.id(), Times.utcNow(clock), status))
        .mapEmpty();
  }

  /** Not delivered: tried again after {@link #backoff}, or failed after {@link #MAX_ATTEMPTS}; true when it failed. */
  Future<Boolean> notDelivered(Claimed event, Integer status, String error) {
    boolean failed = event.attempts() >= MAX_ATTEMPTS;
    OffsetDateTime next = Times.utcNow(clock).plus(backoff(event.attempts()));
    String shortError = error.length() > 500 ? error.substring(0, 500) : error;
    return pool.preparedQuery(NOT_DELIVERED).execute(Tuple.of(event.userId(), event.id(),
        failed ? "failed" : "pending", next, status, shortError)).map(failed);
  }

  /** The pause after the {@code attempts}-th failed try: 1 min, doubled each time, at most 24 h. */
  static Duration backoff(int attempts) {
    Duration pause = FIRST_BACKOFF.multipliedBy(1L << Math.min(20, Math.max(0, attempts - 1)));
    return pause.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : pause;
  }

  /** Events in {@code status} (pending, delivered, failed), oldest first, for the admin API. */
  public Future<JsonArray> list(String status, int limit) {
    return pool.preparedQuery(LIST).execute(Tuple.of(status, limit)).map(rows -> {
      JsonArray list = new JsonArray();
      for (Row row : rows) {
        JsonObject event = RowJson.of(row);
        event.put("event", new JsonObject((String) event.remove("body")));
        list.add(event);
      }
      return list;
    });
  }

  /** A failed event queued again now, its attempts counted from zero. */
  public Future<Retry> retry(String id) {
    return pool.preparedQuery(RETRY).execute(Tuple.of(id, Times.utcNow(clock))).compose(rows -> rows.size() > 0
        ? Future.succeededFuture(Retry.QUEUED)
        : pool.preparedQuery(EXISTS).execute(Tuple.of(id))
            .map(found -> found.size() == 0 ? Retry.NOT_FOUND : Retry.NOT_FAILED));
  }

  /** Events not yet delivered (the backlog gauge). */
  Future<Long> backlog() {
    return pool.query(BACKLOG).execute().map(rows -> rows.iterator().next().getLong(0));
  }

  /** The timer's job: delivered events are kept a week, then deleted; failed ones stay until retried. */
  public TimerJob retentionJob() {
    return TimerJob.counting("webhook-event-retention", "deleted", () -> pool.preparedQuery(PRUNE)
        .execute(Tuple.of(Times.utcNow(clock).minus(KEEP_DELIVERED))).map(rows -> rows.rowCount()));
  }
}

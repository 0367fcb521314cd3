package io.kopeck.product;

import io.kopeck.common.PerRow;
import io.kopeck.common.RowClaim;
import io.kopeck.common.TimerJob;
import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The durable queue of updates forwarded to the owner's product (SPEC §20, {@code product_updates}):
 * an update is written there before Telegram hears 200 (its update_id makes a second delivery a
 * no-op), then claimed by one instance at a time, in update order per chat — an update waits while an
 * earlier one of its chat is pending — and retried with backoff until delivered or 24 h old.
 */
public final class ProductUpdates {
  /** How long an update is tried before it is given up ({@code failed}), and later ones of its chat go on. */
  static final Duration GIVE_UP_AFTER = Duration.ofHours(24);
  /** How long a claimed update is the claimer's: a delivery that takes longer is claimed again. */
  static final Duration LEASE = Duration.ofSeconds(60);
  private static final Duration FIRST_BACKOFF = Duration.ofSeconds(1);
  private static final Duration MAX_BACKOFF = Duration.ofMinutes(10);
  private static final Duration KEEP = Duration.ofDays(7);

  private static final String REMEMBER = """
      INSERT INTO product_updates (chat_id, update_id, body, next_attempt_at, created_at) VALUES ($1, $2, $3, $4, $4)
      ON CONFLICT DO NOTHING RETURNING update_id""";
  private final RowClaim due = new RowClaim(
      "SELECT chat_id, update_id FROM product_updates p WHERE status = 'pending' AND next_attempt_at <= $1", """
      NOT EXISTS (SELECT 1 FROM product_updates e WHERE e.chat_id = p.chat_id AND e.status = 'pending'
        AND e.update_id < p.update_id)""",
      "ORDER BY next_attempt_at, update_id LIMIT $2", "FOR UPDATE SKIP LOCKED", 2,
      "chat_id", "chat_id", "update_id", "update_id");
  private static final String LEASE_ROW = """
      UPDATE product_updates SET attempts = attempts + 1, next_attempt_at = $3
      WHERE chat_id = $1 AND update_id = $2 RETURNING chat_id, update_id, body, attempts, created_at""";
  private static final String DELIVERED = """
      UPDATE product_updates SET status = 'delivered', delivered_at = $3, last_error = NULL
      WHERE chat_id = $1 AND update_id = $2""";
  private static final String RETRY = """
      UPDATE product_updates SET status = $3, next_attempt_at = $4, last_error = $5 WHERE chat_id = $1 AND update_id = $2""";
  private static final String PRUNE = """
      DELETE FROM product_updates WHERE status <> 'pending' AND created_at < $1""";

  /** A claimed update, ready to deliver. */
  public record Claimed(long chatId, long updateId, String body, int attempts, OffsetDateTime createdAt) {
  }

  private final Pool pool;
  private final Clock clock;

  public ProductUpdates(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /**
   * Queues an update for the product on {@code client} (the intake's transaction, with its
   * de-duplication); false when it was queued before.
   */
  public static Future<Boolean> remember(SqlClient client, long chatId, long updateId, String body, Clock clock) {
    return client.preparedQuery(REMEMBER).execute(Tuple.of(chatId, updateId, body, Times.utcNow(clock)))
        .map(rows -> rows.size() > 0);
  }

  /** Up to {@code limit} updates due now, the first pending one of each chat only, leased to the caller. */
  Future<List<Claimed>> claim(int limit) {
    OffsetDateTime now = Times.utcNow(clock);
    return pool.withTransaction(tx -> due.claim(tx, Tuple.of(now, limit)).compose(rows -> {
      List<Tuple> leases = new ArrayList<>();
      rows.forEach(row -> leases.add(Tuple.of(row.getLong("chat_id"), row.getLong("update_id"), now.plus(LEASE))));
      return PerRow.execute(tx, LEASE_ROW, leases);
    })).map(leased -> leased.stream().map(ProductUpdates::claimed).toList());
  }

  private static Claimed claimed(Row row) {
    return new Claimed(row.getLong("chat_id"), row.getLong("update_id"), row.getString("body"),
        row.getInteger("attempts"), row.getOffsetDateTime("created_at"));
  }

  Future<Void> delivered(Claimed update) {
    return pool.preparedQuery(DELIVERED).execute(Tuple.of(update.chatId(), update.updateId(), Times.utcNow(clock)))
        .mapEmpty();
  }

  /** Not delivered: tried again after a growing pause, or given up once the update is {@link #GIVE_UP_AFTER} old. */
  Future<Boolean> notDelivered(Claimed update, String error) {
    OffsetDateTime now = Times.utcNow(clock);
    Duration pause = FIRST_BACKOFF.multipliedBy(1L << Math.min(20, Math.max(0, update.attempts() - 1)));
    OffsetDateTime next = now.plus(pause.compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : pause);
    boolean giveUp = next.isAfter(update.createdAt().plus(GIVE_UP_AFTER));
    String shortError = error.length() > 500 ? error.substring(0, 500) : error;
    return pool.preparedQuery(RETRY).execute(Tuple.of(update.chatId(), update.updateId(),
        giveUp ? "failed" : "pending", next, shortError)).map(giveUp);
  }

  /** The timer's job: delivered and failed updates are kept a week, then deleted. */
  public TimerJob retentionJob() {
    return TimerJob.counting("product-update-retention", "deleted", () -> pool.preparedQuery(PRUNE)
        .execute(Tuple.of(Times.utcNow(clock).minus(KEEP))).map(rows -> rows.rowCount()));
  }
}

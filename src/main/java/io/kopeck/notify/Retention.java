package io.kopeck.notify;

import io.kopeck.common.TimerJob;
import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;

/**
 * Keeps the bot's bookkeeping tables from growing without end: finished outbox rows after
 * {@link #NOTIFICATIONS}, remembered update ids after {@link #UPDATES} (Telegram stops retrying an
 * update within a day), expired conversations, and idle per-chat pacing slots. At most
 * {@link #BATCH} rows per table and run, so a backlog is worked off over several ticks without a
 * long lock. Money tables are never touched: the ledger, usage and invoices are kept for good.
 */
public final class Retention {
  static final Duration NOTIFICATIONS = Duration.ofDays(30);
  static final Duration UPDATES = Duration.ofDays(7);
  static final int BATCH = 5_000;

  private static final String OLD_NOTIFICATIONS = """
      DELETE FROM notifications WHERE id IN (SELECT id FROM notifications
        WHERE status <> 'pending' AND created_at < $1 LIMIT $2)""";
  private static final String OLD_UPDATES = """
      DELETE FROM telegram_updates WHERE update_id IN (SELECT update_id FROM telegram_updates
        WHERE received_at < $1 LIMIT $2)""";
  private static final String EXPIRED_SESSIONS = """
      DELETE FROM bot_sessions WHERE user_id IN (SELECT user_id FROM bot_sessions WHERE expires_at < $1 LIMIT $2)""";
  // Pacing is physical time (the database clock), like the sender that writes it.
  private static final String IDLE_PACING = """
      DELETE FROM send_pacing WHERE chat_id IN (SELECT chat_id FROM send_pacing
        WHERE chat_id <> 0 AND next_send_at < clock_timestamp() - interval '1 day' LIMIT $1)""";

  private final Pool pool;
  private final Clock clock;

  public Retention(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** Rows deleted, over all four tables. */
  /** The retention job of the timer. */
  public TimerJob job() {
    return TimerJob.counting("retention", "deleted", this::run);
  }

  public Future<Integer> run() {
    OffsetDateTime now = Times.utcNow(clock);
    return delete(OLD_NOTIFICATIONS, Tuple.of(now.minus(NOTIFICATIONS), BATCH), 0)
        .compose(sum -> delete(OLD_UPDATES, Tuple.of(now.minus(UPDATES), BATCH), sum))
        .compose(sum -> delete(EXPIRED_SESSIONS, Tuple.of(now, BATCH), sum))
        .compose(sum -> delete(IDLE_PACING, Tuple.of(BATCH), sum));
  }

  private Future<Integer> delete(String sql, Tuple params, int sofar) {
    return pool.preparedQuery(sql).execute(params).map(rows -> sofar + rows.rowCount());
  }
}

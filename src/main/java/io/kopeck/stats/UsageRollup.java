package io.kopeck.stats;

import io.kopeck.common.TimerJob;
import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;

/**
 * Rolls closed days of usage up by track and by node (timer job), oldest first, at most
 * {@link #DAYS_PER_RUN} a run, so a report over a month reads thirty small rows per track instead of
 * a million usage rows. A day is closed {@link #GRACE} after it ended in the display time zone
 * (charges are stamped when their batch is written, never later). The watermark row is locked
 * for the run, so instances take turns and a day is rolled up once. A changed DISPLAY_TIMEZONE
 * starts the rollups over.
 */
public final class UsageRollup {
  static final Duration GRACE = Duration.ofMinutes(10);
  static final int DAYS_PER_RUN = 7;

  private static final String LOCK = "SELECT time_zone, rolled_until FROM usage_rollup WHERE id = 1 FOR UPDATE";
  private static final String FIRST_DAY = "SELECT (min(created_at) AT TIME ZONE $1)::date AS day FROM usage_charges";
  private static final String CLEAR_TRACKS = "DELETE FROM usage_daily_track";
  private static final String CLEAR_NODES = "DELETE FROM usage_daily_node";
  private static final String ROLL_TRACKS = """
      INSERT INTO usage_daily_track (day, track, runs, tokens, cost_rub)
      SELECT $1::date, coalesce(track, ''), count(*), sum(tokens_charged), sum(total_cost) FROM usage_charges
      WHERE created_at >= $2 AND created_at < $3 AND status = 'charged' GROUP BY 2""";
  private static final String ROLL_NODES = """
      INSERT INTO usage_daily_node (day, node, calls, cost_rub)
      SELECT $1::date, node.key, count(*), sum(node.value::text::numeric)
      FROM usage_charges u CROSS JOIN LATERAL jsonb_each(u.node_costs) AS node
      WHERE u.created_at >= $2 AND u.created_at < $3 AND u.status = 'charged' GROUP BY 2""";
  private static final String ADVANCE = """
      UPDATE usage_rollup SET time_zone = $1, rolled_until = $2, updated_at = now() WHERE id = 1""";

  private final Pool pool;
  private final Clock clock;
  private final ZoneId zone;

  public UsageRollup(Pool pool, Clock clock, ZoneId zone) {
    this.pool = pool;
    this.clock = clock;
    this.zone = zone;
  }

  /** Days rolled up by this run. */
  /** The rollup job of the timer: closed days into the daily rollups the admin report reads. */
  public TimerJob job() {
    return TimerJob.counting("usage-rollup", "rolled up", this::run);
  }

  public Future<Integer> run() {
    OffsetDateTime now = Times.utcNow(clock);
    return pool.withTransaction(tx -> tx.query(LOCK).execute().compose(rows -> {
      Row mark = rows.iterator().next();
      boolean sameZone = zone.getId().equals(mark.getString("time_zone"));
      Future<LocalDate> start = sameZone && mark.getLocalDate("rolled_until") != null
          ? Future.succeededFuture(mark.getLocalDate("rolled_until"))
          : restart(tx, now);
      return start.compose(first -> roll(tx, first, now, 0));
    }));
  }

  /** From the first day with usage (or today), with no rollups. */
  private Future<LocalDate> restart(SqlConnection tx, OffsetDateTime now) {
    return tx.query(CLEAR_TRACKS).execute().compose(v -> tx.query(CLEAR_NODES).execute())
        .compose(v -> tx.preparedQuery(FIRST_DAY).execute(Tuple.of(zone.getId())))
        .map(rows -> {
          LocalDate first = rows.iterator().next().getLocalDate("day");
          return first != null ? first : now.atZoneSameInstant(zone).toLocalDate();
        });
  }

  private Future<Integer> roll(SqlConnection tx, LocalDate day, OffsetDateTime now, int done) {
    OffsetDateTime start = startOf(day);
    OffsetDateTime end = startOf(day.plusDays(1));
    if (done == DAYS_PER_RUN || end.plus(GRACE).isAfter(now)) {
      return tx.preparedQuery(ADVANCE).execute(Tuple.of(zone.getId(), day)).map(done);
    }
    Tuple range = Tuple.of(day, start, end);
    return tx.preparedQuery(ROLL_TRACKS).execute(range)
        .compose(v -> tx.preparedQuery(ROLL_NODES).execute(range))
        .compose(v -> roll(tx, day.plusDays(1), now, done + 1));
  }

  private OffsetDateTime startOf(LocalDate day) {
    return day.atStartOfDay(zone).toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC);
  }
}

package io.kopeck.stats;

import io.kopeck.common.RowJson;
import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * The admin report (SPEC §9): revenue per currency (roubles, and Telegram Stars as XTR), top-ups by tariff, paying users, refunds, usage by day /
 * track / node, renewals, active subscriptions and new users, for a range of days. Each figure is
 * one aggregate query over an index range ({@code EXPLAIN} plans in docs/operations.md); usage of
 * closed days comes from the daily rollups ({@link UsageRollup}), only the rest is aggregated
 * live. The queries run concurrently on the pool. Money and tokens come back as exact decimal strings.
 * node_costs needs no type checks here: the Runner API admits only an object of numbers.
 */
public final class Stats {
  private static final String REVENUE = """
      SELECT count(*) AS paid_invoices, coalesce(sum(amount) FILTER (WHERE currency = 'RUB'), 0) AS revenue_rub,
             coalesce(sum(amount) FILTER (WHERE currency = 'XTR'), 0)::bigint AS revenue_xtr,
             count(DISTINCT user_id) AS paying_users, coalesce(sum(tokens), 0) AS tokens_sold
      FROM invoices WHERE paid_at >= $1 AND paid_at < $2""";
  private static final String REFUNDS = """
      SELECT count(*) AS refunds, coalesce(sum(amount) FILTER (WHERE currency = 'RUB'), 0) AS refunded_rub,
             coalesce(sum(amount) FILTER (WHERE currency = 'XTR'), 0)::bigint AS refunded_xtr
      FROM invoices WHERE refunded_at >= $1 AND refunded_at < $2""";
  private static final String TOP_UPS = """
      SELECT CASE WHEN i.period_unit IS NULL AND t.period_unit IS NOT NULL THEN 'custom' ELSE t.slug END AS tariff,
             count(*) AS invoices, coalesce(sum(i.amount) FILTER (WHERE i.currency = 'RUB'), 0) AS revenue_rub,
             coalesce(sum(i.amount) FILTER (WHERE i.currency = 'XTR'), 0)::bigint AS revenue_xtr, sum(i.tokens) AS tokens
      FROM invoices i JOIN tariffs t ON t.id = i.tariff_id
      WHERE i.paid_at >= $1 AND i.paid_at < $2 GROUP BY 1 ORDER BY revenue_rub DESC""";
  // Usage: closed days from the rollups ($1..$2, a date range, empty when $1 > $2), the rest live
  // from usage_charges ($3..$4, an instant range, empty when $3 >= $4); see UsageRollup.
  private static final String USAGE_BY_DAY = """
      SELECT day, sum(runs)::bigint AS runs, sum(tokens) AS tokens, sum(cost_rub) AS cost_rub FROM (
        SELECT day, runs, tokens, cost_rub FROM usage_daily_track WHERE day BETWEEN $1 AND $2
        UNION ALL
        SELECT (created_at AT TIME ZONE $5)::date, count(*), sum(tokens_charged), sum(total_cost) FROM usage_charges
        WHERE created_at >= $3 AND created_at < $4 AND status = 'charged' GROUP BY 1
      ) usage GROUP BY day ORDER BY day""";
  private static final String USAGE_BY_TRACK = """
      SELECT track, sum(runs)::bigint AS runs, sum(tokens) AS tokens, sum(cost_rub) AS cost_rub FROM (
        SELECT track, runs, tokens, cost_rub FROM usage_daily_track WHERE day BETWEEN $1 AND $2
        UNION ALL
        SELECT coalesce(track, ''), count(*), sum(tokens_charged), sum(total_cost) FROM usage_charges
        WHERE created_at >= $3 AND created_at < $4 AND status = 'charged' GROUP BY 1
      ) usage GROUP BY track ORDER BY tokens DESC, track LIMIT 50""";
  private static final String USAGE_BY_NODE = """
      SELECT node, sum(calls)::bigint AS calls, sum(cost_rub) AS cost_rub FROM (
        SELECT node, calls, cost_rub FROM usage_daily_node WHERE day BETWEEN $1 AND $2
        UNION ALL
        SELECT node.key, count(*), sum(node.value::text::numeric)
        FROM usage_charges u CROSS JOIN LATERAL jsonb_each(u.node_costs) AS node
        WHERE u.created_at >= $3 AND u.created_at < $4 AND u.status = 'charged' GROUP BY 1
      ) usage GROUP BY node ORDER BY cost_rub DESC, node LIMIT 50""";
  // Runs the bot started (SPEC §18), by the day they started: how many, how many failed, what they were
  // charged and how people rated them (1 🤮 … 3 🤩).
  private static final String BOT_RUNS = """
      SELECT track, count(*) AS runs, count(*) FILTER (WHERE status = 'failed') AS failures,
             count(*) FILTER (WHERE status = 'cancelled') AS cancelled, coalesce(sum(tokens), 0) AS tokens,
             count(rating) AS ratings, round(avg(rating), 2) AS average_rating
      FROM runner_runs WHERE origin = 'bot' AND created_at >= $1 AND created_at < $2
      GROUP BY track ORDER BY runs DESC, track LIMIT 50""";
  private static final String WATERMARK = "SELECT time_zone, rolled_until FROM usage_rollup WHERE id = 1";
  private static final String RENEWALS = """
      SELECT count(*) AS renewals, coalesce(-sum(tokens_delta), 0) AS tokens
      FROM transactions WHERE type = 'subscription' AND created_at >= $1 AND created_at < $2""";
  private static final String USERS = """
      SELECT (SELECT count(*) FROM users WHERE subscription_end > $3) AS active_subscriptions,
             (SELECT count(*) FROM users WHERE created_at >= $1 AND created_at < $2) AS new_users""";

  private final Pool pool;
  private final Clock clock;

  public Stats(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  public Future<JsonObject> report(StatsRange range) {
    return pool.query(WATERMARK).execute()
        .map(rows -> rolledUntil(rows.iterator().next(), range))
        .compose(rolledUntil -> report(range, rolledUntil));
  }

  /** The first day not in the rollups, for this report's time zone (its first day when none is). */
  private static LocalDate rolledUntil(Row mark, StatsRange range) {
    LocalDate until = mark.getLocalDate("rolled_until");
    return until == null || !range.zone().getId().equals(mark.getString("time_zone")) ? range.from() : until;
  }

  private Future<JsonObject> report(StatsRange range, LocalDate rolledUntil) {
    Tuple window = Tuple.of(range.start(), range.end());
    LocalDate rolledTo = rolledUntil.isAfter(range.to()) ? range.to() : rolledUntil.minusDays(1);
    OffsetDateTime liveFrom = rolledUntil.isAfter(range.from()) ? range.startOf(rolledUntil) : range.start();
    Tuple usage = Tuple.of(range.from(), rolledTo, liveFrom, range.end());
    Future<RowSet<Row>> revenue = query(REVENUE, window);
    Future<RowSet<Row>> refunds = query(REFUNDS, window);
    Future<RowSet<Row>> topUps = query(TOP_UPS, window);
    Future<RowSet<Row>> byDay = query(USAGE_BY_DAY, Tuple.of(range.from(), rolledTo, liveFrom, range.end(),
        range.zone().getId()));
    Future<RowSet<Row>> byTrack = query(USAGE_BY_TRACK, usage);
    Future<RowSet<Row>> byNode = query(USAGE_BY_NODE, usage);
    Future<RowSet<Row>> renewals = query(RENEWALS, window);
    Future<RowSet<Row>> users = query(USERS, Tuple.of(range.start(), range.end(), Times.utcNow(clock)));
    Future<RowSet<Row>> botRuns = query(BOT_RUNS, window);
    return Future.all(List.of(revenue, refunds, topUps, byDay, byTrack, byNode, renewals, users, botRuns)).map(done ->
        new JsonObject()
            .put("from", range.from().toString()).put("to", range.to().toString()).put("time_zone", range.zone().getId())
            .put("revenue", one(revenue).mergeIn(one(refunds)))
            .put("top_ups", all(topUps))
            .put("usage_by_day", all(byDay))
            .put("usage_by_track", all(byTrack))
            .put("usage_by_node", all(byNode))
            .put("renewals", one(renewals))
            .put("users", one(users))
            .put("bot_runs_by_track", all(botRuns)));
  }

  private Future<RowSet<Row>> query(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params);
  }

  private static JsonObject one(Future<RowSet<Row>> rows) {
    return RowJson.of(rows.result().iterator().next());
  }

  private static JsonArray all(Future<RowSet<Row>> rows) {
    JsonArray array = new JsonArray();
    rows.result().forEach(row -> array.add(RowJson.of(row)));
    return array;
  }
}

package io.kopeck.notify;

import io.kopeck.common.SqlStates;
import io.kopeck.common.Times;
import io.kopeck.common.Topology;
import io.kopeck.common.ValuesSql;
import io.kopeck.ledger.ChargeListener;
import io.kopeck.ledger.PostingResult;
import io.kopeck.ledger.UsageCharge;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Coalesces per-run cost messages (SPEC §6.2): charges committed for a user within
 * COST_MESSAGE_WINDOW_MS of their first become one outbox row, in the format the user chose
 * (basic / detailed; none when off or when they blocked the bot). The billing engine only adds
 * to an in-memory tally after answering, so a debit never waits for, or fails because of, a
 * message; the price is that a process killed inside a window loses that window's message.
 *
 * <p>A user has at most one unsent run-cost message: a window that closes while the user's
 * previous one is still pending (the sender is behind Telegram's rate) is held in memory, joined
 * by the runs after it, and tried again after 1, 2, 4, then every 8 windows. So a backlog grows
 * by users, never by runs, its look-ups thin out as it lasts, and what the user finally reads
 * covers every run since their last message. A graceful stop writes held windows too.
 */
public final class RunCostMessages extends VerticleBase implements ChargeListener {
  private static final Logger log = LoggerFactory.getLogger(RunCostMessages.class);
  /** A held window is tried again after 1, 2, 4, then every 8 windows. */
  private static final int HOLD_DOUBLINGS = 3;
  /*
   * A window's message is written once, so the inserts go without ON CONFLICT: its speculative
   * insertion cost a WAL record per row and 16-30 % of the insert's time (docs/benchmarks.md).
   * Should a flush meet a row already there (its unique key names the window's first event), it
   * is redone with this tail, which skips the rows that exist.
   */
  private static final String SKIPPING_WRITTEN = " ON CONFLICT (chat_id, dedup_key) DO NOTHING";
  /**
   * $1–$3 the windows' users, arguments and keys, $4 now, $5 whether to hold: writes the windows'
   * messages, except (with $5) those of users whose previous message is unsent, which it answers.
   * One probe of the pending-run-costs index per user (LATERAL … LIMIT 1): as an EXISTS the planner
   * hashed the whole index instead, reading every pending row of every user per flush.
   */
  private static final String INSERT_OR_HOLD = """
      WITH d AS (
        SELECT d.user_id, d.args, d.dedup_key, u.cost_message_format, p.pending IS NOT NULL AND $5 AS held
        FROM unnest($1::bigint[], $2::text[], $3::text[]) AS d(user_id, args, dedup_key)
        JOIN users u ON u.id = d.user_id
        LEFT JOIN LATERAL (SELECT true AS pending FROM notifications p
                           WHERE p.chat_id = d.user_id AND p.kind = 'run_costs' AND p.status = 'pending'
                           LIMIT 1) p ON true
        WHERE u.cost_message_format <> 'off' AND NOT u.bot_blocked),
      written AS (
        INSERT INTO notifications (user_id, chat_id, kind, template, args, dedup_key, created_at, next_attempt_at)
        SELECT user_id, user_id, 'run_costs', 'costs.' || cost_message_format, args::jsonb, dedup_key, $4, $4
        FROM d WHERE NOT held%s)
      SELECT user_id FROM d WHERE held""";
  // On Citus the statements above would read every shard and commit in two phases: there each shard's
  // users are read by a routed statement, then their messages inserted by a routed VALUES insert.
  // The look-up of unsent messages names the shard by its distribution column, as the ledger's does.
  private static final String FORMATS = """
      SELECT id, cost_message_format,
             EXISTS (SELECT 1 FROM notifications p
                     WHERE p.chat_id = users.id AND p.chat_id = ANY($1::bigint[])
                       AND p.kind = 'run_costs' AND p.status = 'pending') AS held
      FROM users
      WHERE id = ANY($1::bigint[]) AND cost_message_format <> 'off' AND NOT bot_blocked""";
  private static final String VALUES_HEAD = """
      INSERT INTO notifications (kind, created_at, next_attempt_at, user_id, chat_id, template, args, dedup_key)
      VALUES """;
  private static final String[] VALUES_CASTS = {"bigint", "bigint", "text", "text::jsonb", "text"};

  private final Pool pool;
  private final Topology topology;
  private final Clock clock;
  private final long windowNanos;
  private final Map<Long, RunTally> open = new ConcurrentHashMap<>();
  private long timer = -1;

  public RunCostMessages(Pool pool, Topology topology, Clock clock, long windowMs) {
    this.pool = pool;
    this.topology = topology;
    this.clock = clock;
    this.windowNanos = windowMs * 1_000_000;
  }

  @Override
  public void committed(UsageCharge charge, PostingResult result) {
    if (!result.applied() || result.duplicate()) {
      return;
    }
    long now = System.nanoTime();
    open.compute(charge.userId(), (user, tally) ->
        (tally == null ? new RunTally(charge.eventId(), now + windowNanos) : tally).add(charge, result));
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(Math.max(50, windowNanos / 4_000_000), id -> flush(false));
    return Future.succeededFuture();
  }

  /** Writes what is still open, so a graceful stop loses no message. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return flush(true);
  }

  /** Writes the windows that have closed, holding back those of users whose previous message is unsent. */
  Future<Void> flushClosed() {
    return flush(false);
  }

  private Future<Void> flush(boolean all) {
    long now = System.nanoTime();
    Map<Long, RunTally> closed = new LinkedHashMap<>();
    for (Long user : List.copyOf(open.keySet())) {
      RunTally peek = open.get(user);
      if (peek != null && (all || now - peek.closesAtNanos >= 0)) {
        closed.put(user, open.remove(user));
      }
    }
    if (closed.isEmpty()) {
      return Future.succeededFuture();
    }
    List<Long> users = List.copyOf(closed.keySet());
    List<String> args = closed.values().stream().map(tally -> tally.toArgs().encode()).toList();
    List<String> keys = closed.values().stream().map(RunTally::dedupKey).toList();
    return queue(users, args, keys, !all)
        .<Void>map(held -> {
          holdBack(held, closed);
          return null;
        })
        .onFailure(e -> log.warn("Cost messages for {} users not queued: {}", users.size(), e.getMessage()));
  }

  /** Puts the held users' tallies back, to close again after 1, 2, 4, then every 8 windows. */
  private void holdBack(List<Long> held, Map<Long, RunTally> closed) {
    long heldAt = System.nanoTime();
    for (Long user : held) {
      RunTally tally = closed.get(user);
      long closesAt = heldAt + (windowNanos << Math.min(tally.holds(), HOLD_DOUBLINGS));
      // Runs that arrived since the window closed join the held tally, which keeps its name.
      open.merge(user, tally.held(closesAt), (newer, older) -> older.absorb(newer));
    }
  }

  /** Writes the windows' messages and answers the users held back (none when {@code hold} is false). */
  private Future<List<Long>> queue(List<Long> users, List<String> args, List<String> keys, boolean hold) {
    OffsetDateTime now = Times.utcNow(clock);
    if (topology.distributed()) {
      return queueByShard(users, args, keys, now, hold);
    }
    Tuple params = Tuple.of(users.toArray(Long[]::new), args.toArray(String[]::new), keys.toArray(String[]::new), now,
        hold);
    return insert(INSERT_OR_HOLD.formatted(""), INSERT_OR_HOLD.formatted(SKIPPING_WRITTEN), params).map(rows -> {
      List<Long> held = new ArrayList<>();
      rows.forEach(row -> held.add(row.getLong("user_id")));
      return held;
    });
  }

  /** Inserts plainly; on a unique violation, once more skipping the rows already written. */
  private Future<RowSet<Row>> insert(String sql, String skippingWritten, Tuple params) {
    return pool.preparedQuery(sql).execute(params).recover(e ->
        SqlStates.isUniqueViolation(e)
            ? pool.preparedQuery(skippingWritten).execute(params)
            : Future.failedFuture(e));
  }

  /**
   * One shard after the other, so that a flush holds one pool connection at a time: the billing
   * lanes share the pool, and a flush of many shards at once made charges wait for connections.
   */
  private Future<List<Long>> queueByShard(List<Long> users, List<String> args, List<String> keys, OffsetDateTime now,
                                          boolean hold) {
    List<Long> held = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (List<Integer> rows : byShard(users).values()) {
      // A shard that fails loses its messages only (logged), not the shards after it.
      chain = chain.compose(v -> queueOnShard(rows, users, args, keys, now, hold).map(held::addAll).<Void>mapEmpty()
          .recover(e -> {
            log.warn("Cost messages for {} users not queued: {}", rows.size(), e.getMessage());
            return Future.succeededFuture();
          }));
    }
    return chain.map(held);
  }

  /** Positions in {@code users}, grouped by the user's shard. */
  private Map<Integer, List<Integer>> byShard(List<Long> users) {
    Map<Integer, List<Integer>> groups = new HashMap<>();
    for (int i = 0; i < users.size(); i++) {
      groups.computeIfAbsent(topology.shardOf(users.get(i)), shard -> new ArrayList<>()).add(i);
    }
    return groups;
  }

  private Future<List<Long>> queueOnShard(List<Integer> rows, List<Long> users, List<String> args, List<String> keys,
                                          OffsetDateTime now, boolean hold) {
    Long[] ids = rows.stream().map(users::get).toArray(Long[]::new);
    return pool.preparedQuery(FORMATS).execute(Tuple.of(ids)).compose(formats -> {
      Map<Long, String> formatOf = new HashMap<>();
      List<Long> held = new ArrayList<>();
      formats.forEach(row -> {
        if (hold && row.getBoolean("held")) {
          held.add(row.getLong("id"));
        } else {
          formatOf.put(row.getLong("id"), row.getString("cost_message_format"));
        }
      });
      List<Object[]> values = new ArrayList<>();
      for (int i : rows) {
        String format = formatOf.get(users.get(i));
        if (format != null) {
          values.add(new Object[] {users.get(i), users.get(i), "costs." + format, args.get(i), keys.get(i)});
        }
      }
      if (values.isEmpty()) {
        return Future.succeededFuture(held);
      }
      Object[] columns = new Object[VALUES_CASTS.length];
      for (int c = 0; c < columns.length; c++) {
        int column = c;
        columns[c] = values.stream().map(v -> v[column]).toArray();
      }
      String sql = ValuesSql.values(VALUES_HEAD, "'run_costs', $1, $1", 1, VALUES_CASTS, values.size());
      return insert(sql, sql + SKIPPING_WRITTEN, ValuesSql.rowWise(Tuple.of(now), columns)).map(held);
    });
  }
}

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
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
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
 */
public final class RunCostMessages extends VerticleBase implements ChargeListener {
  private static final Logger log = LoggerFactory.getLogger(RunCostMessages.class);
  private static final String INSERT = """
      INSERT INTO notifications (user_id, chat_id, kind, template, args, dedup_key, created_at, next_attempt_at)
      SELECT u.id, u.id, 'run_costs', 'costs.' || u.cost_message_format, d.args::jsonb, d.dedup_key, $4, $4
      FROM unnest($1::bigint[], $2::text[], $3::text[]) AS d(user_id, args, dedup_key)
      JOIN users u ON u.id = d.user_id
      WHERE u.cost_message_format <> 'off' AND NOT u.bot_blocked""";
  /*
   * A window's message is written once, so the inserts go without ON CONFLICT: its speculative
   * insertion cost a WAL record per row and 16-30 % of the insert's time (docs/benchmarks.md).
   * Should a flush meet a row already there (its unique key names the window's first event), it
   * is redone with this tail, which skips the rows that exist.
   */
  private static final String SKIPPING_WRITTEN = " ON CONFLICT (chat_id, dedup_key) DO NOTHING";
  // On Citus the statement above would read every shard and commit in two phases: there each shard's
  // users are read by a routed statement, then their messages inserted by a routed VALUES insert.
  private static final String FORMATS = """
      SELECT id, cost_message_format FROM users
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
    open.compute(charge.userId(), (user, tally) -> (tally == null ? new RunTally(charge.eventId(), now) : tally)
        .add(charge, result));
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

  private Future<Void> flush(boolean all) {
    long now = System.nanoTime();
    List<Long> users = new ArrayList<>();
    List<String> args = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (Long user : List.copyOf(open.keySet())) {
      RunTally peek = open.get(user);
      if (peek == null || (!all && now - peek.firstAtNanos < windowNanos)) {
        continue;
      }
      RunTally tally = open.remove(user);
      users.add(user);
      args.add(tally.toArgs().encode());
      keys.add(tally.dedupKey());
    }
    if (users.isEmpty()) {
      return Future.succeededFuture();
    }
    return queue(users, args, keys)
        .onFailure(e -> log.warn("Cost messages for {} users not queued: {}", users.size(), e.getMessage()));
  }

  private Future<Void> queue(List<Long> users, List<String> args, List<String> keys) {
    OffsetDateTime now = Times.utcNow(clock);
    return !topology.distributed()
        ? insert(INSERT, Tuple.of(users.toArray(Long[]::new), args.toArray(String[]::new),
            keys.toArray(String[]::new), now))
        : queueByShard(users, args, keys, now);
  }

  /** Inserts plainly; on a unique violation, once more skipping the rows already written. */
  private Future<Void> insert(String sql, Tuple params) {
    return pool.preparedQuery(sql).execute(params).<Void>mapEmpty().recover(e ->
        SqlStates.isUniqueViolation(e)
            ? pool.preparedQuery(sql + SKIPPING_WRITTEN).execute(params).mapEmpty()
            : Future.failedFuture(e));
  }

  /**
   * One shard after the other, so that a flush holds one pool connection at a time: the billing
   * lanes share the pool, and a flush of many shards at once made charges wait for connections.
   */
  private Future<Void> queueByShard(List<Long> users, List<String> args, List<String> keys, OffsetDateTime now) {
    Future<Void> chain = Future.succeededFuture();
    for (List<Integer> rows : byShard(users).values()) {
      // A shard that fails loses its messages only (logged), not the shards after it.
      chain = chain.compose(v -> queueOnShard(rows, users, args, keys, now).recover(e -> {
        log.warn("Cost messages for {} users not queued: {}", rows.size(), e.getMessage());
        return Future.succeededFuture();
      }));
    }
    return chain;
  }

  /** Positions in {@code users}, grouped by the user's shard. */
  private Map<Integer, List<Integer>> byShard(List<Long> users) {
    Map<Integer, List<Integer>> groups = new HashMap<>();
    for (int i = 0; i < users.size(); i++) {
      groups.computeIfAbsent(topology.shardOf(users.get(i)), shard -> new ArrayList<>()).add(i);
    }
    return groups;
  }

  private Future<Void> queueOnShard(List<Integer> rows, List<Long> users, List<String> args, List<String> keys,
                                    OffsetDateTime now) {
    Long[] ids = rows.stream().map(users::get).toArray(Long[]::new);
    return pool.preparedQuery(FORMATS).execute(Tuple.of(ids)).compose(formats -> {
      Map<Long, String> formatOf = new HashMap<>();
      formats.forEach(row -> formatOf.put(row.getLong("id"), row.getString("cost_message_format")));
      List<Object[]> values = new ArrayList<>();
      for (int i : rows) {
        String format = formatOf.get(users.get(i));
        if (format != null) {
          values.add(new Object[] {users.get(i), users.get(i), "costs." + format, args.get(i), keys.get(i)});
        }
      }
      if (values.isEmpty()) {
        return Future.succeededFuture();
      }
      Object[] columns = new Object[VALUES_CASTS.length];
      for (int c = 0; c < columns.length; c++) {
        int column = c;
        columns[c] = values.stream().map(v -> v[column]).toArray();
      }
      String sql = ValuesSql.values(VALUES_HEAD, "'run_costs', $1, $1", 1, VALUES_CASTS, values.size());
      return insert(sql, ValuesSql.rowWise(Tuple.of(now), columns));
    });
  }
}

package io.kopeck.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.common.Topology;
import io.kopeck.ledger.PostingResult;
import io.kopeck.ledger.UsageCharge;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.BiConsumer;
import java.util.function.IntFunction;
import java.util.function.IntPredicate;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Run-cost messages queued the Citus way (per shard: a routed read of the users' formats, then a
 * VALUES insert) on a plain PostgreSQL write the same outbox rows as the single-node statement.
 */
class ShardedCostMessagesTest {
  private static final long SINGLE = 9_200_001;
  private static final long SHARDED = 9_300_001;
  private static final long REPEATED_SINGLE = 9_400_001;
  private static final long REPEATED_SHARDED = 9_500_001;
  private static final long HELD_SINGLE = 9_600_001;
  private static final long HELD_SHARDED = 9_700_001;
  // Four shards as Citus would hash them: the eight users fall into several of them.
  private static final Topology CITUS = Topology.citus(Integer.MIN_VALUE, -1_073_741_824, 0, 1_073_741_824);
  private static final List<String> FORMATS = List.of("basic", "detailed", "off", "blocked", "basic", "detailed",
      "basic", "basic");

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of());
  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void seed() {
    vertx = Vertx.vertx();
    pool = service.pool();
    for (long first : new long[] {SINGLE, SHARDED, REPEATED_SINGLE, REPEATED_SHARDED, HELD_SINGLE, HELD_SHARDED}) {
      for (int i = 0; i < FORMATS.size(); i++) {
        Ledgers.seedUser(pool, first + i, "100");
        String format = FORMATS.get(i);
        Http.await(pool.preparedQuery("UPDATE users SET cost_message_format = $2, bot_blocked = $3 WHERE id = $1")
            .execute(Tuple.of(first + i, format.equals("blocked") ? "basic" : format, format.equals("blocked"))));
      }
    }
  }

  @AfterAll
  static void close() {
    Http.await(vertx.close());
  }

  @Test
  @DisplayName("the Citus path queues the same run-cost messages as the single-node statement, skipping 'off' and blocked users")
  void sameRowsBothWays() {
    queue(Topology.single(), SINGLE);
    assertThat(IntStream.range(0, FORMATS.size()).map(i -> CITUS.shardOf(SHARDED + i)).distinct().count())
        .isGreaterThan(1);
    queue(CITUS, SHARDED);

    Map<Integer, JsonObject> single = rows(SINGLE);
    Map<Integer, JsonObject> sharded = rows(SHARDED);
    assertThat(single.keySet()).containsExactlyInAnyOrder(0, 1, 4, 5, 6, 7);
    assertThat(sharded).isEqualTo(single);
    assertThat(single.get(1).getString("template")).isEqualTo("costs.detailed");
    assertThat(single.get(0).getJsonObject("args").getString("tokens")).isEqualTo("3.0");
  }

  @Test
  @DisplayName("a window flushed again is not written twice, both ways, and the new windows of the same flush are")
  void writtenWindowsSkipped() {
    bothWays(REPEATED_SINGLE, REPEATED_SHARDED, (topology, first) -> {
      queue(topology, first, i -> "a-");
      assertThat(countRows(first)).isEqualTo(6);
      queue(topology, first, i -> "a-");
      assertThat(countRows(first)).isEqualTo(6);
      // Users 0-3 repeat their window, 4-7 (basic, detailed, basic, basic) open new ones.
      queue(topology, first, i -> i < 4 ? "a-" : "b-");
      assertThat(countRows(first)).as(topology.toString()).isEqualTo(10);
    });
  }

  @Test
  @DisplayName("a window waits while the user's previous run-cost message is unsent, gathers the later runs, then goes out once, both ways")
  void heldBehindUnsentMessage() {
    bothWays(HELD_SINGLE, HELD_SHARDED, (topology, first) -> {
      // Users 0 (basic) and 1 (detailed) have an earlier message pending, in backoff: the running sender leaves it.
      for (int i = 0; i < 2; i++) {
        Http.await(pool.preparedQuery("""
            INSERT INTO notifications (user_id, chat_id, kind, template, args, dedup_key, next_attempt_at)
            VALUES ($1, $1, 'run_costs', 'costs.basic', '{}', 'costs:earlier', now() + interval '1 hour')""")
            .execute(Tuple.of(first + i)));
      }
      RunCostMessages messages = new RunCostMessages(pool, topology, Clock.systemUTC(), 0);
      charge(messages, first, i -> true, i -> "h1-");
      Future<Void> flushing = messages.flushClosed();
      // Runs committed while the flush is on its way join the held window.
      charge(messages, first, i -> i < 2, i -> "h2-");
      Http.await(flushing);
      assertThat(keys(first)).as(topology.toString()).containsExactlyInAnyOrder(
          "0 costs:earlier", "1 costs:earlier", "4 costs:h1-1", "5 costs:h1-1", "6 costs:h1-1", "7 costs:h1-1");

      Http.await(messages.flushClosed());
      assertThat(keys(first)).as("still held while the earlier ones are pending").hasSize(6);

      Http.await(pool.preparedQuery("UPDATE notifications SET status = 'sent' WHERE user_id IN ($1, $1 + 1)")
          .execute(Tuple.of(first)));
      Http.await(messages.flushClosed());
      assertThat(keys(first)).contains("0 costs:h1-1", "1 costs:h1-1").hasSize(8);
      JsonObject args = new JsonObject(Http.await(pool.preparedQuery("""
          SELECT args::text AS args FROM notifications WHERE user_id = $1 AND dedup_key = 'costs:h1-1'""")
          .execute(Tuple.of(first))).iterator().next().getString("args"));
      assertThat(args.getInteger("runs")).isEqualTo(4);
      assertThat(new BigDecimal(args.getString("tokens"))).isEqualByComparingTo("6.0");
      assertThat(new BigDecimal(args.getString("cost"))).isEqualByComparingTo("2.0");
      assertThat(args.getLong("total_tokens")).isEqualTo(60);
      assertThat(args.getString("track")).isEqualTo("track");

      Http.await(messages.flushClosed());
      assertThat(keys(first)).as("nothing left open").hasSize(8);
    });
  }

  /** Runs {@code check} single-node on the users from {@code single}, then the Citus way on those from {@code sharded}. */
  private static void bothWays(long single, long sharded, BiConsumer<Topology, Long> check) {
    check.accept(Topology.single(), single);
    check.accept(CITUS, sharded);
  }

  /** Position and dedup key of each run_costs row of the eight users from {@code first}. */
  private static List<String> keys(long first) {
    List<String> keys = new ArrayList<>();
    Http.await(pool.preparedQuery("""
        SELECT user_id - $1 AS position, dedup_key FROM notifications
        WHERE user_id BETWEEN $1 AND $1 + 7 AND kind = 'run_costs'""").execute(Tuple.of(first)))
        .forEach(row -> keys.add(row.getLong("position") + " " + row.getString("dedup_key")));
    return keys;
  }

  /** Two charges of 1.5 tokens for each chosen user (by position), named {@code prefix(position) + run}. */
  private static void charge(RunCostMessages messages, long first, IntPredicate chosen, IntFunction<String> prefix) {
    for (int i = 0; i < FORMATS.size(); i++) {
      if (!chosen.test(i)) {
        continue;
      }
      for (int run = 1; run <= 2; run++) {
        UsageCharge charge = new UsageCharge(first + i, prefix.apply(i) + run, "track", new BigDecimal("0.5"), "RUB",
            1, 0, 10L, 5L, 15L, null);
        messages.committed(charge, new PostingResult(PostingResult.Status.APPLIED, null, false, (long) run,
            new BigDecimal("-1.5"), new BigDecimal("100"), new BigDecimal("98.5")));
      }
    }
  }

  private static long countRows(long first) {
    return Ledgers.count(pool,
        "SELECT count(*) FROM notifications WHERE user_id BETWEEN $1 AND $1 + 7 AND kind = 'run_costs'", first);
  }

  private static void queue(Topology topology, long first) {
    queue(topology, first, i -> "run-");
  }

  /**
   * Two charges of 1.5 tokens per user, flushed by stopping the verticle (its window is a minute);
   * a window is named by its first event, {@code prefix(user position) + "1"}.
   */
  private static void queue(Topology topology, long first, IntFunction<String> prefix) {
    RunCostMessages messages = new RunCostMessages(pool, topology, Clock.systemUTC(), 60_000);
    String deployment = Http.await(vertx.deployVerticle(messages));
    charge(messages, first, i -> true, prefix);
    Http.await(vertx.undeploy(deployment));
  }

  /**
   * The users' run_costs rows by position, without what names the user, nor the status (the running
   * service's sender may already have sent some).
   */
  private static Map<Integer, JsonObject> rows(long first) {
    Map<Integer, JsonObject> rows = new HashMap<>();
    for (Row row : Http.await(pool.preparedQuery("""
        SELECT user_id, chat_id, template, args::text AS args FROM notifications
        WHERE user_id BETWEEN $1 AND $1 + 7 AND kind = 'run_costs'""").execute(Tuple.of(first)))) {
      assertThat(row.getLong("chat_id")).isEqualTo(row.getLong("user_id"));
      rows.put((int) (row.getLong("user_id") - first), new JsonObject().put("template", row.getString("template"))
          .put("args", new JsonObject(row.getString("args"))));
    }
    return rows;
  }
}

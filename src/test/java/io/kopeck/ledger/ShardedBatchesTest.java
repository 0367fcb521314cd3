package io.kopeck.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.common.Topology;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The billing engine as it runs on Citus — batches of one shard, routed lookups, VALUES inserts
 * of ledger rows then usage rows (SPEC §16) — on a plain PostgreSQL, where every one of those
 * statements runs too. deploy/citus/test.sh runs the same path on a real cluster.
 */
class ShardedBatchesTest {
  private static final long FIRST = 9_100_001;
  private static final int USERS = 20;

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of());
  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void deployEngine() {
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(service.db().url().toConnectOptions())
        .using(vertx).build();
    // Four shards as Citus would hash them; two lanes, so each lane serves two shards.
    Topology citus = Topology.citus(Integer.MIN_VALUE, -1_073_741_824, 0, 1_073_741_824);
    EngineSettings settings = new EngineSettings(pool, Clock.systemUTC(), ZoneId.of("Europe/Moscow"), BigDecimal.ONE,
        BigDecimal.ZERO, false, 2, 1, 64, 0, citus);
    Http.await(vertx.deployVerticle(new BillingEngineVerticle(settings, new EngineMetrics(new SimpleMeterRegistry()),
        (charge, result) -> { })));
    for (long user = FIRST; user < FIRST + USERS; user++) {
      Ledgers.seedUser(service.pool(), user, "100");
    }
  }

  @AfterAll
  static void close() {
    Http.await(vertx.close());
  }

  private static Future<PostingResult> send(Charge charge) {
    return ChargeIntake.of(vertx).submit(charge);
  }

  private static UsageCharge usage(int n) {
    return new UsageCharge(FIRST + n % USERS, "ev-" + n, "sharded", new BigDecimal("0.25"), "RUB", 1, 0, 10L, 10L, 20L,
        "{\"node\": 0.25}");
  }

  @Test
  @DisplayName("usage and spends for users of four shards, each sent twice at once: every charge once, "
      + "usage rows linked to their ledger rows, balances exact, invariants hold")
  void exactlyOnceAcrossShards() {
    List<Future<PostingResult>> usage = new ArrayList<>();
    List<Future<PostingResult>> spends = new ArrayList<>();
    for (int n = 0; n < 400; n++) {
      usage.add(send(usage(n)));
      usage.add(send(usage(n)));
    }
    for (int n = 0; n < 40; n++) {
      SpendCharge spend = new SpendCharge(FIRST + n % USERS, new BigDecimal("1.5"), "spend-" + n, "sharded spend", null);
      spends.add(send(spend));
      spends.add(send(spend));
    }
    List<PostingResult> usageResults = Http.await(Future.all(usage)).list();
    List<PostingResult> spendResults = Http.await(Future.all(spends)).list();

    assertThat(usageResults).allMatch(PostingResult::applied);
    assertThat(usageResults).filteredOn(PostingResult::duplicate).hasSize(400);
    assertThat(spendResults).allMatch(PostingResult::applied);
    assertThat(spendResults).filteredOn(PostingResult::duplicate).hasSize(40);
    Map<Long, Long> transactionOf = new HashMap<>();
    for (int i = 0; i < usageResults.size(); i += 2) {
      assertThat(usageResults.get(i + 1).transactionId()).isEqualTo(usageResults.get(i).transactionId());
      transactionOf.put(usageResults.get(i).transactionId(), FIRST + (i / 2) % USERS);
    }
    assertThat(transactionOf).hasSize(400);
    // 20 usage charges of 0.25 and 2 spends of 1.5 per user.
    for (long user = FIRST; user < FIRST + USERS; user++) {
      assertThat(Ledgers.balance(service.pool(), user)).isEqualByComparingTo("92");
    }
    assertThat(Ledgers.count(service.pool(), """
        SELECT count(*) FROM usage_charges c JOIN transactions t ON t.user_id = c.user_id AND t.id = c.transaction_id
        WHERE c.track = 'sharded' AND t.tokens_delta = -c.tokens_charged""")).isEqualTo(400);
    Ledgers.assertConsistent(service.pool());
  }
}

package io.kopeck.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Settings;
import io.kopeck.common.JobSummary;
import io.kopeck.config.KopeckConfig;
import io.kopeck.notify.Retention;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SubscriptionJobsTest {
  // 09:00 UTC = 12:00 in Moscow: whole days later stay on the same side of midnight.
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-26T09:00:00Z"));
  static final Map<String, String> SETTINGS = Map.of("LOW_BALANCE_THRESHOLD", "10");

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(SETTINGS, CLOCK);
  private static Pool pool;
  private static SubscriptionJobs jobs;

  @BeforeAll
  static void start() {
    pool = service.pool();
    jobs = jobs(pool);
  }

  static SubscriptionJobs jobs(Pool pool) {
    KopeckConfig config = KopeckConfig.load(SETTINGS);
    return TestServices.subscriptionJobs(pool, CLOCK, Settings.billing(config), Settings.notices(config));
  }



  private static void subscribe(long user, String balance, Duration left, boolean autoRenew) {
    Ledgers.seedUser(pool, user, balance);
    Http.await(pool.preparedQuery("UPDATE users SET subscription_end = $2, auto_renew = $3, low_balance_tier = 0, "
            + "tariff_id = (SELECT id FROM tariffs WHERE slug = 'standard') WHERE id = $1")
        .execute(Tuple.of(user, OffsetDateTime.now(CLOCK).plus(left).withOffsetSameInstant(ZoneOffset.UTC), autoRenew)));
  }

  private static long notices(long user, String kind) {
    return Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = $2", user, kind);
  }

  private static OffsetDateTime end(long user) {
    return Http.await(pool.preparedQuery("SELECT subscription_end FROM users WHERE id = $1").execute(Tuple.of(user)))
        .iterator().next().getOffsetDateTime(0);
  }

  @Test
  @DisplayName("walked day by day: the 3-, 1- and 0-day notices once each, then a renewal that resets them")
  void walkThrough() {
    CLOCK.advance(Duration.ofDays(10));
    subscribe(1, "1000", Duration.ofDays(4).plusHours(2), true);
    long[] expected = {0, 1, 1, 2, 3};
    for (int day = 0; day <= 4; day++) {
      Http.await(jobs.expiryNotices());
      Http.await(jobs.expiryNotices());
      assertThat(notices(1, "subscription_ending")).as("notices by day %d", day).isEqualTo(expected[day]);
      CLOCK.advance(Duration.ofDays(1));
    }
    OffsetDateTime oldEnd = end(1);
    CLOCK.set(oldEnd.toInstant().plusSeconds(30));

    JobSummary renewals = Http.await(jobs.renewals());
    Http.await(jobs.renewals());

    assertThat(renewals.acted()).isEqualTo(1);
    assertThat(Ledgers.balance(pool, 1)).isEqualByComparingTo("600");
    assertThat(end(1)).isAfter(oldEnd.plusDays(28));
    assertThat(notices(1, "subscription_renewed")).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = 1 AND last_expiry_notice IS NULL")).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE user_id = 1 AND kind = 'subscription_ending' "
        + "AND args->>'days' IN ('3', '1', '0')")).isEqualTo(3);
  }

  @Test
  @DisplayName("without enough balance the subscription lapses, once, and the message says how many tokens are missing")
  void lapseWhenShort() {
    subscribe(2, "150.5", Duration.ofMinutes(-1), true);

    Http.await(jobs.renewals());
    Http.await(jobs.renewals());

    assertThat(Ledgers.balance(pool, 2)).isEqualByComparingTo("150.5");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE user_id = 2 AND kind = 'subscription_expired' "
        + "AND template = 'subscription.expired_short' AND args->>'missing' = '249.5000'")).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = 2 AND expired_notified")).isEqualTo(1);
  }

  @Test
  @DisplayName("with auto-renew off nothing is charged; the subscription lapses with the plain expired notice")
  void autoRenewOff() {
    subscribe(3, "1000", Duration.ofMinutes(-1), false);

    Http.await(jobs.renewals());

    assertThat(Ledgers.balance(pool, 3)).isEqualByComparingTo("1000");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE user_id = 3 "
        + "AND template = 'subscription.expired'")).isEqualTo(1);
  }

  @Test
  @DisplayName("a subscription extended between notices gets no later notice for the old end")
  void extendedMeanwhile() {
    subscribe(4, "0", Duration.ofDays(3).plusHours(2), true);
    Http.await(jobs.expiryNotices());
    // A payment moved the end a month on (and reset the notices), as Payments does.
    Http.await(pool.preparedQuery("UPDATE users SET subscription_end = subscription_end + interval '30 days', "
        + "last_expiry_notice = NULL WHERE id = $1").execute(Tuple.of(4L)));
    CLOCK.advance(Duration.ofDays(2));

    Http.await(jobs.expiryNotices());

    assertThat(notices(4, "subscription_ending")).isEqualTo(1);
  }

  @Test
  @DisplayName("a user who blocked the bot gets no ending notice; their renewal still happens, its message is queued "
      + "for the sender to drop")
  void blockedUser() {
    subscribe(8, "1000", Duration.ofHours(20), true);
    Http.await(pool.query("UPDATE users SET bot_blocked = true WHERE id = 8").execute());

    Http.await(jobs.expiryNotices());
    assertThat(notices(8, "subscription_ending")).isZero();
    CLOCK.advance(Duration.ofDays(1));
    Http.await(jobs.renewals());

    assertThat(Ledgers.balance(pool, 8)).isEqualByComparingTo("600");
    assertThat(notices(8, "subscription_renewed")).isEqualTo(1);
  }

  @Test
  @DisplayName("retention deletes finished outbox rows after 30 days, update ids after 7, expired conversations; "
      + "never a pending message")
  void retention() {
    OffsetDateTime now = OffsetDateTime.now(CLOCK).withOffsetSameInstant(ZoneOffset.UTC);
    Http.await(pool.preparedQuery("""
        INSERT INTO notifications (chat_id, kind, text, status, dedup_key, created_at) VALUES
          (9, 'test', 'old sent', 'sent', 'r1', $1::timestamptz - interval '31 days'),
          (9, 'test', 'old pending', 'pending', 'r2', $1::timestamptz - interval '31 days'),
          (9, 'test', 'recent sent', 'sent', 'r3', $1::timestamptz - interval '29 days')""").execute(Tuple.of(now)));
    Http.await(pool.preparedQuery("INSERT INTO telegram_updates (update_id, received_at) VALUES "
        + "(1, $1::timestamptz - interval '8 days'), (2, $1::timestamptz - interval '6 days')").execute(Tuple.of(now)));
    Http.await(pool.preparedQuery("INSERT INTO bot_sessions (user_id, state, expires_at) VALUES "
        + "(9, 'AMOUNT', $1::timestamptz - interval '1 minute'), (10, 'AMOUNT', $1::timestamptz + interval '1 minute')")
        .execute(Tuple.of(now)));

    JobSummary summary = Http.await(new Retention(pool, CLOCK).job().run());

    assertThat(summary.acted()).isEqualTo(3);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE chat_id = 9")).isEqualTo(2);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE dedup_key = 'r2'")).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM telegram_updates WHERE update_id IN (1, 2)")).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM bot_sessions WHERE user_id IN (9, 10)")).isEqualTo(1);
  }

  @Test
  @DisplayName("the low-balance notice: not for a new user who never had tokens; once when the balance falls "
      + "below the threshold; re-armed when it is back above; never to a user who blocked the bot")
  void lowBalance() {
    Ledgers.seedUser(pool, 5L, "3");
    Ledgers.seedUser(pool, 6L, "20");
    Http.await(pool.query("UPDATE users SET bot_blocked = true WHERE id = 6").execute());

    Http.await(jobs.lowBalance());
    assertThat(notices(5, "low_balance")).as("never at or above the threshold").isZero();
    Ledgers.seedUser(pool, 5L, "17");
    Http.await(jobs.lowBalance()); // 20 tokens: armed
    Ledgers.post(pool, 5L, "-15");
    Ledgers.post(pool, 6L, "-15");
    Http.await(jobs.lowBalance());
    Http.await(jobs.lowBalance());
    assertThat(notices(5, "low_balance")).isEqualTo(1);
    Ledgers.seedUser(pool, 5L, "10");
    Http.await(jobs.lowBalance()); // 15 tokens: re-armed
    Ledgers.post(pool, 5L, "-13");
    Http.await(jobs.lowBalance());

    assertThat(notices(5, "low_balance")).isEqualTo(2);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE user_id = 5 AND kind = 'low_balance' "
        + "AND args->>'balance' IN ('5.0000', '2.0000')")).isEqualTo(2);
    assertThat(notices(6, "low_balance")).isZero();
  }

  /** {@code count} users from {@code first} with 1,000 tokens (a top-up row each), every low-balance tier told. */
  private static void seedUsers(long first, int count, OffsetDateTime subscriptionEnd) {
    Http.await(pool.preparedQuery("INSERT INTO users (id, token_balance, balance_seq, subscription_end, tariff_id, "
            + "low_balance_tier) SELECT g, 1000, 1, $1, (SELECT id FROM tariffs WHERE slug = 'standard'), 0 "
            + "FROM generate_series($2::bigint, $2::bigint + $3 - 1) g")
        .execute(Tuple.of(subscriptionEnd, first, count)));
    Http.await(pool.preparedQuery("INSERT INTO transactions (user_id, seq, type, tokens_delta, balance_after, "
        + "idempotency_key) SELECT g, 1, 'topup', 1000, 1000, 'seed' FROM generate_series($1::bigint, $1::bigint + $2 - 1) g")
        .execute(Tuple.of(first, count)));
  }

  @Test
  @DisplayName("re-arming low-balance tiers never waits for a user a charge holds (the next run re-arms that one) "
      + "and gets through more than one chunk in a run")
  void rearmSkipsHeldUsers() throws Exception {
    long first = 300_000;
    int users = SubscriptionJobs.BATCH + 100;
    seedUsers(first, users, null);
    String stillTold = "SELECT count(*) FROM users WHERE id >= $1 AND low_balance_tier IS NOT NULL";
    SqlConnection charge = Http.await(pool.getConnection());
    try {
      // What a billing lane holds while its batch is in flight.
      Http.await(charge.query("BEGIN").execute());
      Http.await(charge.query("SELECT 1 FROM users WHERE id = " + first + " FOR NO KEY UPDATE").execute());
      // An unordered UPDATE of all the rows waited here for the held one (and deadlocked with lanes).
      jobs.lowBalance().toCompletionStage().toCompletableFuture().get(10, TimeUnit.SECONDS);
      assertThat(Ledgers.count(pool, stillTold, first)).as("only the held user waits").isEqualTo(1);
    } finally {
      Http.await(charge.query("ROLLBACK").execute());
      Http.await(charge.close());
    }
    Http.await(jobs.lowBalance());
    assertThat(Ledgers.count(pool, stillTold, first)).isZero();
  }

  @Test
  @DisplayName("two instances running renewals at once over 1,000 ended subscriptions renew each exactly once")
  void twoInstances() {
    long first = 100_000;
    seedUsers(first, 1000, OffsetDateTime.now(CLOCK).minusMinutes(5).withOffsetSameInstant(ZoneOffset.UTC));
    Vertx other = Vertx.vertx();
    Pool secondPool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
        .connectingTo(service.db().url().toConnectOptions()).using(other).build();
    SubscriptionJobs second = jobs(secondPool);
    try {
      int renewed = 0;
      for (int round = 0; round < 10; round++) {
        Future<JobSummary> a = jobs.renewals();
        Future<JobSummary> b = second.renewals();
        Http.await(Future.all(a, b));
        renewed += a.result().acted() + b.result().acted();
        System.out.println("two instances, round " + round + ": " + a.result() + " | " + b.result());
        if (a.result().claimed() == 0 && b.result().claimed() == 0) {
          break;
        }
      }

      assertThat(renewed).isEqualTo(1000);
      assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE type = 'subscription' AND user_id >= $1",
          first)).isEqualTo(1000);
      assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE kind = 'subscription_renewed' "
          + "AND user_id >= $1", first)).isEqualTo(1000);
      assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id >= $1 AND token_balance = 600", first))
          .isEqualTo(1000);
    } finally {
      Http.await(secondPool.close());
      Http.await(other.close());
    }
  }

  @Test
  @DisplayName("renew now pays one period from the later of now and the end, once per double tap; "
      + "the auto-renew toggle sticks")
  void renewNowAndToggle() {
    subscribe(7, "500", Duration.ofDays(2), true);
    Subscriptions subscriptions = TestServices.subscriptions(pool, CLOCK, Settings.billing(KopeckConfig.load(SETTINGS)));
    OffsetDateTime before = end(7);

    Subscriptions.Renewal renewal = Http.await(subscriptions.renewNow(7));
    Http.await(pool.preparedQuery("UPDATE users SET subscription_end = $2 WHERE id = $1").execute(Tuple.of(7L, before)));
    Subscriptions.Renewal again = Http.await(subscriptions.renewNow(7));
    Http.await(pool.preparedQuery("UPDATE users SET subscription_end = $2 WHERE id = $1")
        .execute(Tuple.of(7L, renewal.subscriptionEnd())));
    Throwable broke = Http.await(subscriptions.renewNow(7).map(r -> (Throwable) null).otherwise(e -> e));
    Http.await(subscriptions.setAutoRenew(7, false));

    assertThat(renewal.subscriptionEnd()).isEqualTo(before.plusMonths(1));
    assertThat(renewal.balanceAfter()).isEqualByComparingTo("100");
    assertThat(again.duplicate()).as("same end, same key: the double tap is one renewal").isTrue();
    assertThat(broke).hasMessageContaining("300.0000 missing");
    assertThat(Ledgers.balance(pool, 7)).isEqualByComparingTo("100");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = 7 AND NOT auto_renew")).isEqualTo(1);
  }
}

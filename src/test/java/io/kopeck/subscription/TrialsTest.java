package io.kopeck.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Settings;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.catalog.PromoCodes;
import io.kopeck.catalog.PromoProblem;
import io.kopeck.common.Refused;
import io.kopeck.common.StrictJson;
import io.kopeck.config.KopeckConfig;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TrialsTest {
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));

  static final Map<String, String> SETTINGS = Map.of("ADMIN_CHAT_IDS", "900,901");

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(SETTINGS, CLOCK);
  private static Pool pool;
  private static Trials trials;
  private static PromoCodes promos;

  @BeforeAll
  static void start() {
    pool = service.pool();
    trials = TestServices.trials(pool, CLOCK, Settings.billing(KopeckConfig.load(SETTINGS)));
    promos = new PromoCodes(pool, CLOCK);
  }



  private static void code(String json) {
    Http.await(promos.create(StrictJson.readObject(json), Actor.SYSTEM));
  }

  private static Throwable failure(Future<?> future) {
    Throwable failure = Http.await(future.map(v -> (Throwable) null).otherwise(e -> e));
    assertThat(failure).as("expected a refusal").isNotNull();
    return failure;
  }

  @Test
  @DisplayName("a trial code grants 30 tokens and 8 days at once, audited, with the user's and admins' notices")
  void activate() {
    code("{\"code\": \"TRIAL2026\", \"discount_type\": \"trial\", \"tariff\": \"trial\"}");
    Ledgers.seedUser(pool, 1L, "0");

    Trials.TrialGrant grant = Http.await(trials.activate(1, "trial2026"));

    assertThat(grant.tokens()).isEqualByComparingTo("30");
    assertThat(grant.balanceAfter()).isEqualByComparingTo("30");
    assertThat(grant.subscriptionEnd()).isEqualTo(OffsetDateTime.parse("2026-12-04T12:00:00Z"));
    assertThat(Ledgers.balance(pool, 1)).isEqualByComparingTo("30");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = 1 AND type = 'trial'")).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users u JOIN tariffs t ON t.id = u.tariff_id "
        + "WHERE u.id = 1 AND t.slug = 'standard'")).as("renewals after a trial use DEFAULT_TARIFF").isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT uses_count FROM promo_codes WHERE code = 'TRIAL2026'")).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'trial.activate' AND user_id = 1"))
        .isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE user_id = 1 AND chat_id = 1 "
        + "AND kind = 'trial_activated' AND status = 'pending'")).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE user_id = 1 AND chat_id IN (900, 901) "
        + "AND kind = 'admin_trial_activated'")).isEqualTo(2);
  }

  @Test
  @DisplayName("a second activation is refused, even with another code for the same trial tariff")
  void oncePerUser() {
    code("{\"code\": \"FIRST\", \"discount_type\": \"trial\", \"tariff\": \"trial\"}");
    code("{\"code\": \"SECOND\", \"discount_type\": \"trial\", \"tariff\": \"trial\"}");
    Ledgers.seedUser(pool, 2L, "0");
    Http.await(trials.activate(2, "FIRST"));

    Throwable same = failure(trials.activate(2, "FIRST"));
    Throwable other = failure(trials.activate(2, "SECOND"));

    assertThat(((Refused) same).refusal()).isEqualTo(PromoProblem.ALREADY_USED);
    assertThat(((Refused) other).refusal()).isEqualTo(PromoProblem.ALREADY_USED);
    assertThat(Ledgers.balance(pool, 2)).isEqualByComparingTo("30");
    assertThat(Ledgers.count(pool, "SELECT uses_count FROM promo_codes WHERE code = 'SECOND'")).isZero();
  }

  @Test
  @DisplayName("ten concurrent activations by one user grant the trial exactly once")
  void concurrentSameUser() {
    code("{\"code\": \"RUSH\", \"discount_type\": \"trial\", \"tariff\": \"trial\"}");
    Ledgers.seedUser(pool, 3L, "0");
    List<Future<Trials.TrialGrant>> attempts = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      attempts.add(trials.activate(3, "RUSH"));
    }

    long granted = attempts.stream().map(f -> Http.await(f.map(g -> 1).otherwise(0))).mapToInt(Integer::intValue).sum();

    assertThat(granted).isEqualTo(1);
    assertThat(Ledgers.balance(pool, 3)).isEqualByComparingTo("30");
    assertThat(Ledgers.count(pool, "SELECT uses_count FROM promo_codes WHERE code = 'RUSH'")).isEqualTo(1);
  }

  @Test
  @DisplayName("the last remaining use goes to exactly one of ten users trying at once; the others hear it is used up")
  void lastUseRace() {
    code("{\"code\": \"LASTONE\", \"discount_type\": \"trial\", \"tariff\": \"trial\", \"max_uses\": 1}");
    List<Future<Trials.TrialGrant>> attempts = new ArrayList<>();
    for (long user = 100; user < 110; user++) {
      Ledgers.seedUser(pool, user, "0");
    }
    for (long user = 100; user < 110; user++) {
      attempts.add(trials.activate(user, "LASTONE"));
    }

    List<Throwable> refusals = new ArrayList<>();
    int granted = 0;
    for (Future<Trials.TrialGrant> attempt : attempts) {
      Throwable failure = Http.await(attempt.map(g -> (Throwable) null).otherwise(e -> e));
      if (failure == null) {
        granted++;
      } else {
        refusals.add(failure);
      }
    }

    assertThat(granted).isEqualTo(1);
    assertThat(refusals).hasSize(9).allSatisfy(e -> assertThat(((Refused) e).refusal())
        .isEqualTo(PromoProblem.EXHAUSTED));
    assertThat(Ledgers.count(pool, "SELECT uses_count FROM promo_codes WHERE code = 'LASTONE'")).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE type = 'trial' AND user_id BETWEEN 100 AND 109"))
        .isEqualTo(1);
  }

  @Test
  @DisplayName("a trial extends an active subscription from its end; discount codes and unknown codes are refused")
  void extendsAndRefuses() {
    code("{\"code\": \"EXT\", \"discount_type\": \"trial\", \"tariff\": \"trial\"}");
    code("{\"code\": \"DISC\", \"discount_type\": \"percent\", \"discount_value\": 5}");
    Ledgers.seedUser(pool, 4L, "0");
    OffsetDateTime end = OffsetDateTime.parse("2026-12-20T09:00:00Z");
    Http.await(pool.preparedQuery("UPDATE users SET subscription_end = $2 WHERE id = $1")
        .execute(Tuple.of(4L, end)));

    Trials.TrialGrant grant = Http.await(trials.activate(4, "EXT"));

    assertThat(grant.subscriptionEnd()).isEqualTo(end.plusDays(8).withOffsetSameInstant(ZoneOffset.UTC));
    assertThat(failure(trials.activate(4, "DISC"))).hasMessageContaining("not a trial");
    assertThat(((Refused) failure(trials.activate(4, "NOPE"))).refusal()).isEqualTo(PromoProblem.NOT_FOUND);
  }
}

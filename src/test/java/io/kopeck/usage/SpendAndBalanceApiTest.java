package io.kopeck.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class SpendAndBalanceApiTest {
  static final String KEY = TestKeys.RUNNER;
  // 2026-11-26 20:30 UTC is 23:30 in Moscow: a day boundary is half an hour away.
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-26T20:30:00Z"));

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("RUNNER_API_KEYS", KEY, "RUNNER_RATE_LIMIT", "0"), CLOCK);
  private static Pool pool;
  private static Http http;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
  }



  private static Http.Response spend(long user, String body) {
    return http.postJson("/api/v1/users/" + user + "/spend", KEY, body);
  }

  private static JsonObject balance(long user) {
    return http.get("/api/v1/users/" + user + "/balance", KEY).json();
  }

  private static void sql(String sql, Object... params) {
    Http.await(pool.preparedQuery(sql).execute(Tuple.wrap(params)));
  }

  @Test
  @DisplayName("a spend debits exactly, is idempotent, and never takes the balance below zero")
  void spendNeverBelowZero() {
    long user = 730000001L;
    Ledgers.seedUser(pool, user, "10");

    Http.Response first = spend(user, "{\"amount\": \"7.5\", \"idempotency_key\": \"order-1\", \"description\": \"x\"}");
    Http.Response again = spend(user, "{\"amount\": \"7.5\", \"idempotency_key\": \"order-1\"}");
    Http.Response tooMuch = spend(user, "{\"amount\": \"2.5001\", \"idempotency_key\": \"order-2\"}");
    Http.Response exact = spend(user, "{\"amount\": 2.5, \"idempotency_key\": \"order-3\", \"metadata\": {\"n\": 1.10}}");

    assertThat(first.json()).isEqualTo(new JsonObject().put("transaction_id", first.json().getLong("transaction_id"))
        .put("tokens_spent", "7.5000").put("balance_before", "10.0000").put("balance_after", "2.5000")
        .put("duplicate", false));
    assertThat(again.json().getBoolean("duplicate")).isTrue();
    assertThat(again.json().getString("balance_after")).isEqualTo("2.5000");
    assertThat(again.json().getLong("transaction_id")).isEqualTo(first.json().getLong("transaction_id"));
    assertThat(tooMuch.status()).isEqualTo(409);
    assertThat(tooMuch.json().getString("error")).isEqualTo("insufficient_balance");
    assertThat(exact.json().getString("balance_after")).isEqualTo("0.0000");
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("0");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1 AND type = 'spend' "
        + "AND metadata = '{\"n\": 1.10}'::jsonb", user)).isEqualTo(1);
  }

  @Test
  @DisplayName("spends are refused for unknown (404), blocked (403) and, when required, unsubscribed (403) users")
  void spendRefusals() {
    long blocked = 730000002L;
    Ledgers.seedUser(pool, blocked, "10");
    sql("UPDATE users SET is_blocked = true WHERE id = $1", blocked);

    Http.Response unknown = spend(730009999L, "{\"amount\": 1, \"idempotency_key\": \"a\"}");
    Http.Response refused = spend(blocked, "{\"amount\": 1, \"idempotency_key\": \"a\"}");

    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getString("error")).isEqualTo("user_not_found");
    assertThat(refused.status()).isEqualTo(403);
    assertThat(refused.json().getString("error")).isEqualTo("user_blocked");
    assertThat(Ledgers.balance(pool, blocked)).isEqualByComparingTo("10");
  }

  @Test
  @DisplayName("the balance answer carries balance, subscription, can_spend and today's spending")
  void balanceAnswer() {
    long user = 730000003L;
    Ledgers.seedUser(pool, user, "20");
    sql("UPDATE users SET subscription_end = $2 WHERE id = $1", user,
        CLOCK.instant().plus(Duration.ofDays(3)).atOffset(java.time.ZoneOffset.UTC));
    spend(user, "{\"amount\": 4, \"idempotency_key\": \"b1\"}");

    JsonObject answer = balance(user);

    assertThat(answer.getLong("user_id")).isEqualTo(user);
    assertThat(answer.getString("token_balance")).isEqualTo("16.0000");
    assertThat(answer.getBoolean("subscription_active")).isTrue();
    assertThat(answer.getString("subscription_end")).isEqualTo("2026-11-29T20:30:00Z");
    assertThat(answer.getBoolean("can_spend")).isTrue();
    assertThat(answer.getValue("reason")).isNull();
    assertThat(answer.getValue("daily_spend_limit")).isNull();
    assertThat(answer.getString("spent_today")).isEqualTo("4.0000");
    assertThat(http.get("/api/v1/users/730009999/balance", KEY).status()).isEqualTo(404);
  }

  @Test
  @DisplayName("can_spend turns false at the daily limit, and today's spending restarts at midnight in the display zone")
  void dailyLimit() {
    long user = 730000004L;
    Ledgers.seedUser(pool, user, "100");
    sql("UPDATE users SET daily_spend_limit = 5 WHERE id = $1", user);

    spend(user, "{\"amount\": 5, \"idempotency_key\": \"d1\"}");
    JsonObject atLimit = balance(user);
    CLOCK.advance(Duration.ofHours(1)); // 00:30 in Moscow: a new day
    JsonObject nextDay = balance(user);

    assertThat(atLimit.getBoolean("can_spend")).isFalse();
    assertThat(atLimit.getString("reason")).isEqualTo("daily_limit_reached");
    assertThat(atLimit.getString("daily_spend_limit")).isEqualTo("5.0000");
    assertThat(nextDay.getBoolean("can_spend")).isTrue();
    assertThat(nextDay.getString("spent_today")).isEqualTo("0.0000");
  }

  @Test
  @DisplayName("can_spend is false with a reason for a blocked user and for a negative balance")
  void cannotSpendReasons() {
    long blocked = 730000005L;
    long inDebt = 730000006L;
    Ledgers.seedUser(pool, blocked, "1");
    Ledgers.seedUser(pool, inDebt, "1");
    sql("UPDATE users SET is_blocked = true WHERE id = $1", blocked);
    http.postJson("/api/v1/track-costs", KEY, new JsonObject().put("event_id", "debt").put("user_id", inDebt)
        .put("total_cost", 1).put("currency", "RUB").encode());

    assertThat(balance(blocked).getString("reason")).isEqualTo("user_blocked");
    assertThat(balance(inDebt).getString("reason")).isEqualTo("negative_balance");
    assertThat(balance(inDebt).getString("token_balance")).isEqualTo("-2.1400");
  }
}

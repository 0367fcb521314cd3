package io.kopeck.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.ledger.LedgerVerifier;
import io.kopeck.ledger.Violation;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Holds through the Runner API (SPEC §19), against a real PostgreSQL, the ledger verified after each test. */
class HoldsApiTest {
  static final String KEY = TestKeys.RUNNER;
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-12-06T10:00:00Z"));

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("RUNNER_API_KEYS", KEY, "RUNNER_RATE_LIMIT", "0",
      "DB_POOL_SIZE", "16"), CLOCK);
  private static Pool pool;
  private static Http http;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
  }

  private static Http.Response hold(long user, String id, String amount, Integer ttl) {
    JsonObject body = new JsonObject().put("hold_id", id).put("user_id", user).put("amount", amount)
        .put("description", "run " + id);
    if (ttl != null) {
      body.put("ttl_seconds", ttl);
    }
    return http.postJson("/api/v1/holds", KEY, body.encode());
  }

  private static Http.Response settle(String id, String amount) {
    return http.postJson("/api/v1/holds/" + id + "/settle", KEY, new JsonObject().put("amount", amount).encode());
  }

  private static Http.Response release(String id) {
    return http.postJson("/api/v1/holds/" + id + "/release", KEY, "{}");
  }

  private static JsonObject balance(long user) {
    return http.get("/api/v1/users/" + user + "/balance", KEY).json();
  }

  @Test
  @DisplayName("a hold reserves tokens: 201, the same id again 200 with the same hold; held and available in the balance")
  void placeAndRepeat() {
    long user = 760000001L;
    Ledgers.seedUser(pool, user, "100");

    Instant now = CLOCK.instant();
    Http.Response first = hold(user, "h-place", "30", 600);
    Http.Response again = hold(user, "h-place", "30", 600);

    assertThat(first.status()).isEqualTo(201);
    assertThat(first.json().getString("status")).isEqualTo("active");
    assertThat(first.json().getString("amount")).isEqualTo("30.0000");
    assertThat(first.json().getString("available_after")).isEqualTo("70.0000");
    assertThat(first.json().getString("expires_at")).isEqualTo(now.plusSeconds(600).toString());
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json()).isEqualTo(first.json());
    JsonObject balance = balance(user);
    assertThat(balance.getString("token_balance")).isEqualTo("100.0000");
    assertThat(balance.getString("held")).isEqualTo("30.0000");
    assertThat(balance.getString("available")).isEqualTo("70.0000");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM holds WHERE user_id = $1", user)).isEqualTo(1);
  }

  @Test
  @DisplayName("refusals: not enough available 409, blocked 403, unknown user 404, another user's id 409, bad input 400; nothing written")
  void refusals() {
    long user = 760000002L;
    long other = 760000003L;
    long blocked = 760000004L;
    Ledgers.seedUser(pool, user, "10");
    Ledgers.seedUser(pool, other, "10");
    Ledgers.seedUser(pool, blocked, "10");
    Http.await(pool.preparedQuery("UPDATE users SET is_blocked = true WHERE id = $1").execute(Tuple.of(blocked)));
    assertThat(hold(user, "h-mine", "6", null).status()).isEqualTo(201);

    assertThat(hold(user, "h-more", "4.0001", null).json().getString("error")).isEqualTo("insufficient_balance");
    assertThat(hold(blocked, "h-blocked", "1", null).status()).isEqualTo(403);
    assertThat(hold(760009999L, "h-nobody", "1", null).status()).isEqualTo(404);
    Http.Response taken = hold(other, "h-mine", "1", null);
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.json().getString("error")).isEqualTo("hold_id_taken");
    for (String bad : List.of("{\"hold_id\": \"x\", \"user_id\": 760000002, \"amount\": 0}",
        "{\"hold_id\": \"x\", \"user_id\": 760000002, \"amount\": \"1.00001\"}",
        "{\"hold_id\": \"x\", \"user_id\": 760000002, \"amount\": 1, \"ttl_seconds\": 86401}",
        "{\"hold_id\": \"\", \"user_id\": 760000002, \"amount\": 1}",
        "{\"hold_id\": \"x\", \"user_id\": -1, \"amount\": 1}",
        "{\"hold_id\": \"x\", \"user_id\": 760000002, \"amount\": 1e999999999}")) {
      Http.Response answer = http.postJson("/api/v1/holds", KEY, bad);
      assertThat(answer.status()).as(bad).isEqualTo(400);
      assertThat(answer.json().getString("error")).as(bad).isNotBlank();
    }
    assertThat(http.postJson("/api/v1/holds/nope/settle", KEY, "{\"amount\": 1}").status()).isEqualTo(404);
    assertThat(http.postJson("/api/v1/holds", null, "{}").status()).isEqualTo(401);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM holds WHERE user_id IN ($1, $2, $3)", user, other, blocked))
        .isEqualTo(1);
    assertThat(balance(user).getString("held")).isEqualTo("6.0000");
  }

  @Test
  @DisplayName("100 concurrent holds of one user never reserve more than is available")
  void concurrentHoldsNeverOverdraw() {
    long user = 760000010L;
    Ledgers.seedUser(pool, user, "100");
    List<Future<Http.Response>> answers = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      JsonObject body = new JsonObject().put("hold_id", "h-race-" + i).put("user_id", user).put("amount", "3");
      answers.add(http.send(HttpMethod.POST, "/api/v1/holds", KEY, "application/json", body.encode()));
    }
    List<Http.Response> done = answers.stream().map(Http::await).toList();

    assertThat(done.stream().filter(r -> r.status() == 201).count()).isEqualTo(33);
    assertThat(done.stream().filter(r -> r.status() == 409).count()).isEqualTo(67);
    assertThat(balance(user).getString("held")).isEqualTo("99.0000");
    assertThat(balance(user).getString("available")).isEqualTo("1.0000");
    assertThat(balance(user).getBoolean("can_spend")).isTrue();
  }

  @Test
  @DisplayName("spends respect available, usage does not (the run happened); can_spend is false once nothing is available")
  void spendsRespectAvailable() {
    long user = 760000020L;
    Ledgers.seedUser(pool, user, "100");
    assertThat(hold(user, "h-spend", "90", null).status()).isEqualTo(201);

    Http.Response tooMuch = http.postJson("/api/v1/users/" + user + "/spend", KEY,
        "{\"amount\": \"10.0001\", \"idempotency_key\": \"s1\"}");
    Http.Response fits = http.postJson("/api/v1/users/" + user + "/spend", KEY,
        "{\"amount\": 10, \"idempotency_key\": \"s2\"}");

    assertThat(tooMuch.json().getString("error")).isEqualTo("insufficient_balance");
    assertThat(fits.status()).isEqualTo(200);
    assertThat(balance(user).getBoolean("can_spend")).isFalse();
    assertThat(balance(user).getString("reason")).isEqualTo("insufficient_balance");
    Http.Response usage = http.postJson("/api/v1/track-costs", KEY, new JsonObject().put("event_id", "u-held")
        .put("user_id", user).put("total_cost", "1").put("currency", "RUB").encode());
    assertThat(usage.json().getString("status")).isEqualTo("charged");
    assertThat(balance(user).getString("token_balance")).isEqualTo("86.8600");
    assertThat(balance(user).getString("available")).isEqualTo("-3.1400");
  }

  @Test
  @DisplayName("settle: one ledger row keyed hold:<id>, may exceed the hold, a repeat answers the first; release gives back; settle after release 409")
  void settleAndRelease() {
    long user = 760000030L;
    Ledgers.seedUser(pool, user, "100");
    hold(user, "h-settle", "10", null);
    hold(user, "h-release", "20", null);

    Http.Response settled = settle("h-settle", "25.5");
    Http.Response repeated = settle("h-settle", "1");
    Http.Response released = release("h-release");
    Http.Response releasedAgain = release("h-release");
    Http.Response settleReleased = settle("h-release", "1");
    Http.Response releaseSettled = release("h-settle");

    assertThat(settled.status()).isEqualTo(200);
    assertThat(settled.json().getString("status")).isEqualTo("settled");
    assertThat(settled.json().getString("tokens_charged")).isEqualTo("25.5000");
    assertThat(settled.json().getString("balance_after")).isEqualTo("74.5000");
    assertThat(repeated.json()).isEqualTo(settled.json());
    assertThat(released.json().getString("status")).isEqualTo("released");
    assertThat(releasedAgain.json().getString("status")).isEqualTo("released");
    assertThat(settleReleased.status()).isEqualTo(409);
    assertThat(settleReleased.json().getString("error")).isEqualTo("hold_not_active");
    assertThat(releaseSettled.status()).isEqualTo(409);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1 AND idempotency_key = $2",
        user, "hold:h-settle")).isEqualTo(1);
    assertThat(balance(user).getString("held")).isEqualTo("0.0000");
    assertThat(balance(user).getString("available")).isEqualTo("74.5000");
  }

  @Test
  @DisplayName("a settle past the floor is refused and changes nothing; the hold stays active")
  void settleBelowFloor() {
    long user = 760000040L;
    Ledgers.seedUser(pool, user, "5");
    hold(user, "h-floor", "5", null);

    Http.Response refused = settle("h-floor", "1005.0001");

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().getString("error")).isEqualTo("balance_floor");
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("5");
    assertThat(balance(user).getString("held")).isEqualTo("5.0000");
    assertThat(settle("h-floor", "1005").json().getString("balance_after")).isEqualTo("-1000.0000");
  }

  @Test
  @DisplayName("expiry: an overdue hold is reported by ledger verify until the timer releases it; then settle is 409")
  void expiry() {
    long user = 760000050L;
    Ledgers.seedUser(pool, user, "50");
    hold(user, "h-expire", "40", 60);
    LedgerVerifier verifier = new LedgerVerifier(pool, Ledgers.FLOOR, CLOCK, Duration.ofSeconds(60));

    CLOCK.advance(Duration.ofSeconds(61));
    Http.Response pastExpiry = settle("h-expire", "1");
    CLOCK.advance(Duration.ofMinutes(3));
    List<Violation> overdue = Http.await(verifier.verify());
    Http.await(service.app().services().runTimerJobsOnce());

    assertThat(pastExpiry.status()).isEqualTo(409);
    assertThat(overdue).extracting(Violation::check).containsExactly("holds_expire_on_time");
    assertThat(Http.await(verifier.verify())).isEmpty();
    assertThat(balance(user).getString("held")).isEqualTo("0.0000");
    assertThat(release("h-expire").json().getString("status")).isEqualTo("expired");
    assertThat(settle("h-expire", "1").status()).isEqualTo(409);
  }
}

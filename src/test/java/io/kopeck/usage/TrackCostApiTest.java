package io.kopeck.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class TrackCostApiTest {
  static final String KEY = TestKeys.RUNNER;
  static final long ANNA = 700000001L;

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("RUNNER_API_KEYS", "other-key-0123456789," + KEY, "BALANCE_FLOOR", "-1000"));
  private static Pool pool;
  private static Http http;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
  }



  /** The Runner fixtures of shared/fixtures, copied into the test resources so a clone is self-contained. */
  static String fixture(String name) throws IOException {
    try (var in = TrackCostApiTest.class.getResourceAsStream("/fixtures/runner/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource fixtures/runner/" + name);
      }
      return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
    }
  }

  private static Http.Response charge(String body) {
    return http.postJson("/api/v1/track-costs", KEY, body);
  }

  private static String event(String id, long user, String cost) {
    return new JsonObject().put("event_id", id).put("user_id", user).put("total_cost", cost).put("currency", "RUB")
        .encode();
  }

  @Test
  @DisplayName("0.004 × 3.14 charges exactly 0.0126 tokens and 15.45 × 3.14 exactly 48.5130 (fixtures)")
  void exactArithmetic() throws IOException {
    long user = 700000021L;
    Ledgers.seedUser(pool, user, "100");

    Http.Response basic = charge(fixture("track_cost_basic.json").replace(Long.toString(ANNA), Long.toString(user)));
    Http.Response large = charge(fixture("track_cost_large.json").replace(Long.toString(ANNA), Long.toString(user)));

    assertThat(basic.status()).isEqualTo(200);
    assertThat(basic.json().getString("status")).isEqualTo("charged");
    assertThat(basic.json().getString("tokens_charged")).isEqualTo("0.0126");
    assertThat(basic.json().getString("balance_after")).isEqualTo("99.9874");
    assertThat(basic.json().getLong("transaction_id")).isPositive();
    assertThat(large.json().getString("tokens_charged")).isEqualTo("48.5130");
    assertThat(large.json().getString("balance_after")).isEqualTo("51.4744");
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("51.4744");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM usage_charges WHERE event_id = 'task-0003' "
        + "AND node_costs = '{\"n01\": 1.0, \"n02\": 1.5, \"n03\": 2.0, \"n04\": 0.5, \"n05\": 0.25, \"n06\": 0.2, "
        + "\"n07\": 3.0, \"n08\": 4.0, \"n09\": 1.0, \"n10\": 1.5, \"n11\": 0.5}'::jsonb AND total_cost = 15.45 "
        + "AND prompt_tokens = 12000 AND completion_tokens = 9000 AND total_tokens = 21000 AND api_calls = 42 "
        + "AND multiplier = 3.14")).isEqualTo(1);
  }

  @Test
  @DisplayName("a zero-cost run is recorded for analytics with a zero debit and no ledger row")
  void zeroCost() throws IOException {
    long user = 700000011L;
    Ledgers.seedUser(pool, user, "5");
    String free = fixture("track_cost_free.json").replace("700000001", Long.toString(user));

    Http.Response response = charge(free);

    assertThat(response.json().getString("status")).isEqualTo("charged");
    assertThat(response.json().getString("tokens_charged")).isEqualTo("0.0000");
    assertThat(response.json().getString("balance_after")).isEqualTo("5.0000");
    assertThat(response.json().getValue("transaction_id")).isNull();
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM usage_charges WHERE user_id = $1 AND free_requests = 2 "
        + "AND transaction_id IS NULL", user)).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1", user)).isEqualTo(1);
  }

  @Test
  @DisplayName("the NDJSON fixture is answered line by line in order, as the fixtures README expects")
  void ndjsonFixture() throws IOException {
    Ledgers.seedUser(pool, ANNA, "10");

    Http.Response response = http.post("/api/v1/track-costs", KEY, "application/x-ndjson",
        fixture("track_costs_stream.ndjson"));

    assertThat(response.status()).isEqualTo(200);
    assertThat(response.headers().get("Content-Type")).isEqualTo("application/x-ndjson");
    List<JsonObject> lines = response.lines();
    assertThat(lines).extracting(l -> l.getString("status") + "/" + l.getString("error", ""))
        .containsExactly("charged/", "charged/", "rejected/invalid_event", "duplicate/", "rejected/user_not_found",
            "rejected/invalid_event", "rejected/invalid_event");
    assertThat(lines).extracting(l -> l.getInteger("line")).containsExactly(1, 2, 3, 4, 5, 6, 7);
    assertThat(lines.get(0).getString("tokens_charged")).isEqualTo("0.0314");
    assertThat(lines.get(3).getLong("transaction_id")).isEqualTo(lines.get(0).getLong("transaction_id"));
    assertThat(lines.get(5).getString("message")).isEqualTo("total_cost must not be negative");
    assertThat(lines.get(6).getString("message")).isEqualTo("currency must be RUB");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM usage_charges WHERE event_id IN ('s-3', 's-4', 's-5')"))
        .isZero();
  }

  @Test
  @DisplayName("a repeated event_id answers the first result as duplicate and changes nothing")
  void sequentialDuplicate() {
    long user = 700000012L;
    Ledgers.seedUser(pool, user, "10");

    Http.Response first = charge(event("dup-1", user, "1"));
    Http.Response second = charge(event("dup-1", user, "1"));

    assertThat(second.status()).isEqualTo(200);
    assertThat(second.json().getString("status")).isEqualTo("duplicate");
    assertThat(second.json().getString("tokens_charged")).isEqualTo(first.json().getString("tokens_charged"));
    assertThat(second.json().getString("balance_after")).isEqualTo("6.8600");
    assertThat(second.json().getLong("transaction_id")).isEqualTo(first.json().getLong("transaction_id"));
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("6.86");
  }

  @Test
  @DisplayName("50 concurrent copies of one event charge it exactly once; every answer carries the same transaction")
  void concurrentDuplicates() {
    long user = 700000013L;
    Ledgers.seedUser(pool, user, "10");
    List<Future<Http.Response>> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add(http.send(HttpMethod.POST, "/api/v1/track-costs", KEY, "application/json", event("same", user, "1")));
    }

    List<JsonObject> answers = Http.await(Future.all(sent)).<Http.Response>list().stream().map(Http.Response::json)
        .toList();

    assertThat(answers).extracting(a -> a.getString("status")).containsOnly("charged", "duplicate");
    assertThat(answers).filteredOn(a -> a.getString("status").equals("charged")).hasSize(1);
    assertThat(answers).extracting(a -> a.getLong("transaction_id")).containsOnly(answers.get(0).getLong("transaction_id"));
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("6.86");
  }

  @Test
  @DisplayName("2,000 concurrent charges over 20 users, a fifth of them duplicates, leave exact balances")
  void manyConcurrentCharges() {
    long firstUser = 710000000L;
    for (int u = 0; u < 20; u++) {
      Ledgers.seedUser(pool, firstUser + u, "1000");
    }
    List<Future<Http.Response>> sent = new ArrayList<>();
    for (int i = 0; i < 2000; i++) {
      int unique = i % 5 == 4 ? i - 1 : i; // every fifth request repeats the one before it
      long user = firstUser + unique % 20;
      sent.add(http.send(HttpMethod.POST, "/api/v1/track-costs", KEY, "application/json",
          event("bulk-" + unique, user, "0.0105")));
    }

    List<JsonObject> answers = Http.await(Future.all(sent)).<Http.Response>list().stream().map(Http.Response::json)
        .toList();

    assertThat(answers).filteredOn(a -> a.getString("status").equals("charged")).hasSize(1600);
    assertThat(answers).filteredOn(a -> a.getString("status").equals("duplicate")).hasSize(400);
    // 0.0105 × 3.14 = 0.03297 → 0.0330 per event. Unique events i ≢ 4 (mod 5) land on users u ≢ 4 (mod 5),
    // 100 each; the duplicates repeat those and charge nothing.
    for (int u = 0; u < 20; u++) {
      int events = u % 5 == 4 ? 0 : 100;
      assertThat(Ledgers.balance(pool, firstUser + u)).isEqualByComparingTo(
          new BigDecimal("1000").subtract(new BigDecimal("0.0330").multiply(BigDecimal.valueOf(events))));
    }
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM usage_charges WHERE event_id LIKE 'bulk-%'")).isEqualTo(1600);
  }

  @Test
  @DisplayName("usage may take a balance below zero, but an event that would cross the floor is rejected and recorded")
  void balanceFloor() {
    long user = 700000014L;
    Ledgers.seedUser(pool, user, "1");

    Http.Response intoDebt = charge(event("floor-1", user, "100"));       // 314 tokens: 1 → -313
    Http.Response tooFar = charge(event("floor-2", user, "250"));         // 785 more would reach -1098
    Http.Response retried = charge(event("floor-2", user, "250"));

    assertThat(intoDebt.json().getString("balance_after")).isEqualTo("-313.0000");
    assertThat(tooFar.status()).isEqualTo(409);
    assertThat(tooFar.json().getString("error")).isEqualTo("balance_floor");
    assertThat(tooFar.json().getString("status")).isEqualTo("rejected");
    assertThat(retried.status()).isEqualTo(409);
    assertThat(retried.json().getBoolean("duplicate")).isTrue();
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("-313");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM usage_charges WHERE event_id = 'floor-2' "
        + "AND status = 'rejected' AND reject_reason = 'balance_floor' AND transaction_id IS NULL")).isEqualTo(1);
  }

  @Test
  @DisplayName("an unknown user gets 404 user_not_found and nothing is written")
  void unknownUser() {
    Http.Response response = charge(event("ghost-1", 999L, "1"));

    assertThat(response.status()).isEqualTo(404);
    assertThat(response.json().getString("error")).isEqualTo("user_not_found");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM usage_charges WHERE event_id = 'ghost-1'")).isZero();
  }

  @Test
  @DisplayName("without a valid Runner key every /api/v1 call is 401 and nothing is charged")
  void requiresKey() {
    long user = 700000015L;
    Ledgers.seedUser(pool, user, "10");

    Http.Response none = http.postJson("/api/v1/track-costs", null, event("auth-1", user, "1"));
    Http.Response wrong = http.postJson("/api/v1/track-costs", "runner-kez", event("auth-1", user, "1"));
    Http.Response stream = http.post("/api/v1/track-costs", "nope", "application/x-ndjson", event("auth-1", user, "1"));
    Http.Response balance = http.get("/api/v1/users/" + user + "/balance", null);

    assertThat(List.of(none.status(), wrong.status(), stream.status(), balance.status())).containsOnly(401);
    assertThat(none.json().getString("error")).isEqualTo("unauthorized");
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("10");
  }

  @Test
  @DisplayName("the key forms existing Runner clients send: a bare Authorization value and X-API-Key; wrong keys 401")
  void keyForms() {
    long user = 700000030L;
    Ledgers.seedUser(pool, user, "10");

    Http.Response bare = Http.await(http.sendWithHeader("/api/v1/track-costs", "Authorization", KEY,
        event("form-1", user, "1")));
    Http.Response apiKey = Http.await(http.sendWithHeader("/api/v1/track-costs", "X-API-Key", KEY,
        event("form-2", user, "1")));
    Http.Response wrongBare = Http.await(http.sendWithHeader("/api/v1/track-costs", "Authorization", "Basic " + KEY,
        event("form-3", user, "1")));
    Http.Response wrongApiKey = Http.await(http.sendWithHeader("/api/v1/track-costs", "X-API-Key", KEY + "x",
        event("form-4", user, "1")));

    assertThat(List.of(bare.status(), apiKey.status())).containsOnly(200);
    assertThat(List.of(wrongBare.status(), wrongApiKey.status())).containsOnly(401);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM usage_charges WHERE user_id = $1", user)).isEqualTo(2);
  }

  @Test
  @DisplayName("a long NDJSON stream of 5,000 events is answered in input order, every line after its commit")
  void longStream() {
    long user = 700000016L;
    Ledgers.seedUser(pool, user, "1000");
    StringBuilder body = new StringBuilder();
    for (int i = 0; i < 5000; i++) {
      body.append(event("long-" + i, user, "0.01")).append('\n');
    }

    List<JsonObject> lines = http.post("/api/v1/track-costs", KEY, "application/x-ndjson", body.toString()).lines();

    assertThat(lines).hasSize(5000);
    for (int i = 0; i < 5000; i++) {
      assertThat(lines.get(i).getString("event_id")).isEqualTo("long-" + i);
      assertThat(lines.get(i).getString("status")).isEqualTo("charged");
    }
    // Per-user order: each line's balance is the previous one minus 0.0314.
    assertThat(lines.get(4999).getString("balance_after")).isEqualTo("843.0000");
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("843");
  }
}

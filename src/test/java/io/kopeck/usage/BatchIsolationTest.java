package io.kopeck.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.math.BigDecimal;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §11: one charge never changes another's answer. Strings PostgreSQL cannot store are refused
 * at the edge; a charge whose content the database refuses anyway is found and refused alone.
 * One lane, so every line of a stream shares batches with the others.
 */
class BatchIsolationTest {
  static final String KEY = TestKeys.RUNNER;
  static final long ALICE = 810001;
  static final long BOB = 810002;

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("RUNNER_API_KEYS", KEY, "BILLING_LANES", "1"));
  private static Pool pool;
  private static Http http;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
    Ledgers.seedUser(pool, ALICE, "1000");
    Ledgers.seedUser(pool, BOB, "1000");
    // A rule of the database's own that one event breaks: the stand-in for any data or constraint error.
    Http.await(pool.query("ALTER TABLE usage_charges ADD CONSTRAINT test_no_poison CHECK (track IS DISTINCT FROM 'poison')")
        .execute());
    // An error of no SQLSTATE class the batch writer knew (P0001, raise_exception): the stand-in for any
    // failure that is not the database's moment.
    Http.await(pool.query("""
        CREATE FUNCTION test_explode() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
          IF NEW.track = 'explode' THEN RAISE EXCEPTION 'exploded'; END IF;
          RETURN NEW;
        END $$;
        CREATE TRIGGER test_explode BEFORE INSERT ON usage_charges FOR EACH ROW EXECUTE FUNCTION test_explode()""")
        .execute());
    for (int i = 0; i < USERS; i++) {
      Ledgers.seedUser(pool, CROWD + i, "1000");
    }
  }

  static final long CROWD = 810100;
  static final int USERS = 4;

  /** 40 lines of four users, line {@code badLine} (1-based) replaced; the stream's answers. */
  private static List<JsonObject> crowdStream(String prefix, int badLine, String badEvent) {
    StringBuilder body = new StringBuilder();
    for (int i = 1; i <= 40; i++) {
      body.append(i == badLine ? badEvent : event(prefix + i, CROWD + i % USERS, "cv")).append('\n');
    }
    Http.Response answer = http.post("/api/v1/track-costs", KEY, "application/x-ndjson", body.toString());
    assertThat(answer.status()).isEqualTo(200);
    return answer.lines();
  }

  @Test
  @DisplayName("SPEC §17: total_cost 0e-2147483647 on line 18 of a four-user stream: that line invalid_event, "
      + "the 39 others charged")
  void hostileZeroInAStream() {
    String poison = "{\"event_id\": \"zero-18\", \"user_id\": " + CROWD + ", \"total_cost\": 0e-2147483647, "
        + "\"currency\": \"RUB\"}";

    List<JsonObject> lines = crowdStream("zero-", 18, poison);

    assertThat(statuses(lines)).containsExactlyInAnyOrderEntriesOf(Map.of("charged/", 39L, "rejected/invalid_event", 1L));
    assertThat(lines.get(17).getInteger("line")).isEqualTo(18);
    Ledgers.assertConsistent(pool);
  }

  @Test
  @DisplayName("SPEC §17: any failure that is not the database's moment (here a trigger's own error) is bisected "
      + "to its charge: one line refused, the 39 others of four users charged, none answered unavailable")
  void anyFailureIsIsolated() {
    List<JsonObject> lines = crowdStream("boom-", 18, event("boom-18", CROWD + 1, "explode"));

    assertThat(statuses(lines)).containsExactlyInAnyOrderEntriesOf(Map.of("charged/", 39L, "rejected/invalid_event", 1L));
    assertThat(lines.get(17).getString("event_id")).isEqualTo("boom-18");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM usage_charges WHERE event_id LIKE 'boom-%'")).isEqualTo(39);
    Ledgers.assertConsistent(pool);
  }



  private static String event(String id, long user, String track) {
    return "{\"event_id\": \"" + id + "\", \"user_id\": " + user + ", \"track\": \"" + track
        + "\", \"total_cost\": \"0.01\", \"currency\": \"RUB\"}";
  }

  /** 300 lines: Alice's, with one line of Bob's at {@code badLine} (1-based); the stream's answers. */
  private static List<JsonObject> stream(String prefix, int badLine, String badEvent) {
    StringBuilder body = new StringBuilder();
    for (int i = 1; i <= 300; i++) {
      body.append(i == badLine ? badEvent : event(prefix + i, ALICE, "cv")).append('\n');
    }
    Http.Response answer = http.post("/api/v1/track-costs", KEY, "application/x-ndjson", body.toString());
    assertThat(answer.status()).isEqualTo(200);
    return answer.lines();
  }

  private static Map<String, Long> statuses(List<JsonObject> lines) {
    return lines.stream().collect(Collectors.groupingBy(l -> l.getString("status") + "/" + l.getString("error", ""),
        Collectors.counting()));
  }

  @Test
  @DisplayName("a NUL in another user's line: that line alone is refused invalid_event, the 299 others charged")
  void nulLine() {
    BigDecimal before = Ledgers.balance(pool, ALICE);
    String poison = "{\"event_id\": \"nul-1\", \"user_id\": " + BOB + ", \"track\": \"cv\\u0000x\", "
        + "\"total_cost\": 1, \"currency\": \"RUB\"}";

    List<JsonObject> lines = stream("nul-a-", 150, poison);

    assertThat(statuses(lines)).containsExactlyInAnyOrderEntriesOf(Map.of("charged/", 299L, "rejected/invalid_event", 1L));
    assertThat(lines.get(149).getInteger("line")).isEqualTo(150);
    assertThat(lines.get(149).getString("message")).contains("U+0000");
    assertThat(Ledgers.balance(pool, ALICE)).isEqualByComparingTo(before.subtract(new BigDecimal("0.0314").multiply(
        BigDecimal.valueOf(299))));
    assertThat(Ledgers.balance(pool, BOB)).isEqualByComparingTo("1000");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM usage_charges WHERE user_id = $1", BOB)).isZero();
  }

  @Test
  @DisplayName("a line the database refuses inside a batch: refused alone with a permanent reason, the rest commit, "
      + "and sending it again is refused the same way, never 503")
  void constraintInsideBatch() {
    BigDecimal before = Ledgers.balance(pool, ALICE);

    List<JsonObject> lines = stream("poison-a-", 200, event("poison-1", BOB, "poison"));

    assertThat(statuses(lines)).containsExactlyInAnyOrderEntriesOf(Map.of("charged/", 299L, "rejected/invalid_event", 1L));
    assertThat(lines.get(199).getString("event_id")).isEqualTo("poison-1");
    assertThat(Ledgers.balance(pool, ALICE)).isEqualByComparingTo(before.subtract(new BigDecimal("9.3886")));
    assertThat(Ledgers.balance(pool, BOB)).isEqualByComparingTo("1000");

    Http.Response again = http.postJson("/api/v1/track-costs", KEY, event("poison-1", BOB, "poison"));
    assertThat(again.status()).isEqualTo(422);
    assertThat(again.json().getString("error")).isEqualTo("invalid_event");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1 AND type = 'usage'", BOB))
        .isZero();
  }

  @Test
  @DisplayName("an unpaired surrogate in event_id is refused, so two different ids can never collide as '?'")
  void unpairedSurrogate() {
    Http.Response first = http.postJson("/api/v1/track-costs", KEY, event("sur-\\ud800", ALICE, "cv"));
    Http.Response second = http.postJson("/api/v1/track-costs", KEY, event("sur-\\udc00", ALICE, "cv"));
    List<JsonObject> streamed = http.post("/api/v1/track-costs", KEY, "application/x-ndjson",
        event("sur-\\ud801", ALICE, "cv") + "\n").lines();

    assertThat(first.status()).isEqualTo(400);
    assertThat(first.json().getString("message")).contains("unpaired surrogate");
    assertThat(second.status()).isEqualTo(400);
    assertThat(streamed.get(0).getString("error")).isEqualTo("invalid_event");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM usage_charges WHERE event_id LIKE 'sur-%'")).isZero();
  }

  @Test
  @DisplayName("control characters in node names, spend keys, descriptions and metadata are refused with a 4xx")
  void controlCharacters() {
    BigDecimal before = Ledgers.balance(pool, ALICE);
    String nodes = "{\"event_id\": \"ctl-1\", \"user_id\": " + ALICE + ", \"total_cost\": 1, \"currency\": \"RUB\", "
        + "\"node_costs\": {\"a\\u0001b\": 1}}";
    String tabInId = "{\"event_id\": \"ctl\\t2\", \"user_id\": " + ALICE + ", \"total_cost\": 1, \"currency\": \"RUB\"}";

    // Control characters other than tab and newline are refused anywhere in a body (400); a tab is
    // refused where the event names something (422, like every other invalid event).
    assertThat(http.postJson("/api/v1/track-costs", KEY, nodes).status()).isEqualTo(400);
    assertThat(http.postJson("/api/v1/track-costs", KEY, tabInId).status()).isEqualTo(422);
    for (String spend : List.of(
        "{\"amount\": 1, \"idempotency_key\": \"k\\u0000\"}",
        "{\"amount\": 1, \"idempotency_key\": \"k\\n2\"}",
        "{\"amount\": 1, \"idempotency_key\": \"k3\", \"description\": \"a\\u0000b\"}",
        "{\"amount\": 1, \"idempotency_key\": \"k4\", \"metadata\": {\"x\": \"\\u0000\"}}",
        "{\"amount\": 1, \"idempotency_key\": \"k5\", \"metadata\": {\"\\u0000\": 1}}")) {
      Http.Response answer = http.postJson("/api/v1/users/" + ALICE + "/spend", KEY, spend);
      assertThat(answer.status()).as(spend).isEqualTo(400);
      assertThat(answer.json().getString("error")).as(spend).isIn("invalid_json", "invalid_request");
    }
    // Free text may hold a newline or a tab.
    Http.Response fine = http.postJson("/api/v1/users/" + ALICE + "/spend", KEY,
        "{\"amount\": 1, \"idempotency_key\": \"k6\", \"description\": \"two\\nlines\\tand a tab\"}");
    assertThat(fine.status()).isEqualTo(200);
    assertThat(Ledgers.balance(pool, ALICE)).isEqualByComparingTo(before.subtract(BigDecimal.ONE));
  }
}

package io.kopeck.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Every kind of bad input gets its documented 4xx, writes nothing, and leaves the service ready. */
class BadInputTest {
  static final String KEY = TestKeys.RUNNER;
  static final long USER = 720000001L;

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("RUNNER_API_KEYS", KEY, "HTTP_MAX_BODY_BYTES", "65536"));
  private static Pool pool;
  private static Http http;
  private long rowsBefore;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
    Ledgers.seedUser(pool, USER, "50");
  }


  @BeforeEach
  void countRows() {
    rowsBefore = rows();
  }

  @AfterEach
  void nothingWrittenAndStillReady() {
    assertThat(rows()).as("rows written for bad input").isEqualTo(rowsBefore);
    assertThat(Ledgers.balance(pool, USER)).isEqualByComparingTo("50");
    assertThat(http.get("/ready", null).status()).isEqualTo(200);
    Ledgers.assertConsistent(pool);
  }

  private static long rows() {
    return Ledgers.count(pool, "SELECT (SELECT count(*) FROM usage_charges) + (SELECT count(*) FROM transactions)");
  }

  @ParameterizedTest(name = "[{index}] {0}")
  @DisplayName("malformed JSON and bodies that are not one JSON object are 400 invalid_json")
  @CsvSource(delimiter = '|', value = {
      "not json at all",
      "{\"event_id\": \"x\",",
      "{\"event_id\": \"x\", \"user_id\": 720000001, \"total_cost\": NaN, \"currency\": \"RUB\"}",
      "{\"event_id\": \"x\", \"user_id\": 720000001, \"total_cost\": Infinity, \"currency\": \"RUB\"}",
      "{\"event_id\": \"x\"} trailing",
      "[1, 2]",
      "''"})
  void malformedJson(String body) {
    Http.Response response = http.postJson("/api/v1/track-costs", KEY, body);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().getString("error")).isEqualTo("invalid_json");
  }

  @ParameterizedTest(name = "{1}")
  @DisplayName("events with wrong or missing fields are 422 invalid_event with a precise message")
  @CsvSource(delimiter = '|', value = {
      "{\"user_id\": 720000001, \"total_cost\": 1, \"currency\": \"RUB\"}|event_id is required and must be a string",
      "{\"event_id\": \"\", \"user_id\": 720000001, \"total_cost\": 1, \"currency\": \"RUB\"}|event_id must have 1 to 128 characters",
      "{\"event_id\": 17, \"user_id\": 720000001, \"total_cost\": 1, \"currency\": \"RUB\"}|event_id is required and must be a string",
      "{\"event_id\": \"e\", \"total_cost\": 1, \"currency\": \"RUB\"}|user_id is required",
      "{\"event_id\": \"e\", \"user_id\": \"720000001\", \"total_cost\": 1, \"currency\": \"RUB\"}|user_id must be a positive integer",
      "{\"event_id\": \"e\", \"user_id\": 1.5, \"total_cost\": 1, \"currency\": \"RUB\"}|user_id must be a positive integer",
      "{\"event_id\": \"e\", \"user_id\": 720000001, \"currency\": \"RUB\"}|total_cost is required",
      "{\"event_id\": \"e\", \"user_id\": 720000001, \"total_cost\": -0.01, \"currency\": \"RUB\"}|total_cost must not be negative",
      "{\"event_id\": \"e\", \"user_id\": 720000001, \"total_cost\": \"abc\", \"currency\": \"RUB\"}|total_cost must be a number or a decimal string",
      "{\"event_id\": \"e\", \"user_id\": 720000001, \"total_cost\": \"NaN\", \"currency\": \"RUB\"}|total_cost must be a number or a decimal string",
      "{\"event_id\": \"e\", \"user_id\": 720000001, \"total_cost\": true, \"currency\": \"RUB\"}|total_cost must be a number or a decimal string",
      "{\"event_id\": \"e\", \"user_id\": 720000001, \"total_cost\": 1e30, \"currency\": \"RUB\"}|total_cost is out of range (at most 1000000000)",
      "{\"event_id\": \"e\", \"user_id\": 720000001, \"total_cost\": 1e-20, \"currency\": \"RUB\"}|total_cost has more than 12 decimal places",
      "{\"event_id\": \"e\", \"user_id\": 720000001, \"total_cost\": 1, \"currency\": \"USD\"}|currency must be RUB",
      "{\"event_id\": \"e\", \"user_id\": 720000001, \"total_cost\": 1}|currency is required and must be a string",
      "{\"event_id\": \"e\", \"user_id\": 720000001, \"total_cost\": 1, \"currency\": \"RUB\", \"api_calls\": -1}|api_calls must be a non-negative integer",
      "{\"event_id\": \"e\", \"user_id\": 720000001, \"total_cost\": 1, \"currency\": \"RUB\", \"prompt_tokens\": \"many\"}|prompt_tokens must be a non-negative integer",
      "{\"event_id\": \"e\", \"user_id\": 720000001, \"total_cost\": 1, \"currency\": \"RUB\", \"node_costs\": [1]}|node_costs must be an object of at most 1000 costs",
      "{\"event_id\": \"e\", \"user_id\": 720000001, \"total_cost\": 1, \"currency\": \"RUB\", \"node_costs\": {\"a\": -1}}|node_costs.a must not be negative",
      "{\"event_id\": \"e\", \"user_id\": 720000001, \"total_cost\": 1, \"currency\": \"RUB\", \"track\": 5}|track must be a string of at most 128 characters"})
  void invalidEvents(String body, String message) {
    Http.Response response = http.postJson("/api/v1/track-costs", KEY, body);

    assertThat(response.status()).isEqualTo(422);
    assertThat(response.json().getString("error")).isEqualTo("invalid_event");
    assertThat(response.json().getString("status")).isEqualTo("rejected");
    assertThat(response.json().getString("message")).isEqualTo(message);
  }

  @ParameterizedTest(name = "{0}")
  @DisplayName("SPEC §17: numbers beyond the bounds (scale ±32, 40 digits) are refused before anything reads them, "
      + "quickly, in totals, node costs and metadata alike")
  @CsvSource(delimiter = '|', value = {
      "{\"event_id\": \"h1\", \"user_id\": 720000001, \"total_cost\": 0e-2147483647, \"currency\": \"RUB\"}",
      "{\"event_id\": \"h2\", \"user_id\": 720000001, \"total_cost\": 0e-900000000, \"currency\": \"RUB\"}",
      "{\"event_id\": \"h3\", \"user_id\": 720000001, \"total_cost\": 1e400, \"currency\": \"RUB\"}",
      "{\"event_id\": \"h4\", \"user_id\": 720000001, \"total_cost\": 12345678901234567890123456789012345678901, \"currency\": \"RUB\"}",
      "{\"event_id\": \"h5\", \"user_id\": 720000001, \"total_cost\": 1, \"currency\": \"RUB\", \"node_costs\": {\"a\": 0e-2147483647}}",
      "{\"event_id\": \"h6\", \"user_id\": 720000001, \"total_cost\": 1, \"currency\": \"RUB\", \"extra\": [1e-999999999]}"})
  void hostileNumbers(String body) {
    long started = System.nanoTime();
    Http.Response single = http.postJson("/api/v1/track-costs", KEY, body);
    List<JsonObject> streamed = http.post("/api/v1/track-costs", KEY, "application/x-ndjson", body + "\n").lines();

    assertThat(single.status()).isEqualTo(400);
    assertThat(single.json().getString("message")).contains("a number has");
    assertThat(streamed).extracting(l -> l.getString("error")).containsExactly("invalid_event");
    assertThat((System.nanoTime() - started) / 1_000_000).as("ms to refuse").isLessThan(2_000);
  }

  @ParameterizedTest(name = "{0}")
  @DisplayName("SPEC §17: a spend or an adjustment with a hostile amount or metadata number is a 400")
  @CsvSource(delimiter = '|', value = {
      "{\"amount\": 1e-2147483647, \"idempotency_key\": \"k\"}",
      "{\"amount\": \"1\", \"idempotency_key\": \"k\", \"metadata\": {\"n\": 1e999999999}}"})
  void hostileSpends(String body) {
    Http.Response response = http.postJson("/api/v1/users/" + USER + "/spend", KEY, body);

    assertThat(response.status()).isEqualTo(400);
  }

  @Test
  @DisplayName("an event_id longer than 128 characters is 422")
  void longEventId() {
    String body = new JsonObject().put("event_id", "x".repeat(129)).put("user_id", USER).put("total_cost", 1)
        .put("currency", "RUB").encode();

    assertThat(http.postJson("/api/v1/track-costs", KEY, body).status()).isEqualTo(422);
  }

  @Test
  @DisplayName("a body over the configured limit is 413, on the single-event path")
  void oversizedSingle() {
    String body = "{\"event_id\": \"big\", \"pad\": \"" + "x".repeat(70_000) + "\"}";

    Http.Response response = http.postJson("/api/v1/track-costs", KEY, body);

    assertThat(response.status()).isEqualTo(413);
    assertThat(response.json().getString("error")).isEqualTo("payload_too_large");
  }

  @Test
  @DisplayName("a garbage line in the middle of a stream gets its own rejection and the stream goes on")
  void garbageMidStream() {
    String body = "{\"event_id\": \"g-1\", \"user_id\": 720000999, \"total_cost\": 1, \"currency\": \"RUB\"}\n"
        + "\u0000\u00ff garbage {{{\n"
        + "\n"
        + "{\"event_id\": \"g-2\", \"user_id\": 720000001, \"total_cost\": -5, \"currency\": \"RUB\"}\n";

    List<JsonObject> lines = http.post("/api/v1/track-costs", KEY, "application/x-ndjson", body).lines();

    assertThat(lines).extracting(l -> l.getString("error")).containsExactly("user_not_found", "invalid_event",
        "invalid_event");
    assertThat(lines).extracting(l -> l.getInteger("line")).containsExactly(1, 2, 4);
  }

  @Test
  @DisplayName("a stream line over the size limit stops the stream with a line_too_long answer")
  void oversizedStreamLine() {
    String body = "{\"event_id\": \"big\", \"pad\": \"" + "x".repeat(70_000) + "\"}\n";

    Http.Response response = http.post("/api/v1/track-costs", KEY, "application/x-ndjson", body);

    assertThat(response.lines()).extracting(l -> l.getString("error")).containsExactly("line_too_long");
    // The connection closes after this answer: the client must not send its next request on it.
    assertThat(response.headers().get("Connection")).isEqualTo("close");
  }

  @ParameterizedTest(name = "{0}")
  @DisplayName("bad spends are 400 with their own codes")
  @CsvSource(delimiter = '|', value = {
      "{\"amount\": 0, \"idempotency_key\": \"k\"}|invalid_amount",
      "{\"amount\": -1, \"idempotency_key\": \"k\"}|invalid_amount",
      "{\"amount\": \"1.00001\", \"idempotency_key\": \"k\"}|invalid_amount",
      "{\"amount\": \"lots\", \"idempotency_key\": \"k\"}|invalid_amount",
      "{\"idempotency_key\": \"k\"}|invalid_amount",
      "{\"amount\": 1}|invalid_request",
      "{\"amount\": 1, \"idempotency_key\": 5}|invalid_request",
      "{\"amount\": 1, \"idempotency_key\": \"k\", \"metadata\": [1]}|invalid_request",
      "not json|invalid_json"})
  void badSpends(String body, String error) {
    Http.Response response = http.postJson("/api/v1/users/" + USER + "/spend", KEY, body);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().getString("error")).isEqualTo(error);
  }

  @ParameterizedTest(name = "{0}")
  @DisplayName("a user id in the path that is not a positive integer is 400 invalid_user_id")
  @CsvSource({"abc", "-5", "0", "99999999999999999999"})
  void badUserIds(String id) {
    Http.Response response = http.get("/api/v1/users/" + id + "/balance", KEY);

    assertThat(response.status()).isEqualTo(400);
    assertThat(response.json().getString("error")).isEqualTo("invalid_user_id");
  }
}

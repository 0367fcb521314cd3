package io.kopeck.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.FakeRunner;
import io.kopeck.testsupport.FakeRunner.Script;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Runner task streams (SPEC §14) against a fake Runner serving event streams: registered with
 * {@code POST /api/v1/runs}, followed, charged exactly once through cuts and replays.
 */
class RunnerStreamsTest {
  private static final FakeRunner runner = new FakeRunner();
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("RUNNER_API_KEYS", TestKeys.RUNNER,
      "RUNNER_BASE_URL", runner.url(), "RUNNER_STREAM_KEY", FakeRunner.KEY, "RUNNER_STREAM_BACKOFF_MS", "50",
      "RUNNER_STREAM_LEASE_SECONDS", "5", "COST_MULTIPLIER", "2", "RUNNER_STREAM_MAX_RETRIES", "3",
      "RUNNER_STREAM_IDLE_SECONDS", "2"));

  @AfterAll
  static void stop() {
    runner.close();
  }

  private static Pool pool() {
    return service.pool();
  }

  private static Http.Response register(String runId, long userId) {
    return service.http().postJson("/api/v1/runs", TestKeys.RUNNER, new JsonObject().put("run_id", runId)
        .put("user_id", userId).put("stream_url", "/runs/" + runId + "/events").encode());
  }

  private static JsonObject awaitDone(String runId) {
    return Eventually.until(() -> service.http().get("/api/v1/runs/" + runId, TestKeys.RUNNER).json(),
        run -> !run.getString("status").equals("following"), 20);
  }

  private static long charges(String runId) {
    return Ledgers.count(pool(), "SELECT count(*) FROM usage_charges WHERE event_id LIKE $1 AND status = 'charged'",
        "run:" + runId + ":%");
  }

  @Test
  @DisplayName("progress, 3 track_cost events and done → 3 charges keyed by the events' SSE ids (run:<id>:id:<sse id>); "
      + "the run reports them")
  void threeCharges() {
    Ledgers.seedUser(pool(), 880001L, "100");
    runner.script("r-basic", new Script(FakeRunner.events("1.5", "0.25", "2"), true, -1, -1));

    Http.Response accepted = register("r-basic", 880001L);
    assertThat(accepted.status()).isEqualTo(202);
    assertThat(accepted.json().getString("status")).isEqualTo("following");
    JsonObject done = awaitDone("r-basic");

    assertThat(done.getString("status")).isEqualTo("done");
    assertThat(done.getInteger("events_charged")).isEqualTo(3);
    assertThat(done.getString("tokens")).isEqualTo("7.5000");
    assertThat(Ledgers.count(pool(), "SELECT count(*) FROM usage_charges WHERE event_id IN ('run:r-basic:id:2', "
        + "'run:r-basic:id:4', 'run:r-basic:id:6')")).isEqualTo(3);
    assertThat(Ledgers.balance(pool(), 880001L)).isEqualByComparingTo("92.5");
    assertThat(register("r-basic", 880001L).json().getString("status")).isEqualTo("done");
    Ledgers.seedUser(pool(), 880002L, "0");
    assertThat(register("r-basic", 880002L).status()).isEqualTo(409);
  }

  @Test
  @DisplayName("the connection cut after the 2nd charge: resumed with Last-Event-ID → still 3 charges")
  void cutAndResumed() {
    Ledgers.seedUser(pool(), 880003L, "100");
    runner.script("r-cut", new Script(FakeRunner.events("1", "1", "1"), true, 4, -1));
    register("r-cut", 880003L);

    assertThat(awaitDone("r-cut").getInteger("events_charged")).isEqualTo(3);
    assertThat(charges("r-cut")).isEqualTo(3);
    List<FakeRunner.Connection> connections = runner.connections("r-cut");
    assertThat(connections).hasSize(2);
    assertThat(connections.get(1).lastEventId()).isEqualTo("4");
    assertThat(Ledgers.balance(pool(), 880003L)).isEqualByComparingTo("94");
  }

  @Test
  @DisplayName("a stream without ids cut mid-run is replayed from the start: the same event ids, still 3 charges")
  void replayedWithoutIds() {
    Ledgers.seedUser(pool(), 880004L, "100");
    runner.script("r-noid", new Script(FakeRunner.events("1", "1", "1"), false, 4, -1));
    register("r-noid", 880004L);

    assertThat(awaitDone("r-noid").getInteger("events_charged")).isEqualTo(3);
    assertThat(charges("r-noid")).isEqualTo(3);
    assertThat(runner.connections("r-noid")).extracting(FakeRunner.Connection::lastEventId).containsOnlyNulls();
    assertThat(Ledgers.balance(pool(), 880004L)).isEqualByComparingTo("94");
  }

  @Test
  @DisplayName("SPEC §17: a Runner with SSE ids that replays from the start on reconnect (cut after two costs) is "
      + "charged 3 times, not 5")
  void replayFromStartWithIds() {
    Ledgers.seedUser(pool(), 880007L, "100");
    runner.script("r-replay", new Script(FakeRunner.events("1", "1", "1"), true, 4, -1, true));
    register("r-replay", 880007L);

    assertThat(awaitDone("r-replay").getString("status")).isEqualTo("done");
    assertThat(runner.connections("r-replay")).hasSize(2);
    assertThat(Ledgers.count(pool(), "SELECT count(*) FROM usage_charges WHERE event_id LIKE 'run:r-replay:%'"))
        .isEqualTo(3);
    assertThat(Ledgers.balance(pool(), 880007L)).isEqualByComparingTo("94");
  }

  @Test
  @DisplayName("SPEC §17: run_id is 1–64 characters of [A-Za-z0-9._:-]; a longer or odd one is 400, and a 64-character "
      + "one is charged with its ids in the key")
  void runIdBounds() {
    Ledgers.seedUser(pool(), 880008L, "100");
    for (String runId : new String[] {"x".repeat(65), "x".repeat(100), "has space", "slash/x", "ü"}) {
      Http.Response answer = service.http().postJson("/api/v1/runs", TestKeys.RUNNER, new JsonObject()
          .put("run_id", runId).put("user_id", 880008L).put("stream_url", "/runs/x/events").encode());
      assertThat(answer.status()).as(runId).isEqualTo(400);
    }
    String longest = "L".repeat(64);
    runner.script(longest, new Script(FakeRunner.events("1", "1"), true, -1, -1));

    assertThat(register(longest, 880008L).status()).isEqualTo(202);
    assertThat(awaitDone(longest).getInteger("events_charged")).isEqualTo(2);
    assertThat(Ledgers.balance(pool(), 880008L)).isEqualByComparingTo("96");
  }

  @Test
  @DisplayName("SPEC §17: a stream that goes silent (a half-open connection) is dropped after RUNNER_STREAM_IDLE_SECONDS "
      + "and reconnected; the run finishes with every cost charged once")
  void silentStreamReconnected() {
    Ledgers.seedUser(pool(), 880009L, "100");
    runner.script("r-silent", new Script(FakeRunner.events("1", "1", "1"), true, -1, 3));
    register("r-silent", 880009L);

    JsonObject done = awaitDone("r-silent");

    assertThat(done.getString("status")).isEqualTo("done");
    assertThat(runner.connections("r-silent")).hasSize(2);
    assertThat(runner.connections("r-silent").get(1).lastEventId()).isEqualTo("3");
    assertThat(charges("r-silent")).isEqualTo(3);
  }

  @Test
  @DisplayName("SPEC §17: the seed Runner's second form, bot_output with output_type track_cost, is charged like track_cost")
  void botOutputTrackCost() {
    Ledgers.seedUser(pool(), 880010L, "100");
    runner.script("r-botout", new Script(List.of(
        new JsonObject().put("type", "bot_output").put("output_type", "text").put("content", "hello"),
        new JsonObject().put("type", "bot_output").put("output_type", "track_cost").put("total_cost", 0.0125)
            .put("currency", "RUB").put("node_costs", new JsonObject().put("fetch", 0.0025).put("letter", 0.01)),
        new JsonObject().put("type", "error").put("content", "Вакансия не найдена или закрыта")), true, -1, -1));
    register("r-botout", 880010L);

    JsonObject failed = awaitDone("r-botout");

    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getString("error")).isEqualTo("Вакансия не найдена или закрыта");
    assertThat(failed.getInteger("events_charged")).isEqualTo(1);
    assertThat(Ledgers.balance(pool(), 880010L)).isEqualByComparingTo("99.975");
  }

  @Test
  @DisplayName("SPEC §17: an event whose data passes 1 MiB is refused; the stream is retried, then the run fails, "
      + "and nothing is charged for it")
  void oversizedEvent() {
    Ledgers.seedUser(pool(), 880011L, "100");
    runner.script("r-huge", new Script(List.of(new JsonObject().put("type", "bot_output").put("output_type", "text")
        .put("content", "x".repeat(1_100_000))), true, -1, -1));
    register("r-huge", 880011L);

    JsonObject failed = awaitDone("r-huge");

    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getString("error")).contains("longer than 1048576");
  }

  @Test
  @DisplayName("reconnection pauses carry jitter: between half and all of the back-off")
  void jitter() {
    java.util.Set<Long> seen = new java.util.HashSet<>();
    for (int i = 0; i < 200; i++) {
      long delay = StreamKeys.withJitter(1000);
      assertThat(delay).isBetween(500L, 1000L);
      seen.add(delay);
    }
    assertThat(seen.size()).isGreaterThan(50);
  }

  @Test
  @DisplayName("200 runs followed at once: 600 charges, every run done")
  void twoHundredRuns() {
    for (int i = 0; i < 200; i++) {
      Ledgers.seedUser(pool(), 881000L + i, "100");
      runner.script("r-many-" + i, new Script(FakeRunner.events("0.5", "0.5", "0.5"), true, -1, -1));
      assertThat(register("r-many-" + i, 881000L + i).status()).isEqualTo(202);
    }
    Eventually.until(() -> Ledgers.count(pool(), "SELECT count(*) FROM runner_runs WHERE run_id LIKE 'r-many-%' "
        + "AND status = 'done'"), n -> n == 200, 60);
    assertThat(Ledgers.count(pool(), "SELECT count(*) FROM usage_charges WHERE event_id LIKE 'run:r-many-%'"))
        .isEqualTo(600);
    assertThat(Ledgers.count(pool(), "SELECT count(*) FROM users WHERE id BETWEEN 881000 AND 881199 "
        + "AND token_balance = 97")).isEqualTo(200);
  }

  @Test
  @DisplayName("a stream that never answers 200 is retried with backoff, then the run fails and says why")
  void givesUp() {
    Ledgers.seedUser(pool(), 880006L, "100");
    register("r-missing", 880006L);
    JsonObject failed = awaitDone("r-missing");
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getString("error")).isEqualTo("gave up after 3 attempts: the stream answered 404");
    assertThat(failed.getInteger("events_charged")).isZero();
    assertThat(Ledgers.balance(pool(), 880006L)).isEqualByComparingTo("100");
  }

  @Test
  @DisplayName("bad registrations are 4xx and write nothing; an error event ends the run as failed")
  void badInput() {
    Ledgers.seedUser(pool(), 880005L, "100");
    long before = Ledgers.count(pool(), "SELECT count(*) FROM runner_runs");
    for (String body : new String[] {"{}", "{\"run_id\": \"x\", \"user_id\": 880005}",
        "{\"run_id\": \"x\", \"user_id\": 880005, \"stream_url\": \"http://evil.example/s\"}",
        "{\"run_id\": \"x\", \"user_id\": 880005, \"stream_url\": \"//evil.example/s\"}",
        "{\"run_id\": \"x\\u0000\", \"user_id\": 880005, \"stream_url\": \"/s\"}",
        "{\"run_id\": \"x\", \"user_id\": -1, \"stream_url\": \"/s\"}",
        "{\"run_id\": \"x\", \"user_id\": 99999999, \"stream_url\": \"/s\"}"}) {
      Http.Response answer = service.http().postJson("/api/v1/runs", TestKeys.RUNNER, body);
      assertThat(answer.status()).as(body).isBetween(400, 404);
    }
    assertThat(service.http().postJson("/api/v1/runs", null, "{}").status()).isEqualTo(401);
    assertThat(service.http().get("/api/v1/runs/unknown", TestKeys.RUNNER).status()).isEqualTo(404);
    assertThat(Ledgers.count(pool(), "SELECT count(*) FROM runner_runs")).isEqualTo(before);

    runner.script("r-error", new Script(List.of(new JsonObject().put("type", "track_cost").put("total_cost", "1")
        .put("currency", "RUB"), new JsonObject().put("type", "error").put("message", "model overloaded")), true, -1, -1));
    register("r-error", 880005L);
    JsonObject failed = awaitDone("r-error");
    assertThat(failed.getString("status")).isEqualTo("failed");
    assertThat(failed.getString("error")).isEqualTo("model overloaded");
    assertThat(failed.getInteger("events_charged")).isEqualTo(1);
  }
}

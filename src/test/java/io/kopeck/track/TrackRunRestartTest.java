package io.kopeck.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Application;
import io.kopeck.db.Migrations;
import io.kopeck.testsupport.BotChat;
import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.KopeckProcess;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.SeedRunner;
import io.kopeck.testsupport.SeedRunner.Event;
import io.kopeck.testsupport.SeedRunner.Script;
import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.TestDatabase;
import io.kopeck.testsupport.TestKeys;
import io.kopeck.testsupport.Updates;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A Kopeck process killed (SIGKILL) in the middle of a run the bot started, then a Kopeck started
 * again on the same database: the run is taken over once its lease ran out, the Runner's stream (no
 * ids, replayed from its start, as the seed sends it) is followed to its end, nothing already shown is
 * shown again, and the run is charged once (SPEC §18).
 */
class TrackRunRestartTest {
  private static final long USER = 880_000_001L;

  @Test
  @DisplayName("killed mid-run after the first output: the run finishes after a restart, its output not repeated, charged once")
  void killedMidRun() throws Exception {
    try (FakeTelegram telegram = new FakeTelegram(); SeedRunner runner = new SeedRunner();
         TestDatabase db = TestDatabase.createEmpty()) {
      Migrations.migrate(db.url());
      Pool pool = PgBuilder.pool().connectingTo(db.url().toConnectOptions()).build();
      try {
        Ledgers.seedUser(pool, USER, "100");
        Http.await(pool.query("""
            INSERT INTO tracks (slug, command, title, input, runner, price, hold)
            VALUES ('summary', 'summary', '{"en": "Summary"}', '{"kind": "text", "field": "text"}',
                    '{"path": "/summarise", "user_field": "telegram_id"}',
                    '{"multiplier": "2", "minimum": "0", "on_failure": "free"}', 5)""").execute());
        runner.nextTask(USER, new Script(List.of(
            text("part one"), cost("1"),
            text("part two"), cost("2"), Event.of(new JsonObject().put("type", "complete"))), 2, 0));
        int port = freePort();
        Map<String, String> settings = new HashMap<>(Map.ofEntries(
            Map.entry("DATABASE_URL", db.url().connectionUri()), Map.entry("HTTP_PORT", Integer.toString(port)),
            Map.entry("TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN), Map.entry("TELEGRAM_API_URL", telegram.url()),
            Map.entry("TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET), Map.entry("TELEGRAM_RATE_PER_CHAT", "50"),
            Map.entry("RUNNER_BASE_URL", runner.url()), Map.entry("RUNNER_STREAM_KEY", SeedRunner.KEY),
            Map.entry("RUNNER_STREAM_LEASE_SECONDS", "2"), Map.entry("RUNNER_STREAM_BACKOFF_MS", "50"),
            Map.entry("TIMER_INTERVAL_SECONDS", "86400"), Map.entry("LOG_LEVEL", "WARN"),
            Map.entry("ALLOW_MOCK_PAYMENTS", "true")));
        Path log = Files.createTempFile("kopeck-run-killed", ".log");
        Process first = KopeckProcess.start(settings, log, "serve");
        JsonObject user = Updates.user(USER, "Ann", "Lee", "en");
        try (Http http = new Http(port)) {
          Eventually.until(() -> readyOn(http), ready -> ready, 60);
          BotChat chat = new BotChat(telegram, http, TestKeys.WEBHOOK_SECRET);
          chat.say(user, "/summary", "send the text");
          chat.post(Updates.text(user, "hello"));
          // Killed once "part one" was delivered and its cost recorded, the stream held open after them.
          telegram.awaitOne("sendMessage", USER, c -> c.text().equals("part one"));
          Eventually.until(() -> Ledgers.count(pool, "SELECT count(*) FROM runner_runs WHERE user_id = $1 "
              + "AND events_done = 2 AND status = 'following'", USER), n -> n == 1, 30);
        } finally {
          first.destroyForcibly();
          assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1 AND type = 'usage'", USER))
            .as(Files.readString(log)).isZero();

        settings.put("HTTP_PORT", "0");
        Application again = TestApp.start(db, settings);
        try {
          Eventually.until(() -> Ledgers.count(pool, "SELECT count(*) FROM runner_runs WHERE user_id = $1 "
              + "AND status = 'done'", USER), n -> n == 1, 30);
          telegram.awaitOne("sendMessage", USER, c -> c.text().contains("Charged"));
        } finally {
          again.stop();
        }

        String taskId = runner.received().get(0).taskId();
        assertThat(runner.connections(taskId)).isGreaterThanOrEqualTo(2);
        assertThat(telegram.calls("sendMessage", c -> c.chatId() == USER && c.text().equals("part one"))).hasSize(1);
        assertThat(telegram.calls("sendMessage", c -> c.chatId() == USER && c.text().equals("part two"))).hasSize(1);
        // (1 + 2) RUB × 2, once, under the run's settle key; the hold settled by it.
        assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1 AND idempotency_key = $2",
            USER, "run:" + taskId + ":settle")).isEqualTo(1);
        assertThat(Ledgers.balance(pool, USER)).isEqualByComparingTo("94");
        assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = $1 AND held = 0", USER)).isEqualTo(1);
        Ledgers.assertConsistent(pool);
      } finally {
        Http.await(pool.close());
      }
    }
  }

  private static Event text(String content) {
    return Event.of(new JsonObject().put("type", "bot_output").put("output_type", "text").put("content", content));
  }

  private static Event cost(String cost) {
    return Event.of(new JsonObject().put("type", "track_cost").put("total_cost", cost).put("currency", "RUB"));
  }

  private static boolean readyOn(Http http) {
    try {
      return Http.await(http.send(io.vertx.core.http.HttpMethod.GET, "/ready", null, null, null)).status() == 200;
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

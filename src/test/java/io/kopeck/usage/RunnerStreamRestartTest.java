package io.kopeck.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Application;
import io.kopeck.db.Migrations;
import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.FakeRunner;
import io.kopeck.testsupport.FakeRunner.Script;
import io.kopeck.testsupport.KopeckProcess;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.TestDatabase;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * A Kopeck process killed (SIGKILL) in the middle of a Runner stream, and a Kopeck started again on
 * the same database: the stored run is taken over once its lease ran out, resumed with
 * Last-Event-ID, and nothing is charged twice.
 */
class RunnerStreamRestartTest {

  private static long query(TestDatabase db, String sql) {
    Properties properties = new Properties();
    properties.setProperty("user", db.url().user());
    properties.setProperty("password", db.url().password());
    try (Connection connection = DriverManager.getConnection(db.url().jdbcUrl(), properties);
         Statement statement = connection.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      rows.next();
      return rows.getLong(1);
    } catch (SQLException e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  @DisplayName("killed mid-run after 2 of 3 charges, restarted: the run resumes and there are exactly 3 charges")
  void killedAndRestarted() throws Exception {
    try (FakeRunner runner = new FakeRunner(); TestDatabase db = TestDatabase.createEmpty()) {
      Migrations.migrate(db.url());
      query(db, """
          WITH u AS (INSERT INTO users (id, token_balance, balance_seq) VALUES (890001, 100, 1) RETURNING id),
               t AS (INSERT INTO transactions (user_id, seq, type, tokens_delta, balance_after, idempotency_key)
                     SELECT id, 1, 'topup', 100, 100, 'seed' FROM u RETURNING user_id)
          INSERT INTO runner_runs (user_id, run_id, stream_url) SELECT user_id, 'r-kill', '/runs/r-kill/events' FROM t
          RETURNING 1""");
      // The first connection stops after the 2nd charge and stays open: the process dies holding it.
      runner.script("r-kill", new Script(FakeRunner.events("1", "1", "1"), true, -1, 4));
      Map<String, String> settings = Map.of("DATABASE_URL", db.url().connectionUri(), "RUNNER_BASE_URL", runner.url(),
          "RUNNER_STREAM_KEY", FakeRunner.KEY, "RUNNER_STREAM_LEASE_SECONDS", "2", "RUNNER_STREAM_BACKOFF_MS", "50",
          "TIMER_INTERVAL_SECONDS", "86400", "HTTP_PORT", "0", "LOG_LEVEL", "WARN");
      Path log = Files.createTempFile("kopeck-killed", ".log");
      Process first = KopeckProcess.start(settings, log, "serve");
      try {
        // Killed once the 2nd charge and the progress after it are stored (the charge commits first, the
        // progress a moment later: killed in between, the replay would answer the 2nd event duplicate).
        Eventually.until(() -> query(db, "SELECT count(*) FROM runner_runs WHERE run_id = 'r-kill' "
            + "AND status = 'following' AND events_seen = 2 AND last_event_id = '4'"), n -> n == 1, 60);
      } finally {
        first.destroyForcibly();
        assertThat(first.waitFor(30, TimeUnit.SECONDS)).isTrue();
      }
      assertThat(query(db, "SELECT count(*) FROM usage_charges WHERE event_id LIKE 'run:r-kill:%'"))
          .as(Files.readString(log)).isEqualTo(2);

      Application again = TestApp.start(db, settings);
      try {
        Eventually.until(() -> query(db, "SELECT count(*) FROM runner_runs WHERE run_id = 'r-kill' AND status = 'done'"),
            n -> n == 1, 30);
        assertThat(query(db, "SELECT count(*) FROM usage_charges WHERE event_id LIKE 'run:r-kill:%'")).isEqualTo(3);
        assertThat(query(db, "SELECT charged FROM runner_runs WHERE run_id = 'r-kill'")).isEqualTo(3);
        assertThat(runner.connections("r-kill")).hasSize(2);
        assertThat(runner.connections("r-kill").get(1).lastEventId()).isEqualTo("4");
        assertThat(Ledgers.balance(again.pool(), 890001L)).isEqualByComparingTo("90.58");
        Ledgers.assertConsistent(again.pool());
      } finally {
        again.stop();
      }
    }
  }
}

package io.kopeck.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.KopeckProcess;
import io.kopeck.testsupport.KopeckProcess.Run;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.RunningService;
import io.kopeck.testsupport.TestDatabase;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The commands as an operator runs them: a separate JVM, configured by environment variables. */
class CliTest {

  static Run kopeck(Map<String, String> env, String... args) throws IOException, InterruptedException {
    return KopeckProcess.run(env, args);
  }

  @Test
  @DisplayName("a bad setting stops any command with one line naming the variable, exit code 2")
  void badSetting() throws Exception {
    Run run = kopeck(Map.of("HTTP_PORT", "abc"), "serve");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output().strip()).isEqualTo("kopeck: configuration error: HTTP_PORT: 'abc' is not a whole number");
  }

  @Test
  @DisplayName("kopeck migrate applies the schema to an empty database and is idempotent")
  void migrate() throws Exception {
    try (TestDatabase db = TestDatabase.createEmpty()) {
      Map<String, String> env = Map.of("DATABASE_URL", db.url().connectionUri(), "LOG_LEVEL", "WARN");

      Run first = kopeck(env, "migrate");
      Run second = kopeck(env, "migrate");

      assertThat(first.exitCode()).isZero();
      assertThat(first.output()).contains("Schema is at version 11");
      assertThat(second.exitCode()).isZero();
      assertThat(second.output()).contains("Schema is at version 11");
    }
  }

  @Test
  @DisplayName("kopeck ledger verify exits 0 on a clean ledger, and 1 with one line per violation otherwise")
  void ledgerVerify() throws Exception {
    try (RunningService service = RunningService.start(Map.of())) {
      Ledgers.seedUser(service.pool(), 1L, "10");
      Map<String, String> env = Map.of("DATABASE_URL", service.db().url().connectionUri(), "LOG_LEVEL", "WARN");

      Run clean = kopeck(env, "ledger", "verify");
      Http.await(service.pool().query("UPDATE users SET token_balance = 12 WHERE id = 1").execute());
      Run broken = kopeck(env, "ledger", "verify");

      assertThat(clean.exitCode()).isZero();
      assertThat(clean.output()).contains("ledger ok: all invariants hold");
      assertThat(broken.exitCode()).isEqualTo(1);
      assertThat(broken.output()).contains(
          "VIOLATION invariant 1 (balance_equals_sum) user 1: token_balance 12.0000 but ledger sum 10.0000",
          "1 violation(s) found");
    }
  }

  @Test
  @DisplayName("kopeck tariff create, update, deactivate and list change the catalog; bad input is one clear line")
  void tariffCommands() throws Exception {
    try (RunningService service = RunningService.start(Map.of())) {
      Map<String, String> env = Map.of("DATABASE_URL", service.db().url().connectionUri(), "LOG_LEVEL", "WARN");

      Run created = kopeck(env, "tariff", "create", "--slug", "night", "--name", "Ночной", "--price", "99.50",
          "--tokens", "150", "--period-unit", "day", "--period-value", "1", "--fee", "20");
      Run updated = kopeck(env, "tariff", "update", "night", "--price", "89.00");
      Run deactivated = kopeck(env, "tariff", "deactivate", "night");
      Run list = kopeck(env, "tariff", "list");
      Run bad = kopeck(env, "tariff", "create", "--slug", "x", "--name", "X", "--price", "1.001", "--tokens", "1");

      assertThat(created.exitCode()).isZero();
      assertThat(created.output()).contains("\"price\" : \"99.50\"");
      assertThat(updated.output()).contains("\"price\" : \"89.00\"");
      assertThat(deactivated.output()).contains("\"is_active\" : false");
      assertThat(list.output()).contains("night").contains("basic").contains("trial");
      assertThat(bad.exitCode()).isEqualTo(1);
      assertThat(bad.output().strip())
          .isEqualTo("kopeck: price must be a number from 0 to 10000000 with at most 2 decimal places");
      assertThat(Ledgers.count(service.pool(), "SELECT count(*) FROM audit_log WHERE actor_type = 'cli' "
          + "AND entity_id = 'night'")).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("kopeck user adjust (idempotent by --key), block and show act on one account; kopeck stats reports")
  void userCommands() throws Exception {
    try (RunningService service = RunningService.start(Map.of())) {
      Ledgers.seedUser(service.pool(), 51L, "10");
      Map<String, String> env = Map.of("DATABASE_URL", service.db().url().connectionUri(), "LOG_LEVEL", "WARN");

      Run first = kopeck(env, "user", "adjust", "51", "--amount", "5.25", "--reason", "support ticket 7", "--key", "t7");
      Run again = kopeck(env, "user", "adjust", "51", "--amount", "5.25", "--reason", "support ticket 7", "--key", "t7");
      Run blocked = kopeck(env, "user", "block", "51");
      Run show = kopeck(env, "user", "show", "51");
      Run bad = kopeck(env, "user", "adjust", "51", "--amount", "0", "--reason", "x");
      Run stats = kopeck(env, "stats", "--from", "2026-01-01", "--to", "2026-01-31");
      Run badRange = kopeck(env, "stats", "--from", "2026-02-01", "--to", "2026-01-01");

      assertThat(first.output()).contains("\"balance_after\" : \"15.2500\"", "\"duplicate\" : false");
      assertThat(again.output()).contains("\"balance_after\" : \"15.2500\"", "\"duplicate\" : true");
      assertThat(blocked.output()).contains("\"is_blocked\" : true");
      assertThat(show.output()).contains("\"token_balance\" : \"15.2500\"", "\"is_blocked\" : true",
          "\"type\" : \"adjustment\"");
      assertThat(bad.exitCode()).isEqualTo(1);
      assertThat(bad.output().strip()).startsWith("kopeck: amount must be a non-zero number of tokens");
      assertThat(Ledgers.balance(service.pool(), 51)).isEqualByComparingTo("15.25");
      assertThat(stats.exitCode()).isZero();
      assertThat(stats.output()).contains("\"from\" : \"2026-01-01\"", "\"usage_by_day\" : [ ]");
      // `kopeck stats | jq`: standard output is the JSON alone, the logs went to standard error.
      Run statsOut = KopeckProcess.standardOutput(env, "stats", "--from", "2026-01-01", "--to", "2026-01-31");
      assertThat(new JsonObject(statsOut.output()).getString("from")).isEqualTo("2026-01-01");
      assertThat(badRange.output().strip()).isEqualTo("kopeck: from must not be after to");
      Ledgers.assertConsistent(service.pool());
    }
  }

  @Test
  @DisplayName("kopeck promo create, show, list and deactivate manage promo codes")
  void promoCommands() throws Exception {
    try (RunningService service = RunningService.start(Map.of())) {
      Map<String, String> env = Map.of("DATABASE_URL", service.db().url().connectionUri(), "LOG_LEVEL", "WARN");

      Run created = kopeck(env, "promo", "create", "--code", "welcome", "--type", "bonus_tokens", "--value", "25",
          "--max-uses", "100");
      Run shown = kopeck(env, "promo", "show", "WELCOME");
      Run deactivated = kopeck(env, "promo", "deactivate", "welcome");
      Run list = kopeck(env, "promo", "list");
      Run bad = kopeck(env, "promo", "create", "--code", "x", "--type", "trial");

      assertThat(created.exitCode()).isZero();
      assertThat(created.output()).contains("\"code\" : \"WELCOME\"", "\"discount_value\" : \"25\"");
      assertThat(shown.output()).contains("\"max_uses\" : 100");
      assertThat(deactivated.output()).contains("\"is_active\" : false");
      assertThat(list.output()).contains("WELCOME", "bonus_tokens", "0/100");
      assertThat(bad.exitCode()).isEqualTo(1);
      assertThat(bad.output().strip()).isEqualTo("kopeck: tariff is required for a trial code: the trial tariff it grants");
    }
  }

  @Test
  @DisplayName("kopeck refund refuses what is not a paid invoice with one clear line")
  void refundCommand() throws Exception {
    try (RunningService service = RunningService.start(Map.of())) {
      Map<String, String> env = Map.of("DATABASE_URL", service.db().url().connectionUri(), "LOG_LEVEL", "WARN");

      Run missing = kopeck(env, "refund", "424242", "--reason", "test");

      assertThat(missing.exitCode()).isEqualTo(1);
      assertThat(missing.output().strip()).isEqualTo("kopeck: No invoice 424242");
    }
  }

  @Test
  @DisplayName("kopeck invoices expire --dry-run lists, --ttl-hours 0 expires every pending invoice, once")
  void invoicesExpire() throws Exception {
    try (RunningService service = RunningService.start(Map.of())) {
      Ledgers.seedUser(service.pool(), 1L, "0");
      Http.await(service.pool().query("INSERT INTO invoices (user_id, tariff_id, amount, original_amount, tokens, "
          + "idempotency_key, provider, expires_at, created_at) SELECT 1, id, 199, 199, 200, 'k1', 'mock', "
          + "now() + interval '1 day', now() - interval '2 hours' FROM tariffs WHERE slug = 'basic'").execute());
      Map<String, String> env = Map.of("DATABASE_URL", service.db().url().connectionUri(), "LOG_LEVEL", "WARN");

      Run notYet = kopeck(env, "invoices", "expire");
      Run dry = kopeck(env, "invoices", "expire", "--dry-run", "--ttl-hours", "1");
      Run expired = kopeck(env, "invoices", "expire", "--ttl-hours", "1");
      Run again = kopeck(env, "invoices", "expire", "--ttl-hours", "1");

      assertThat(notYet.output()).contains("expired 0 invoice(s)");
      assertThat(dry.output()).contains("would expire 1 invoice(s): [1000]");
      assertThat(expired.output()).contains("expired 1 invoice(s): [1000]");
      assertThat(again.output()).contains("expired 0 invoice(s)");
      assertThat(Ledgers.count(service.pool(), "SELECT count(*) FROM invoices WHERE status = 'expired'")).isEqualTo(1);
    }
  }

  @Test
  @DisplayName("kopeck timers run-once runs every job and prints one summary line each")
  void timersRunOnce() throws Exception {
    try (RunningService service = RunningService.start(Map.of())) {
      Map<String, String> env = Map.of("DATABASE_URL", service.db().url().connectionUri(), "LOG_LEVEL", "WARN");

      Run run = kopeck(env, "timers", "run-once");

      assertThat(run.exitCode()).isZero();
      assertThat(run.output()).contains("renewals: claimed 0", "expiry-notices: claimed 0", "low-balance: claimed 0",
          "invoice-expiry: claimed 0");
    }
  }
}

package io.kopeck.pays;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.db.DatabaseUrl;
import io.kopeck.db.Migrations;
import io.kopeck.testsupport.KopeckProcess;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestDatabase;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * {@code kopeck import pays} against the sample pays database of the shared fixtures, loaded into a
 * fresh PostgreSQL database, into a running Kopeck (whose default catalog is seeded, so slugs clash).
 */
class PaysImportTest {
  static final BigDecimal FLOOR = new BigDecimal("-1000");

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of());

  /** A fresh database holding the fixture; {@code tamper} runs after it is loaded. */
  static TestDatabase paysDatabase(String tamper) throws IOException, SQLException {
    TestDatabase db = TestDatabase.createEmpty();
    String schema;
    try (InputStream in = PaysImportTest.class.getResourceAsStream("/pays/schema.sql")) {
      schema = new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
    try (Connection connection = PaysImport.connect(db.url()); Statement statement = connection.createStatement()) {
      statement.execute(schema);
      if (tamper != null) {
        statement.execute(tamper);
      }
    }
    return db;
  }

  private static ImportReport importInto(DatabaseUrl source, DatabaseUrl target, boolean dryRun) throws SQLException {
    return new PaysImport(source, target, dryRun, Clock.systemUTC(), FLOOR).run();
  }

  private static long count(Pool pool, String sql, Object... params) {
    return Ledgers.count(pool, sql, params);
  }

  private static String tokens(Pool pool, long user) {
    return Ledgers.balance(pool, user).toPlainString();
  }

  @Test
  @DisplayName("the sample database: a dry run writes nothing; the import brings every user with balances equal to "
      + "pays, one +70 opening adjustment, the catalog, invoices and codes; a second run imports nothing")
  void sample() throws Exception {
    Pool pool = service.pool();
    DatabaseUrl target = service.db().url();
    try (TestDatabase pays = paysDatabase(null)) {
      long usersBefore = count(pool, "SELECT count(*) FROM users");
      ImportReport dry = importInto(pays.url(), target, true);
      assertThat(dry.table("users").imported()).isEqualTo(6);
      assertThat(count(pool, "SELECT count(*) FROM users")).isEqualTo(usersBefore);
      assertThat(count(pool, "SELECT count(*) FROM tariffs WHERE slug LIKE 'pays-%' OR slug = 'pro-30'")).isZero();

      ImportReport report = importInto(pays.url(), target, false);
      System.out.println(report.print());

      assertThat(report.table("users").imported()).isEqualTo(6);
      assertThat(report.table("transactions").read()).isEqualTo(16);
      assertThat(report.table("transactions").imported()).isEqualTo(15);
      assertThat(report.table("tariffs").imported()).isEqualTo(4);
      assertThat(report.table("promo_codes").imported()).isEqualTo(3);
      assertThat(report.table("invoices").imported()).isEqualTo(7);
      assertThat(report.table("promo_activations").imported()).isEqualTo(2);
      assertThat(report.skipCount()).isZero();
      assertThat(report.differences()).anyMatch(d -> d.contains("user 100000004: stored balance 150.0000, history "
          + "80.0000 → adjustment +70.0000 (pays:opening:100000004)"));
      assertThat(report.differences()).anyMatch(d -> d.contains("0-token topup row d0000000-0000-4000-8000-000000000002"));
      assertThat(report.differences()).anyMatch(d -> d.contains("tariff standard: the slug is taken in Kopeck; "
          + "imported as pays-standard"));
      assertThat(report.differences()).anyMatch(d -> d.contains("promo code SALE20: uses_count 2 in pays"));
      assertThat(report.tallies()).containsEntry(
          "invoices whose original_amount was below the amount paid (custom top-ups): raised to the amount", 3L);

      Map<Long, String> balances = Map.of(100000001L, "287.6500", 7123456789L, "29.2500", 100000003L, "986.5000",
          100000004L, "150.0000", 100000005L, "0.0000", 100000006L, "5.3000");
      Map<Long, Long> rows = Map.of(100000001L, 3L, 7123456789L, 2L, 100000003L, 3L, 100000004L, 3L, 100000005L, 0L,
          100000006L, 5L);
      balances.forEach((user, balance) -> assertThat(tokens(pool, user)).as("balance of %d", user).isEqualTo(balance));
      rows.forEach((user, n) -> assertThat(count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1", user))
          .as("ledger rows of %d", user).isEqualTo(n));
      assertThat(count(pool, "SELECT count(*) FROM transactions WHERE user_id = 100000004 AND seq = 3 "
          + "AND type = 'adjustment' AND tokens_delta = 70 AND idempotency_key = 'pays:opening:100000004'")).isEqualTo(1);
      assertThat(count(pool, "SELECT count(*) FROM audit_log WHERE action = 'import.opening_adjustment' "
          + "AND user_id = 100000004")).isEqualTo(1);
      assertThat(count(pool, "SELECT count(*) FROM transactions WHERE type = 'trial' AND user_id IN (7123456789, "
          + "100000006)")).isEqualTo(2);
      assertThat(count(pool, "SELECT count(*) FROM transactions WHERE user_id = 100000006 AND seq = 5 "
          + "AND balance_after = 5.3 AND type = 'refund'")).isEqualTo(1);
      assertThat(count(pool, "SELECT count(*) FROM users WHERE id = 100000001 AND first_name = '<b>Анна</b>' "
          + "AND last_name = 'Петрова & <i>Ко</i> \"Ltd\"' AND subscription_end > '2030-01-01' AND imported_from = 'pays' "
          + "AND tariff_id = (SELECT id FROM tariffs WHERE slug = 'pays-standard')")).isEqualTo(1);
      assertThat(count(pool, "SELECT count(*) FROM users WHERE id = 100000003 AND is_blocked AND NOT auto_renew "
          + "AND expired_notified")).isEqualTo(1);
      assertThat(count(pool, "SELECT count(*) FROM users WHERE id = 7123456789 AND username IS NULL AND first_name = "
          + "'Борис' AND low_balance_tier = 50 AND last_expiry_notice = 0")).isEqualTo(1);
      assertThat(count(pool, "SELECT count(*) FROM tariffs WHERE slug = 'trial-30-7' AND is_trial AND price = 0"))
          .isEqualTo(1);
      assertThat(count(pool, "SELECT count(*) FROM promo_codes WHERE code = 'FRIENDLY' AND discount_type = 'trial' "
          + "AND uses_count = 2")).isEqualTo(1);
      assertThat(count(pool, "SELECT count(*) FROM promo_codes WHERE code = 'SALE20' AND uses_count = 1")).isEqualTo(1);
      assertThat(count(pool, "SELECT count(*) FROM promo_codes WHERE code = 'MINUS50' AND uses_count = 0 "
          + "AND NOT is_active")).isEqualTo(1);
      assertThat(count(pool, "SELECT count(*) FROM invoices WHERE inv_id = 2 AND status = 'paid' AND paid_at IS NOT NULL "
          + "AND original_amount = 500 AND provider = 'robokassa'")).isEqualTo(1);
      assertThat(count(pool, "SELECT count(*) FROM invoices WHERE inv_id = 7 AND status = 'pending'")).isEqualTo(1);
      assertThat(count(pool, "SELECT count(*) FROM payments WHERE provider = 'robokassa' AND provider_payment_id IN "
          + "('1', '2', '3', '5')")).isEqualTo(4);
      assertThat(count(pool, "SELECT count(*) FROM promo_redemptions WHERE kind = 'trial'")).isEqualTo(2);
      assertThat(count(pool, "SELECT count(*) FROM promo_redemptions r JOIN invoices i ON i.id = r.invoice_id "
          + "WHERE i.inv_id = 1")).isEqualTo(1);
      assertThat(count(pool, "SELECT count(*) FROM invoices WHERE inv_id < 1000")).isEqualTo(7);
      Ledgers.assertConsistent(pool);

      ImportReport again = importInto(pays.url(), target, false);
      assertThat(List.of(again.table("users").imported(), again.table("transactions").imported(),
          again.table("tariffs").imported(), again.table("promo_codes").imported(), again.table("invoices").imported(),
          again.table("promo_activations").imported())).containsOnly(0L);
      assertThat(again.table("users").present()).isEqualTo(6);
      assertThat(again.table("invoices").present()).isEqualTo(7);
      assertThat(count(pool, "SELECT count(*) FROM transactions WHERE user_id = 100000004")).isEqualTo(3);
    }
  }

  @Test
  @DisplayName("kopeck import pays as an operator runs it: the report, then ledger verify clean; broken source rows "
      + "(an unknown enum label, a NULL pays never writes) are reported and their user skipped whole")
  void command() throws Exception {
    String tamper = """
        ALTER TYPE transaction_type ADD VALUE 'bonus';
        ALTER TABLE users ALTER COLUMN token_balance DROP NOT NULL;
        INSERT INTO users (id, first_name, token_balance, created_at, updated_at)
          VALUES (100000007, 'Null', NULL, now(), now());
        """;
    try (TestDatabase pays = paysDatabase(tamper); TestDatabase kopeck = TestDatabase.createEmpty()) {
      try (Connection connection = PaysImport.connect(pays.url()); Statement statement = connection.createStatement()) {
        statement.execute("INSERT INTO transactions (id, user_id, type, tokens_delta, balance_after, created_at) VALUES "
            + "('d0000000-0000-4000-8000-000000000099', 100000005, 'bonus', 5, 5, now())");
      }
      Migrations.migrate(kopeck.url());
      Map<String, String> env = Map.of("DATABASE_URL", kopeck.url().connectionUri(), "LOG_LEVEL", "WARN");

      KopeckProcess.Run dry = KopeckProcess.run(env, "import", "pays", "--from", pays.url().connectionUri(), "--dry-run");
      KopeckProcess.Run run = KopeckProcess.run(env, "import", "pays", "--from", pays.url().connectionUri());

      assertThat(dry.exitCode()).isZero();
      assertThat(dry.output()).contains("dry run");
      assertThat(run.exitCode()).as(run.output()).isZero();
      assertThat(run.output()).contains("users:             read 7, imported 5, already present 0, skipped 2",
          "transactions: d0000000-0000-4000-8000-000000000099 of user 100000005: type 'bonus' is not a pays "
              + "transaction type", "users: 100000005: not imported", "users: 100000007: token_balance is NULL",
          "tariffs:           read 4, imported 4", "ledger verify: ok");
      assertThat(run.output()).doesNotContain("pays-standard");
      try (Connection connection = PaysImport.connect(kopeck.url()); Statement statement = connection.createStatement();
           var rows = statement.executeQuery("SELECT count(*) FROM users WHERE id IN (100000005, 100000007)")) {
        rows.next();
        assertThat(rows.getLong(1)).isZero();
      }
    }
  }
}

package io.kopeck.db;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kopeck.testsupport.TestDatabase;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class MigrationsTest {
  private static TestDatabase db;

  @BeforeAll
  static void createDatabase() {
    db = TestDatabase.createEmpty();
  }

  @AfterAll
  static void dropDatabase() {
    db.close();
  }

  @Test
  @DisplayName("migrations apply to an empty database, create every entity of SPEC §3, and a second run changes nothing")
  void migratesEmptyDatabaseIdempotently() throws SQLException {
    String version = Migrations.migrate(db.url());
    String again = Migrations.migrate(db.url());

    assertThat(version).isEqualTo(again).isNotEmpty();
    assertThat(strings("SELECT table_name FROM information_schema.tables WHERE table_schema = 'public'"))
        .contains("users", "tariffs", "transactions", "invoices", "promo_codes", "promo_redemptions",
            "usage_charges", "audit_log", "telegram_updates", "bot_sessions", "notifications");
    assertThat(strings("SELECT count(*) FROM flyway_schema_history WHERE success")).containsExactly(
        strings("SELECT count(*) FROM flyway_schema_history").get(0));
  }

  @Test
  @DisplayName("no column anywhere is a floating-point type, and every timestamp has a time zone")
  void noFloatsNoNaiveTimestamps() throws SQLException {
    Migrations.migrate(db.url());

    assertThat(strings("""
        SELECT table_name || '.' || column_name FROM information_schema.columns
        WHERE table_schema = 'public' AND table_name <> 'flyway_schema_history' AND data_type IN ('real', 'double precision', 'money', 'timestamp without time zone')
        """)).isEmpty();
  }

  @Test
  @DisplayName("the ledger keeps one row per (user, seq) and per (user, idempotency key)")
  void ledgerUniqueness() throws SQLException {
    Migrations.migrate(db.url());
    execute("INSERT INTO users (id) VALUES (42) ON CONFLICT DO NOTHING");
    execute("DELETE FROM transactions WHERE user_id = 42");
    execute("INSERT INTO transactions (user_id, seq, type, tokens_delta, balance_after, idempotency_key) "
        + "VALUES (42, 1, 'topup', 10, 10, 'k1')");

    assertThatThrownBy(() -> execute("INSERT INTO transactions (user_id, seq, type, tokens_delta, balance_after) "
        + "VALUES (42, 1, 'topup', 5, 15)")).hasMessageContaining("transactions_pkey");
    assertThatThrownBy(() -> execute("INSERT INTO transactions (user_id, seq, type, tokens_delta, balance_after, "
        + "idempotency_key) VALUES (42, 2, 'topup', 5, 15, 'k1')")).hasMessageContaining("transactions_user_idempotency_key");
  }

  @Test
  @DisplayName("the invoice status machine is enforced in SQL: no way back from paid to pending")
  void invoiceTransitions() throws SQLException {
    Migrations.migrate(db.url());
    execute("INSERT INTO users (id) VALUES (43) ON CONFLICT DO NOTHING");
    execute("INSERT INTO tariffs (slug, name, price, tokens) VALUES ('t43', 'T', 100, 100) ON CONFLICT DO NOTHING");
    execute("INSERT INTO invoices (user_id, tariff_id, amount, original_amount, tokens, idempotency_key, provider, expires_at) "
        + "SELECT 43, id, 100, 100, 100, 'inv-43-' || gen_random_uuid(), 'mock', now() + interval '1 day' FROM tariffs WHERE slug = 't43'");
    execute("UPDATE invoices SET status = 'expired' WHERE user_id = 43");
    execute("UPDATE invoices SET status = 'paid', paid_at = now() WHERE user_id = 43");

    assertThatThrownBy(() -> execute("UPDATE invoices SET status = 'pending' WHERE user_id = 43"))
        .hasMessageContaining("cannot move from paid to pending");
    assertThatThrownBy(() -> execute("UPDATE invoices SET status = 'cancelled' WHERE user_id = 43"))
        .hasMessageContaining("cannot move from paid to cancelled");
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = connect(); Statement s = c.createStatement()) {
      s.execute(sql);
    }
  }

  private static List<String> strings(String sql) throws SQLException {
    List<String> values = new ArrayList<>();
    try (Connection c = connect(); Statement s = c.createStatement(); ResultSet rs = s.executeQuery(sql)) {
      while (rs.next()) {
        values.add(rs.getString(1));
      }
    }
    return values;
  }

  private static Connection connect() throws SQLException {
    DatabaseUrl url = db.url();
    return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
  }
}

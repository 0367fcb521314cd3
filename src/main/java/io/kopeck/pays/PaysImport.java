package io.kopeck.pays;

import io.kopeck.common.Progress;
import io.kopeck.db.DatabaseUrl;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Savepoint;
import java.sql.Statement;
import java.sql.Types;
import java.time.Clock;
import java.time.LocalDateTime;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.function.BiFunction;

/**
 * {@code kopeck import pays} (SPEC §14, pays-import.md): reads a database of the Python system and
 * writes tariffs, promo codes, users with their whole ledger, invoices (with their payments), and
 * redemptions into Kopeck.
 *
 * <p>It streams: the source is read in one REPEATABLE READ snapshot through server-side cursors
 * (users and transactions side by side, both ordered by user), one user's history at a time in
 * memory. Each user is written whole or not at all, together with their ledger; users that
 * already exist in Kopeck are left alone, so a second run imports nothing twice (tariffs, codes,
 * invoices and redemptions are keyed by their pays ids and numbers). A source row that cannot be
 * read (an unknown enum label, a NULL where pays never writes one, a value Kopeck refuses) is
 * reported and skipped. {@code dryRun} does all the work in one transaction and rolls it back.
 * Runs on the calling thread with JDBC: a one-shot command, never an event loop.
 */
public final class PaysImport {
  private static final int FETCH = 2_000;
  private static final int BATCH_USERS = 500;
  private static final String USERS = """
      SELECT id, username, first_name, last_name, token_balance, subscription_end, is_blocked, created_at, updated_at,
             last_balance_notification, auto_renew, last_subscription_notification
      FROM users ORDER BY id""";
  private static final String TRANSACTIONS = """
      SELECT id, user_id, type::text AS type, tokens_delta, balance_after, description, invoice_id,
             metadata::text AS metadata, created_at
      FROM transactions ORDER BY user_id, created_at, id""";

  private final DatabaseUrl source;
  private final DatabaseUrl target;
  private final boolean dryRun;
  private final Clock clock;
  private final BigDecimal floor;
  private final ImportReport report = new ImportReport();
  private final Map<UUID, UUID> tariffs = new HashMap<>();
  private final Set<UUID> trialTariffs = new HashSet<>();
  private final Map<UUID, UUID> promoCodes = new HashMap<>();
  private final Map<UUID, Long> promoSourceUses = new HashMap<>();
  private UUID defaultTariff;
  private final BiFunction<String, Long, Progress> progress;

  public PaysImport(DatabaseUrl source, DatabaseUrl target, boolean dryRun, Clock clock, BigDecimal floor) {
    this(source, target, dryRun, clock, floor, (what, total) -> Progress.silent());
  }

  /**
   * {@code progress}: how the long phases (users with their ledgers, invoices) report their pace, given
   * what they copy and how many (the CLI: standard error).
   */
  public PaysImport(DatabaseUrl source, DatabaseUrl target, boolean dryRun, Clock clock, BigDecimal floor,
                    BiFunction<String, Long, Progress> progress) {
    this.progress = progress;
    this.source = source;
    this.target = target;
    this.dryRun = dryRun;
    this.clock = clock;
    this.floor = floor;
  }

  public ImportReport run() throws SQLException {
    try (Connection from = connect(source); Connection to = connect(target)) {
      from.setAutoCommit(false);
      from.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
      from.setReadOnly(true);
      to.setAutoCommit(false);
      report.note("pays import" + (dryRun ? " (dry run: nothing is written)" : "") + " from " + source.redacted()
          + ", schema " + alembicVersion(from));
      Tariffs.copy(from, to, report, tariffs, trialTariffs);
      defaultTariff = Tariffs.defaultTariff(from, tariffs);
      report.note("pays default tariff (renewals, top-ups): " + Tariffs.slugOf(to, defaultTariff)
          + " — set DEFAULT_TARIFF to it");
      PromoCodes.copy(from, to, report, tariffs, trialTariffs, promoCodes, promoSourceUses);
      commit(to);
      copyUsers(from, to);
      Invoices.copy(from, to, report, tariffs, promoCodes, dryRun,
          progress.apply("invoices", count(from, "SELECT count(*) FROM invoices")));
      commit(to);
      PromoCodes.redemptions(from, to, report, tariffs, promoCodes, promoSourceUses);
      recordRun(to);
      if (dryRun) {
        to.rollback();
      } else {
        to.commit();
      }
      from.rollback();
    }
    return report;
  }

  static Connection connect(DatabaseUrl url) throws SQLException {
    Properties properties = new Properties();
    properties.setProperty("user", url.user());
    properties.setProperty("password", url.password());
    properties.setProperty("reWriteBatchedInserts", "true");
    properties.setProperty("ApplicationName", "kopeck-import-pays");
    return DriverManager.getConnection(url.jdbcUrl(), properties);
  }

  private void commit(Connection to) throws SQLException {
    if (!dryRun) {
      to.commit();
    }
  }

  private static String alembicVersion(Connection from) throws SQLException {
    try (Statement statement = from.createStatement();
         ResultSet rows = statement.executeQuery("SELECT version_num FROM alembic_version")) {
      return rows.next() ? "at alembic revision " + rows.getString(1) : "without an alembic revision";
    } catch (SQLException e) {
      from.rollback();
      throw new SQLException("The source has no alembic_version table: is it a pays database? " + e.getMessage(), e);
    }
  }

  /** Users and transactions, two cursors walked side by side (both ordered by user id). */
  private void copyUsers(Connection from, Connection to) throws SQLException {
    ImportReport.Counts users = report.table("users");
    ImportReport.Counts transactions = report.table("transactions");
    Progress pace = progress.apply("users", count(from, "SELECT count(*) FROM users"));
    try (PreparedStatement userQuery = cursor(from, USERS); PreparedStatement txQuery = cursor(from, TRANSACTIONS);
         ResultSet userRows = userQuery.executeQuery(); ResultSet txRows = txQuery.executeQuery();
         UserWriter writer = new UserWriter(to, report, floor, defaultTariff, Times.now(clock))) {
        boolean txLeft = txRows.next();
        List<UserWriter.Imported> batch = new ArrayList<>();
        while (userRows.next()) {
          users.read++;
          long userId = userRows.getLong("id");
          List<PaysLedger.Source> history = new ArrayList<>();
          boolean brokenHistory = false;
          while (txLeft && txRows.getLong("user_id") <= userId) {
            transactions.read++;
            if (txRows.getLong("user_id") < userId) {
              report.skipped("transactions", txRows.getString("id") + ": its user " + txRows.getLong("user_id")
                  + " is not in users");
            } else {
              PaysLedger.Source tx = Readers.transaction(txRows, report);
              brokenHistory |= tx == null;
              if (tx != null) {
                history.add(tx);
              }
            }
            txLeft = txRows.next();
          }
          if (brokenHistory) {
            // Never half-imported: the user waits until the source row is fixed; a re-run then brings them over.
            report.skipped("users", userId + ": not imported because of the unreadable transaction(s) above");
            transactions.skipped += history.size();
            continue;
          }
          UserWriter.Imported user = Readers.user(userRows, history, report);
          if (user == null) {
            transactions.skipped += history.size();
            continue;
          }
          batch.add(user);
          if (batch.size() >= BATCH_USERS) {
            writer.write(batch);
            commit(to);
            pace.advance(batch.size());
            batch.clear();
          }
        }
        while (txLeft) {
          transactions.read++;
          report.skipped("transactions", txRows.getString("id") + ": its user " + txRows.getLong("user_id")
              + " is not in users");
          txLeft = txRows.next();
        }
        writer.write(batch);
        commit(to);
        pace.advance(batch.size());
        pace.finish();
    }
  }

  private static long count(Connection from, String sql) throws SQLException {
    try (Statement statement = from.createStatement(); ResultSet rows = statement.executeQuery(sql)) {
      return rows.next() ? rows.getLong(1) : 0;
    }
  }

  static PreparedStatement cursor(Connection from, String sql) throws SQLException {
    PreparedStatement statement = from.prepareStatement(sql, ResultSet.TYPE_FORWARD_ONLY, ResultSet.CONCUR_READ_ONLY);
    statement.setFetchSize(FETCH);
    return statement;
  }

  private void recordRun(Connection to) throws SQLException {
    try (PreparedStatement audit = to.prepareStatement("""
        INSERT INTO audit_log (actor_type, actor_id, action, entity_type, entity_id, new_value, created_at)
        VALUES ('cli', 'import', 'import.pays', 'import', 'pays', ?::jsonb, ?)""")) {
      audit.setString(1, "{\"differences\": " + report.differenceCount() + ", \"skipped\": " + report.skipCount() + "}");
      audit.setObject(2, Times.now(clock));
      audit.executeUpdate();
    }
  }

  /** Time as pays stores it (naive UTC) and as Kopeck stores it. */
  static final class Times {
    private Times() {
    }

    static OffsetDateTime utc(ResultSet rows, String column) throws SQLException {
      LocalDateTime local = rows.getObject(column, LocalDateTime.class);
      return local == null ? null : local.atOffset(ZoneOffset.UTC);
    }

    static OffsetDateTime now(Clock clock) {
      return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
    }
  }

  /** Binds a possibly-null value of a given SQL type. */
  static void set(PreparedStatement statement, int index, Object value, int sqlType) throws SQLException {
    if (value == null) {
      statement.setNull(index, sqlType);
    } else {
      statement.setObject(index, value, sqlType);
    }
  }

  static void setUuid(PreparedStatement statement, int index, UUID value) throws SQLException {
    set(statement, index, value, Types.OTHER);
  }

  /** Runs {@code work} under a savepoint: on failure the connection is as before and the error is returned. */
  static SQLException attempt(Connection to, SqlWork work) {
    Savepoint savepoint = null;
    try {
      savepoint = to.setSavepoint();
      work.run();
      to.releaseSavepoint(savepoint);
      return null;
    } catch (SQLException e) {
      try {
        if (savepoint != null) {
          to.rollback(savepoint);
        }
      } catch (SQLException rollback) {
        e.addSuppressed(rollback);
      }
      return e;
    }
  }

  @FunctionalInterface
  interface SqlWork {
    void run() throws SQLException;
  }
}

package io.kopeck.pays;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Writes imported users, each with its whole ledger, in batches: one batch of users, their
 * transactions and the audit rows of their opening adjustments under one savepoint; if the batch
 * fails, user by user, so one bad user is reported and the rest still go in. A user already in
 * Kopeck is left alone (imported before: already present; Kopeck's own: reported).
 */
final class UserWriter implements AutoCloseable {
  /** A pays user as read, with their history. */
  record Imported(long id, String username, String firstName, String lastName, BigDecimal balance,
                  OffsetDateTime subscriptionEnd, boolean blocked, boolean autoRenew, Integer lowBalanceNotified,
                  Integer expiryNoticeDays, OffsetDateTime createdAt, OffsetDateTime updatedAt,
                  List<PaysLedger.Source> history) {
  }

  private static final String EXISTING = "SELECT id, imported_from FROM users WHERE id = ANY(?)";
  private static final String USER = """
      INSERT INTO users (id, username, first_name, last_name, token_balance, balance_seq, subscription_end, tariff_id,
                         auto_renew, last_expiry_notice, expired_notified, is_blocked, low_balance_tier, imported_from,
                         created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pays', ?, ?)""";
  private static final String TRANSACTION = """
      INSERT INTO transactions (user_id, seq, type, tokens_delta, balance_after, idempotency_key, invoice_id,
                                description, metadata, created_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?)""";
  private static final String AUDIT = """
      INSERT INTO audit_log (actor_type, actor_id, action, entity_type, entity_id, user_id, new_value, created_at)
      VALUES ('cli', 'import', 'import.opening_adjustment', 'user', ?, ?, ?::jsonb, ?)""";

  private final Connection to;
  private final ImportReport report;
  private final BigDecimal floor;
  private final UUID renewalTariff;
  private final OffsetDateTime now;
  private final PreparedStatement existing;
  private final PreparedStatement users;
  private final PreparedStatement transactions;
  private final PreparedStatement audits;

  UserWriter(Connection to, ImportReport report, BigDecimal floor, UUID renewalTariff, OffsetDateTime now)
      throws SQLException {
    this.to = to;
    this.report = report;
    this.floor = floor;
    this.renewalTariff = renewalTariff;
    this.now = now;
    this.existing = to.prepareStatement(EXISTING);
    this.users = to.prepareStatement(USER);
    this.transactions = to.prepareStatement(TRANSACTION);
    this.audits = to.prepareStatement(AUDIT);
  }

  /** One user's rows, ready to write. */
  private record Planned(Imported user, PaysLedger.Result ledger) {
  }

  void write(List<Imported> batch) throws SQLException {
    if (batch.isEmpty()) {
      return;
    }
    List<Planned> planned = plan(batch);
    if (planned.isEmpty()) {
      return;
    }
    SQLException failed = PaysImport.attempt(to, () -> insert(planned));
    if (failed == null) {
      planned.forEach(this::count);
      return;
    }
    for (Planned one : planned) {
      SQLException problem = PaysImport.attempt(to, () -> insert(List.of(one)));
      if (problem == null) {
        count(one);
      } else {
        report.skipped("users", one.user().id() + ": Kopeck refused it (" + problem.getMessage().lines().findFirst()
            .orElse("") + ") — nothing of this user was imported");
        report.table("transactions").skipped += one.user().history().size();
      }
    }
  }

  private List<Planned> plan(List<Imported> batch) throws SQLException {
    Map<Long, String> present = existing(batch);
    List<Planned> planned = new ArrayList<>();
    for (Imported user : batch) {
      if (present.containsKey(user.id())) {
        if ("pays".equals(present.get(user.id()))) {
          report.table("users").present++;
          report.table("transactions").present += user.history().size();
        } else {
          report.skipped("users", user.id() + ": a Kopeck user with this id exists already; pays data not merged");
        }
        continue;
      }
      PaysLedger.Result ledger = PaysLedger.build(user.id(), user.history(), user.balance(), now);
      if (user.balance().compareTo(floor) < 0) {
        report.skipped("users", user.id() + ": balance " + user.balance().toPlainString() + " is below BALANCE_FLOOR "
            + floor.toPlainString());
        continue;
      }
      planned.add(new Planned(user, ledger));
    }
    return planned;
  }

  private Map<Long, String> existing(List<Imported> batch) throws SQLException {
    Array ids = to.createArrayOf("bigint", batch.stream().map(Imported::id).toArray());
    existing.setArray(1, ids);
    Map<Long, String> present = new HashMap<>();
    try (ResultSet rows = existing.executeQuery()) {
      while (rows.next()) {
        present.put(rows.getLong("id"), rows.getString("imported_from"));
      }
    }
    return present;
  }

  private void insert(List<Planned> planned) throws SQLException {
    // A failed batch may leave rows queued; every attempt starts from empty batches.
    users.clearBatch();
    transactions.clearBatch();
    audits.clearBatch();
    for (Planned one : planned) {
      addUser(one);
      for (PaysLedger.Row row : one.ledger().rows()) {
        addTransaction(one.user().id(), row);
      }
      if (one.ledger().adjustment().signum() != 0) {
        addAudit(one);
      }
    }
    users.executeBatch();
    transactions.executeBatch();
    audits.executeBatch();
  }

  private void addUser(Planned one) throws SQLException {
    Imported user = one.user();
    users.setLong(1, user.id());
    users.setString(2, user.username());
    users.setString(3, user.firstName());
    users.setString(4, user.lastName());
    users.setBigDecimal(5, user.balance());
    users.setLong(6, one.ledger().rows().size());
    PaysImport.set(users, 7, user.subscriptionEnd(), Types.TIMESTAMP_WITH_TIMEZONE);
    PaysImport.setUuid(users, 8, user.subscriptionEnd() == null ? null : renewalTariff);
    users.setBoolean(9, user.autoRenew());
    PaysImport.set(users, 10, user.expiryNoticeDays(), Types.INTEGER);
    users.setBoolean(11, user.subscriptionEnd() != null && !user.subscriptionEnd().isAfter(now));
    users.setBoolean(12, user.blocked());
    PaysImport.set(users, 13, user.lowBalanceNotified() == null ? null : new BigDecimal(user.lowBalanceNotified()),
        Types.NUMERIC);
    users.setObject(14, user.createdAt());
    users.setObject(15, user.updatedAt());
    users.addBatch();
  }

  private void addTransaction(long userId, PaysLedger.Row row) throws SQLException {
    transactions.setLong(1, userId);
    transactions.setLong(2, row.seq());
    transactions.setString(3, row.type());
    transactions.setBigDecimal(4, row.delta());
    transactions.setBigDecimal(5, row.balanceAfter());
    transactions.setString(6, row.key());
    PaysImport.setUuid(transactions, 7, row.invoiceId());
    transactions.setString(8, row.description());
    transactions.setString(9, row.metadata());
    transactions.setObject(10, row.createdAt());
    transactions.addBatch();
  }

  private void addAudit(Planned one) throws SQLException {
    PaysLedger.Result ledger = one.ledger();
    BigDecimal stored = one.user().balance();
    audits.setString(1, Long.toString(one.user().id()));
    audits.setLong(2, one.user().id());
    audits.setString(3, "{\"stored_balance\": \"" + stored.toPlainString() + "\", \"history_sum\": \""
        + ledger.historySum().toPlainString() + "\", \"adjustment\": \"" + ledger.adjustment().toPlainString()
        + "\", \"key\": \"pays:opening:" + one.user().id() + "\"}");
    audits.setObject(4, now);
    audits.addBatch();
  }

  private void count(Planned one) {
    report.table("users").imported++;
    long carried = one.ledger().rows().stream().filter(r -> r.key().startsWith("pays:tx:")).count();
    report.table("transactions").imported += carried;
    report.table("transactions").skipped += one.user().history().size() - carried;
    one.ledger().differences().forEach(report::bridged);
  }

  @Override
  public void close() throws SQLException {
    existing.close();
    users.close();
    transactions.close();
    audits.close();
  }
}

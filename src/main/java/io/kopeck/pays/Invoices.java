package io.kopeck.pays;

import io.kopeck.common.Progress;
import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * pays invoices → Kopeck invoices (provider robokassa, their InvId kept), only for users imported
 * from pays. Never a credit: the ledger already holds it. A paid or refunded invoice also gets its
 * payment row (so a late Robokassa retry of the callback is a duplicate) and, with a promo code, its
 * redemption. Afterwards the InvId sequence continues past the largest pays InvId.
 */
final class Invoices {
  private static final int BATCH = 500;
  private static final String READ = """
      SELECT id, inv_id, user_id, tariff_id, promo_code_id, amount::text AS amount,
             original_amount::text AS original_amount, tokens, subscription_days, status::text AS status,
             idempotency_key, payment_url, paid_at, expires_at, created_at, updated_at
      FROM invoices ORDER BY inv_id""";
  private static final String INSERT = """
      INSERT INTO invoices (id, inv_id, user_id, tariff_id, promo_code_id, amount, original_amount, tokens, bonus_tokens,
                            period_unit, period_value, status, idempotency_key, provider, currency, provider_payment_id,
                            payment_url, paid_at, refunded_at, expires_at, created_at, updated_at)
      SELECT ?, ?, ?, ?, ?, ?, ?, ?, 0, ?, ?, ?, ?, 'robokassa', 'RUB', ?, ?, ?, ?, ?, ?, ?
      WHERE EXISTS (SELECT 1 FROM users WHERE id = ? AND imported_from = 'pays')
      ON CONFLICT DO NOTHING""";
  private static final String PAYMENT = """
      INSERT INTO payments (user_id, provider, provider_payment_id, invoice_id, amount, currency, status, created_at,
                            updated_at)
      SELECT user_id, 'robokassa', inv_id::text, id, amount, 'RUB', CASE status WHEN 'refunded' THEN 'refunded'
             ELSE 'credited' END, paid_at, paid_at
      FROM invoices WHERE id = ? AND status IN ('paid', 'refunded')
      ON CONFLICT DO NOTHING""";
  private static final String REDEMPTION = """
      INSERT INTO promo_redemptions (user_id, promo_code_id, tariff_id, invoice_id, kind, created_at)
      SELECT user_id, promo_code_id, tariff_id, id, 'invoice', paid_at FROM invoices
      WHERE id = ? AND promo_code_id IS NOT NULL AND status IN ('paid', 'refunded')
      ON CONFLICT DO NOTHING""";
  private static final Set<String> STATUSES = Set.of("pending", "paid", "expired", "cancelled", "refunded");
  private static final BigDecimal MIN_AMOUNT = new BigDecimal("1.00");

  /** A pays invoice as Kopeck stores it. */
  private record Row(UUID id, long invId, long userId, UUID tariff, UUID promo, BigDecimal amount,
                     BigDecimal originalAmount, int tokens, int days, String status, String key, String url,
                     OffsetDateTime paidAt, OffsetDateTime refundedAt, OffsetDateTime expiresAt,
                     OffsetDateTime createdAt, OffsetDateTime updatedAt) {
  }

  private Invoices() {
  }

  static void copy(Connection from, Connection to, ImportReport report, Map<UUID, UUID> tariffs,
                   Map<UUID, UUID> codes, boolean dryRun, Progress pace) throws SQLException {
    ImportReport.Counts counts = report.table("invoices");

    try (PreparedStatement query = PaysImport.cursor(from, READ); ResultSet rows = query.executeQuery();
         PreparedStatement insert = to.prepareStatement(INSERT);
         PreparedStatement payment = to.prepareStatement(PAYMENT);
         PreparedStatement redemption = to.prepareStatement(REDEMPTION)) {
      List<Row> batch = new ArrayList<>();
      while (rows.next()) {
        counts.read++;
        Row row = read(rows, report, tariffs, codes);
        if (row == null) {
          continue;
        }
        if (row.status().equals("pending") && !row.expiresAt().isAfter(OffsetDateTime.now())) {
          report.tally("pending invoices past expires_at: kept pending, Kopeck's expiry job expires them (audited)");
        }
        batch.add(row);
        if (batch.size() >= BATCH) {
          write(to, batch, insert, payment, redemption, report);
          commit(to, dryRun);
          pace.advance(batch.size());
          batch.clear();
        }
      }
      write(to, batch, insert, payment, redemption, report);
      pace.advance(batch.size());
      pace.finish();
    }
    advanceSequence(to);
  }

  private static void commit(Connection to, boolean dryRun) throws SQLException {
    if (!dryRun) {
      to.commit();
    }
  }

  private static Row read(ResultSet rows, ImportReport report, Map<UUID, UUID> tariffs, Map<UUID, UUID> codes)
      throws SQLException {
    long invId = rows.getLong("inv_id");
    String status = rows.getString("status");
    BigDecimal amount = Readers.decimal(rows.getString("amount"));
    BigDecimal original = Readers.decimal(rows.getString("original_amount"));
    UUID tariff = tariffs.get((UUID) rows.getObject("tariff_id"));
    OffsetDateTime expires = PaysImport.Times.utc(rows, "expires_at");
    OffsetDateTime created = PaysImport.Times.utc(rows, "created_at");
    OffsetDateTime updated = PaysImport.Times.utc(rows, "updated_at");
    String problem = !STATUSES.contains(status) ? "status '" + status + "' is not a pays invoice status"
        : tariff == null ? "its tariff was not imported"
        : amount == null || original == null || amount.compareTo(MIN_AMOUNT) < 0 ? "amount below 1.00 RUB"
        : invId <= 0 ? "InvId is not positive"
        : expires == null || created == null || updated == null ? "a timestamp is NULL"
        : rows.getInt("tokens") < 0 || rows.getInt("subscription_days") < 0 ? "negative tokens or days" : null;
    if (problem != null) {
      report.skipped("invoices", "InvId " + invId + ": " + problem);
      return null;
    }
    if (original.compareTo(amount) < 0) {
      report.tally("invoices whose original_amount was below the amount paid (custom top-ups): raised to the amount");
      original = amount;
    }
    OffsetDateTime paidAt = PaysImport.Times.utc(rows, "paid_at");
    boolean paid = status.equals("paid") || status.equals("refunded");
    if (paid && paidAt == null) {
      report.tally("paid or refunded invoices without paid_at (pays's M11 top-ups): paid_at = updated_at");
      paidAt = updated;
    }
    UUID promo = (UUID) rows.getObject("promo_code_id");
    return new Row((UUID) rows.getObject("id"), invId, rows.getLong("user_id"), tariff,
        promo == null ? null : codes.get(promo), amount, original, rows.getInt("tokens"),
        rows.getInt("subscription_days"), status, rows.getString("idempotency_key"), rows.getString("payment_url"),
        paidAt, status.equals("refunded") ? updated : null, expires, created, updated);
  }

  private static void write(Connection to, List<Row> batch, PreparedStatement insert, PreparedStatement payment,
                            PreparedStatement redemption, ImportReport report) throws SQLException {
    if (batch.isEmpty()) {
      return;
    }
    SQLException failed = PaysImport.attempt(to, () -> insert(batch, insert, payment, redemption, report));
    if (failed == null) {
      return;
    }
    for (Row row : batch) {
      SQLException problem = PaysImport.attempt(to, () -> insert(List.of(row), insert, payment, redemption, report));
      if (problem != null) {
        report.skipped("invoices", "InvId " + row.invId() + ": Kopeck refused it ("
            + problem.getMessage().lines().findFirst().orElse("") + ")");
      }
    }
  }

  private static void insert(List<Row> rows, PreparedStatement insert, PreparedStatement payment,
                             PreparedStatement redemption, ImportReport report) throws SQLException {
    ImportReport.Counts counts = report.table("invoices");
    long imported = 0;
    long present = 0;
    long notOurs = 0;
    for (Row row : rows) {
      bind(insert, row);
      int inserted = insert.executeUpdate();
      if (inserted == 1) {
        imported++;
        PaysImport.setUuid(payment, 1, row.id());
        payment.executeUpdate();
        PaysImport.setUuid(redemption, 1, row.id());
        redemption.executeUpdate();
      } else if (Tariffs.exists(insert.getConnection(), "SELECT 1 FROM invoices WHERE inv_id = ?", row.invId())) {
        present++;
      } else {
        notOurs++;
      }
    }
    counts.imported += imported;
    counts.present += present;
    if (notOurs > 0) {
      for (Row row : rows) {
        if (!Tariffs.exists(insert.getConnection(), "SELECT 1 FROM invoices WHERE inv_id = ?", row.invId())) {
          report.skipped("invoices", "InvId " + row.invId() + ": its user " + row.userId() + " was not imported");
        }
      }
    }
  }

  private static void bind(PreparedStatement insert, Row row) throws SQLException {
    PaysImport.setUuid(insert, 1, row.id());
    insert.setLong(2, row.invId());
    insert.setLong(3, row.userId());
    PaysImport.setUuid(insert, 4, row.tariff());
    PaysImport.setUuid(insert, 5, row.promo());
    insert.setBigDecimal(6, row.amount());
    insert.setBigDecimal(7, row.originalAmount());
    insert.setBigDecimal(8, new BigDecimal(row.tokens()));
    PaysImport.set(insert, 9, row.days() > 0 ? "day" : null, Types.VARCHAR);
    PaysImport.set(insert, 10, row.days() > 0 ? row.days() : null, Types.INTEGER);
    insert.setString(11, row.status());
    insert.setString(12, "pays:" + row.key());
    boolean paid = row.paidAt() != null && (row.status().equals("paid") || row.status().equals("refunded"));
    PaysImport.set(insert, 13, paid ? Long.toString(row.invId()) : null, Types.VARCHAR);
    insert.setString(14, row.url());
    PaysImport.set(insert, 15, row.paidAt(), Types.TIMESTAMP_WITH_TIMEZONE);
    PaysImport.set(insert, 16, row.refundedAt(), Types.TIMESTAMP_WITH_TIMEZONE);
    insert.setObject(17, row.expiresAt());
    insert.setObject(18, row.createdAt());
    insert.setObject(19, row.updatedAt());
    insert.setLong(20, row.userId());
  }

  /** New invoices continue after the largest imported InvId. */
  private static void advanceSequence(Connection to) throws SQLException {
    try (Statement statement = to.createStatement()) {
      statement.execute("""
          SELECT setval('invoice_inv_id_seq', GREATEST((SELECT last_value FROM invoice_inv_id_seq),
                                                       (SELECT coalesce(max(inv_id), 0) FROM invoices)))""");
    }
  }
}

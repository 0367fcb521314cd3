package io.kopeck.pays;

import java.math.BigDecimal;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.sql.Types;
import java.time.OffsetDateTime;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * pays promo codes → Kopeck promo codes, under their pays ids; trial activations and paid
 * invoices with a code → redemptions. A {@code bonus_tokens} code bound to a trial tariff is a
 * {@code trial} code. pays counted a use when an invoice was created; Kopeck counts uses when
 * paid, so {@code uses_count} is recomputed from the redemptions and the difference reported.
 * pays had no per-user limit on discount codes: they keep none (the largest limit Kopeck stores).
 */
final class PromoCodes {
  private static final String READ = """
      SELECT id, code, discount_type::text AS type, discount_value::text AS value, max_uses, uses_count, valid_from,
             valid_until, tariff_id, is_active, created_at, updated_at
      FROM promo_codes ORDER BY code""";
  private static final String INSERT = """
      INSERT INTO promo_codes (id, code, discount_type, discount_value, max_uses, uses_count, max_uses_per_user,
                               valid_from, valid_until, tariff_id, is_active, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, 0, ?, ?, ?, ?, ?, ?, ?)""";
  private static final String ACTIVATIONS = """
      SELECT id, user_id, tariff_id, promo_code_id, activated_at FROM promo_activations ORDER BY activated_at, id""";
  private static final String TRIAL_REDEMPTION = """
      INSERT INTO promo_redemptions (user_id, promo_code_id, tariff_id, kind, created_at)
      SELECT ?, ?, ?, 'trial', ? WHERE EXISTS (SELECT 1 FROM users WHERE id = ? AND imported_from = 'pays')
      ON CONFLICT DO NOTHING""";
  private static final String RECOUNT = """
      UPDATE promo_codes p SET uses_count = (SELECT count(*) FROM promo_redemptions r WHERE r.promo_code_id = p.id)
      WHERE p.id = ANY(?) RETURNING p.id, p.code, p.uses_count""";
  private static final Set<String> TYPES = Set.of("percent", "fixed", "bonus_tokens");

  private PromoCodes() {
  }

  static void copy(Connection from, Connection to, ImportReport report, Map<UUID, UUID> tariffs, Set<UUID> trials,
                   Map<UUID, UUID> mapped, Map<UUID, Long> sourceUses) throws SQLException {
    ImportReport.Counts counts = report.table("promo_codes");
    try (Statement statement = from.createStatement(); ResultSet rows = statement.executeQuery(READ)) {
      while (rows.next()) {
        counts.read++;
        UUID id = (UUID) rows.getObject("id");
        String code = rows.getString("code") == null ? "" : rows.getString("code").toUpperCase(Locale.ROOT);
        String type = rows.getString("type");
        BigDecimal value = Readers.decimal(rows.getString("value"));
        UUID tariff = (UUID) rows.getObject("tariff_id");
        OffsetDateTime validFrom = PaysImport.Times.utc(rows, "valid_from");
        OffsetDateTime until = PaysImport.Times.utc(rows, "valid_until");
        Integer maxUses = (Integer) rows.getObject("max_uses");
        String problem = code.isEmpty() || code.length() > 64 ? "code '" + code + "' is empty or too long"
            : !TYPES.contains(type) ? "discount_type '" + type + "' is not a pays discount type"
            : value == null || value.signum() < 0 || (type.equals("percent") && value.compareTo(new BigDecimal(100)) > 0)
                ? "discount_value out of range"
            : tariff != null && !tariffs.containsKey(tariff) ? "its tariff " + tariff + " was not imported"
            : validFrom == null || (until != null && !until.isAfter(validFrom)) ? "valid_until is not after valid_from"
            : maxUses != null && maxUses <= 0 ? "max_uses is not positive" : null;
        if (problem != null) {
          report.skipped("promo_codes", code + ": " + problem);
          continue;
        }
        sourceUses.put(id, rows.getLong("uses_count"));
        if (Tariffs.exists(to, "SELECT 1 FROM promo_codes WHERE id = ?", id)) {
          counts.present++;
          mapped.put(id, id);
          continue;
        }
        UUID sameCode = existingCode(to, code);
        if (sameCode != null) {
          report.bridged("promo code " + code + ": Kopeck has its own code with this text; pays uses are counted on it");
          mapped.put(id, sameCode);
          counts.present++;
          continue;
        }
        boolean trial = type.equals("bonus_tokens") && tariff != null && trials.contains(tariff);
        if (trial) {
          report.bridged("promo code " + code + ": a bonus_tokens code of the trial tariff becomes a trial code");
        }
        SQLException failed = PaysImport.attempt(to, () -> insert(to, rows, id, code, trial ? "trial" : type,
            trial ? BigDecimal.ZERO : value, tariff == null ? null : tariffs.get(tariff), validFrom, until, trial));
        if (failed != null) {
          report.skipped("promo_codes", code + ": Kopeck refused it (" + failed.getMessage().lines().findFirst()
              .orElse("") + ")");
          continue;
        }
        counts.imported++;
        mapped.put(id, id);
      }
    }
  }

  private static void insert(Connection to, ResultSet rows, UUID id, String code, String type, BigDecimal value,
                             UUID tariff, OffsetDateTime validFrom, OffsetDateTime validUntil, boolean trial)
      throws SQLException {
    try (PreparedStatement insert = to.prepareStatement(INSERT)) {
      PaysImport.setUuid(insert, 1, id);
      insert.setString(2, code);
      insert.setString(3, type);
      insert.setBigDecimal(4, value);
      PaysImport.set(insert, 5, rows.getObject("max_uses"), Types.INTEGER);
      insert.setInt(6, trial ? 1 : Integer.MAX_VALUE);
      insert.setObject(7, validFrom);
      PaysImport.set(insert, 8, validUntil, Types.TIMESTAMP_WITH_TIMEZONE);
      PaysImport.setUuid(insert, 9, tariff);
      insert.setBoolean(10, rows.getBoolean("is_active"));
      insert.setObject(11, PaysImport.Times.utc(rows, "created_at"));
      insert.setObject(12, PaysImport.Times.utc(rows, "updated_at"));
      insert.executeUpdate();
    }
  }

  private static UUID existingCode(Connection to, String code) throws SQLException {
    try (PreparedStatement query = to.prepareStatement("SELECT id FROM promo_codes WHERE code = ?")) {
      query.setString(1, code);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? (UUID) rows.getObject(1) : null;
      }
    }
  }

  /** Trial activations as trial redemptions; then each imported code's uses recounted. */
  static void redemptions(Connection from, Connection to, ImportReport report, Map<UUID, UUID> tariffs,
                          Map<UUID, UUID> codes, Map<UUID, Long> sourceUses) throws SQLException {
    ImportReport.Counts counts = report.table("promo_activations");
    try (PreparedStatement query = PaysImport.cursor(from, ACTIVATIONS); ResultSet rows = query.executeQuery();
         PreparedStatement insert = to.prepareStatement(TRIAL_REDEMPTION)) {
      while (rows.next()) {
        counts.read++;
        UUID tariff = tariffs.get((UUID) rows.getObject("tariff_id"));
        UUID code = codes.get((UUID) rows.getObject("promo_code_id"));
        if (tariff == null || code == null) {
          report.skipped("promo_activations", rows.getString("id") + ": its tariff or code was not imported");
          continue;
        }
        long user = rows.getLong("user_id");
        insert.setLong(1, user);
        PaysImport.setUuid(insert, 2, code);
        PaysImport.setUuid(insert, 3, tariff);
        insert.setObject(4, PaysImport.Times.utc(rows, "activated_at"));
        insert.setLong(5, user);
        if (insert.executeUpdate() == 1) {
          counts.imported++;
        } else {
          counts.present++;
        }
      }
    }
    recount(to, report, codes, sourceUses);
  }

  private static void recount(Connection to, ImportReport report, Map<UUID, UUID> codes, Map<UUID, Long> sourceUses)
      throws SQLException {
    Array ids = to.createArrayOf("uuid", codes.values().stream().distinct().toArray());
    try (PreparedStatement update = to.prepareStatement(RECOUNT)) {
      update.setArray(1, ids);
      try (ResultSet rows = update.executeQuery()) {
        while (rows.next()) {
          UUID id = (UUID) rows.getObject("id");
          long now = rows.getLong("uses_count");
          Long before = sourceUses.get(id);
          if (before != null && before != now) {
            report.bridged("promo code " + rows.getString("code") + ": uses_count " + before
                + " in pays (invoices created) → " + now + " (paid invoices and activations)");
          }
        }
      }
    }
  }
}

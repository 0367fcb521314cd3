package io.kopeck.pays;

import java.math.BigDecimal;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.OffsetDateTime;
import java.util.HashSet;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.UUID;

/**
 * pays tariffs → Kopeck tariffs, under their pays ids. A trial tariff (slug {@code trial-*}, or
 * inactive with no fee and used by trial activations) becomes {@code is_trial} and free: pays
 * could only store it at 0.01 RUB. A slug Kopeck already uses for another tariff gets the prefix
 * {@code pays-}.
 */
final class Tariffs {
  private static final String READ = """
      SELECT id, slug, name, description, price::text AS price, tokens, sort_order, is_active, period_unit::text AS unit,
             period_value, subscription_fee, created_at, updated_at
      FROM tariffs ORDER BY sort_order, slug""";
  private static final String INSERT = """
      INSERT INTO tariffs (id, slug, name, description, price, tokens, period_unit, period_value, subscription_fee,
                           sort_order, is_active, is_trial, created_at, updated_at)
      VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""";
  private static final Set<String> UNITS = Set.of("hour", "day", "month");

  private Tariffs() {
  }

  static void copy(Connection from, Connection to, ImportReport report, Map<UUID, UUID> mapped, Set<UUID> trials)
      throws SQLException {
    Set<UUID> activated = activatedTariffs(from);
    ImportReport.Counts counts = report.table("tariffs");
    try (Statement statement = from.createStatement(); ResultSet rows = statement.executeQuery(READ)) {
      while (rows.next()) {
        counts.read++;
        UUID id = (UUID) rows.getObject("id");
        String slug = rows.getString("slug") == null ? "" : rows.getString("slug").toLowerCase(Locale.ROOT);
        String unit = rows.getString("unit");
        BigDecimal price = Readers.decimal(rows.getString("price"));
        String problem = !slug.matches("[a-z0-9][a-z0-9_-]{0,58}") ? "slug '" + slug + "' is not a Kopeck slug"
            : rows.getString("name") == null || rows.getString("name").isBlank() ? "no name"
            : !UNITS.contains(unit) ? "period_unit '" + unit + "' is not hour, day or month"
            : price == null || rows.getInt("tokens") < 0 || rows.getInt("period_value") <= 0
                || rows.getInt("subscription_fee") < 0 ? "a price, token count, period or fee out of range" : null;
        if (problem != null) {
          report.skipped("tariffs", id + ": " + problem);
          continue;
        }
        boolean trial = slug.startsWith("trial") || (!rows.getBoolean("is_active") && rows.getInt("subscription_fee") == 0
            && activated.contains(id));
        if (trial) {
          trials.add(id);
        }
        if (exists(to, "SELECT 1 FROM tariffs WHERE id = ?", id)) {
          counts.present++;
          mapped.put(id, id);
          continue;
        }
        String kopeckSlug = exists(to, "SELECT 1 FROM tariffs WHERE slug = ?", slug) ? "pays-" + slug : slug;
        if (!kopeckSlug.equals(slug)) {
          report.bridged("tariff " + slug + ": the slug is taken in Kopeck; imported as " + kopeckSlug);
        }
        if (trial && price.signum() > 0) {
          report.bridged("tariff " + slug + ": a trial tariff; its price " + price.toPlainString()
              + " (pays could not store 0) becomes 0");
          price = BigDecimal.ZERO;
        }
        BigDecimal finalPrice = price;
        SQLException failed = PaysImport.attempt(to, () -> insert(to, rows, id, kopeckSlug, finalPrice, trial));
        if (failed != null) {
          report.skipped("tariffs", slug + ": Kopeck refused it (" + failed.getMessage().lines().findFirst().orElse("")
              + ")");
          continue;
        }
        counts.imported++;
        mapped.put(id, id);
      }
    }
  }

  private static void insert(Connection to, ResultSet rows, UUID id, String slug, BigDecimal price, boolean trial)
      throws SQLException {
    try (PreparedStatement insert = to.prepareStatement(INSERT)) {
      PaysImport.setUuid(insert, 1, id);
      insert.setString(2, slug);
      insert.setString(3, rows.getString("name"));
      insert.setString(4, rows.getString("description") == null ? "" : rows.getString("description"));
      insert.setBigDecimal(5, price);
      insert.setBigDecimal(6, new BigDecimal(rows.getInt("tokens")));
      insert.setString(7, rows.getString("unit"));
      insert.setInt(8, rows.getInt("period_value"));
      insert.setBigDecimal(9, new BigDecimal(rows.getInt("subscription_fee")));
      insert.setInt(10, rows.getInt("sort_order"));
      insert.setBoolean(11, rows.getBoolean("is_active"));
      insert.setBoolean(12, trial);
      OffsetDateTime created = PaysImport.Times.utc(rows, "created_at");
      OffsetDateTime updated = PaysImport.Times.utc(rows, "updated_at");
      insert.setObject(13, created == null ? OffsetDateTime.now() : created);
      insert.setObject(14, updated == null ? OffsetDateTime.now() : updated);
      insert.executeUpdate();
    }
  }

  /** pays's default tariff: the first active one by sort order (top-ups and renewals use it). */
  static UUID defaultTariff(Connection from, Map<UUID, UUID> mapped) throws SQLException {
    try (Statement statement = from.createStatement(); ResultSet rows = statement.executeQuery(
        "SELECT id FROM tariffs WHERE is_active ORDER BY sort_order, slug LIMIT 1")) {
      return rows.next() ? mapped.get((UUID) rows.getObject(1)) : null;
    }
  }

  static String slugOf(Connection to, UUID id) throws SQLException {
    if (id == null) {
      return "(none)";
    }
    try (PreparedStatement query = to.prepareStatement("SELECT slug FROM tariffs WHERE id = ?")) {
      PaysImport.setUuid(query, 1, id);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next() ? rows.getString(1) : "(none)";
      }
    }
  }

  private static Set<UUID> activatedTariffs(Connection from) throws SQLException {
    Set<UUID> ids = new HashSet<>();
    try (Statement statement = from.createStatement();
         ResultSet rows = statement.executeQuery("SELECT DISTINCT tariff_id FROM promo_activations")) {
      while (rows.next()) {
        ids.add((UUID) rows.getObject(1));
      }
    }
    return ids;
  }

  static boolean exists(Connection to, String sql, Object key) throws SQLException {
    try (PreparedStatement query = to.prepareStatement(sql)) {
      query.setObject(1, key);
      try (ResultSet rows = query.executeQuery()) {
        return rows.next();
      }
    }
  }
}

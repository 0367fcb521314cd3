package io.kopeck.catalog;

import io.kopeck.common.InLanguage;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** A promo code (SPEC §3): percent, fixed, bonus_tokens or trial, with its limits. */
public record PromoCode(UUID id, String code, String discountType, BigDecimal discountValue, Integer maxUses,
                        int usesCount, int maxUsesPerUser, OffsetDateTime validFrom, OffsetDateTime validUntil,
                        UUID tariffId, String tariffSlug, boolean active, OffsetDateTime createdAt,
                        Map<String, String> descriptions) {

  static final String SELECT = """
      SELECT p.id, p.code, p.discount_type, p.discount_value, p.max_uses, p.uses_count, p.max_uses_per_user,
             p.valid_from, p.valid_until, p.tariff_id, t.slug AS tariff_slug, p.is_active, p.created_at,
             p.descriptions::text AS descriptions
      FROM promo_codes p LEFT JOIN tariffs t ON t.id = p.tariff_id""";

  static PromoCode of(Row row) {
    return new PromoCode(row.getUUID("id"), row.getString("code"), row.getString("discount_type"),
        row.getBigDecimal("discount_value"), row.getInteger("max_uses"), row.getInteger("uses_count"),
        row.getInteger("max_uses_per_user"), row.getOffsetDateTime("valid_from"), row.getOffsetDateTime("valid_until"),
        row.getUUID("tariff_id"), row.getString("tariff_slug"), row.getBoolean("is_active"),
        row.getOffsetDateTime("created_at"), descriptions(row.getString("descriptions")));
  }

  private static Map<String, String> descriptions(String json) {
    Map<String, String> texts = new TreeMap<>();
    new JsonObject(json).forEach(entry -> texts.put(entry.getKey(), String.valueOf(entry.getValue())));
    return Map.copyOf(texts);
  }

  /** What the code gives in {@code language}: its own words, else English, else Russian; null when it has none. */
  public String description(String language) {
    return InLanguage.pick(descriptions, language);
  }

  /** Codes are stored upper-case and matched case-insensitively. */
  public static String normalize(String code) {
    return code.strip().toUpperCase(java.util.Locale.ROOT);
  }

  public boolean isTrial() {
    return "trial".equals(discountType);
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("code", code)
        .put("discount_type", discountType)
        .put("discount_value", discountValue.stripTrailingZeros().toPlainString())
        .put("max_uses", maxUses)
        .put("uses_count", usesCount)
        .put("max_uses_per_user", maxUsesPerUser)
        .put("valid_from", validFrom.toInstant().toString())
        .put("valid_until", validUntil == null ? null : validUntil.toInstant().toString())
        .put("tariff", tariffSlug)
        .put("is_active", active)
        .put("created_at", createdAt.toInstant().toString())
        .put("descriptions", new JsonObject(Map.copyOf(descriptions)));
  }
}

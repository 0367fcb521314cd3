package io.kopeck.catalog;

import io.kopeck.common.InLanguage;
import io.kopeck.ledger.Amounts;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;

/** A row of the catalog (SPEC §3). A tariff without a period sells tokens only. */
public record Tariff(UUID id, String slug, String name, String description, BigDecimal price, BigDecimal tokens,
                     String periodUnit, Integer periodValue, BigDecimal subscriptionFee, int sortOrder,
                     boolean active, boolean trial, Integer priceStars, OffsetDateTime createdAt,
                     OffsetDateTime updatedAt, Map<String, String> names, Map<String, String> descriptions) {

  static final String COLUMNS = "id, slug, name, description, price, tokens, period_unit, period_value, "
      + "subscription_fee, sort_order, is_active, is_trial, price_stars, created_at, updated_at, "
      + "names::text AS names, descriptions::text AS descriptions";

  static Tariff of(Row row) {
    return new Tariff(row.getUUID("id"), row.getString("slug"), row.getString("name"), row.getString("description"),
        row.getBigDecimal("price"), row.getBigDecimal("tokens"), row.getString("period_unit"),
        row.getInteger("period_value"), row.getBigDecimal("subscription_fee"), row.getInteger("sort_order"),
        row.getBoolean("is_active"), row.getBoolean("is_trial"), row.getInteger("price_stars"),
        row.getOffsetDateTime("created_at"), row.getOffsetDateTime("updated_at"), texts(row.getString("names")),
        texts(row.getString("descriptions")));
  }

  private static Map<String, String> texts(String json) {
    Map<String, String> texts = new TreeMap<>();
    new JsonObject(json).forEach(entry -> texts.put(entry.getKey(), String.valueOf(entry.getValue())));
    return Map.copyOf(texts);
  }

  /** The name in {@code language}: its own, else English, else the default (SPEC §20). */
  public String name(String language) {
    return inLanguage(names, language, name);
  }

  public String description(String language) {
    return inLanguage(descriptions, language, description);
  }

  private static String inLanguage(Map<String, String> texts, String language, String fallback) {
    String text = InLanguage.pick(texts, language);
    return text != null ? text : fallback;
  }

  /** Whether the tariff is sold for Stars (it has a price in Stars). */
  public boolean soldForStars() {
    return priceStars != null;
  }

  public boolean hasPeriod() {
    return periodUnit != null;
  }

  /** The admin API's JSON: column names of SPEC §3, amounts as decimal strings. */
  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id.toString())
        .put("slug", slug)
        .put("name", name)
        .put("description", description)
        .put("price", price.setScale(2, RoundingMode.UNNECESSARY).toPlainString())
        .put("tokens", Amounts.tokenText(tokens))
        .put("period_unit", periodUnit)
        .put("period_value", periodValue)
        .put("subscription_fee", Amounts.tokenText(subscriptionFee))
        .put("sort_order", sortOrder)
        .put("is_active", active)
        .put("is_trial", trial)
        .put("price_stars", priceStars)
        .put("created_at", createdAt.toInstant().toString())
        .put("updated_at", updatedAt.toInstant().toString())
        .put("names", new JsonObject(Map.copyOf(names)))
        .put("descriptions", new JsonObject(Map.copyOf(descriptions)));
  }
}

package io.kopeck.catalog;

import io.kopeck.ledger.Amounts;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A row of the catalog (SPEC §3). A tariff without a period sells tokens only. */
public record Tariff(UUID id, String slug, String name, String description, BigDecimal price, BigDecimal tokens,
                     String periodUnit, Integer periodValue, BigDecimal subscriptionFee, int sortOrder,
                     boolean active, boolean trial, Integer priceStars, OffsetDateTime createdAt,
                     OffsetDateTime updatedAt) {

  static final String COLUMNS = "id, slug, name, description, price, tokens, period_unit, period_value, "
      + "subscription_fee, sort_order, is_active, is_trial, price_stars, created_at, updated_at";

  static Tariff of(Row row) {
    return new Tariff(row.getUUID("id"), row.getString("slug"), row.getString("name"), row.getString("description"),
        row.getBigDecimal("price"), row.getBigDecimal("tokens"), row.getString("period_unit"),
        row.getInteger("period_value"), row.getBigDecimal("subscription_fee"), row.getInteger("sort_order"),
        row.getBoolean("is_active"), row.getBoolean("is_trial"), row.getInteger("price_stars"),
        row.getOffsetDateTime("created_at"),
        row.getOffsetDateTime("updated_at"));
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
        .put("updated_at", updatedAt.toInstant().toString());
  }
}

package io.kopeck.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.CleanText;
import io.kopeck.common.StrictJson;
import java.math.BigDecimal;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The validated fields of a tariff create or update, keyed by column name (SPEC §9 JSON names).
 * Every check the database also enforces is made here first, so that a client gets a message
 * naming the field instead of a constraint name. Values are ready to bind: amounts as exact
 * decimal strings at their column's scale.
 */
final class TariffFields {
  static final Set<String> UPDATABLE = Set.of("name", "description", "price", "tokens", "period_unit", "period_value",
      "subscription_fee", "sort_order", "is_active", "is_trial", "price_stars", "names", "descriptions");
  private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}");
  private static final BigDecimal MAX_PRICE = new BigDecimal("10000000");
  private static final BigDecimal MAX_TOKENS = new BigDecimal("1000000000000");

  private final Map<String, Object> values = new LinkedHashMap<>();

  /** Fields of a new tariff: slug, name, price and tokens are required. */
  static TariffFields forCreate(ObjectNode json) {
    TariffFields fields = new TariffFields();
    fields.values.put("slug", slug(json));
    fields.readUpdatable(json);
    for (String required : new String[] {"name", "price", "tokens"}) {
      if (!fields.values.containsKey(required)) {
        throw CatalogRefusal.INVALID_TARIFF.because(required + " is required");
      }
    }
    fields.checkPeriod(json);
    fields.checkFreeOnlyTrial(null);
    return fields;
  }

  /** Fields of a partial update (PATCH); the slug cannot change. */
  static TariffFields forUpdate(ObjectNode json, Tariff current) {
    if (json.has("slug") && !json.get("slug").asText().equals(current.slug())) {
      throw CatalogRefusal.INVALID_TARIFF.because("slug cannot change; create a new tariff instead");
    }
    TariffFields fields = new TariffFields();
    fields.readUpdatable(json);
    fields.checkPeriod(json);
    fields.checkFreeOnlyTrial(current);
    if (fields.values.isEmpty()) {
      throw CatalogRefusal.INVALID_TARIFF.because("nothing to update: give at least one of " + String.join(", ", UPDATABLE));
    }
    return fields;
  }

  Map<String, Object> values() {
    return values;
  }

  private void readUpdatable(ObjectNode json) {
    text(json, "name", 1, 128);
    text(json, "description", 0, 1000);
    amount(json, "price", 2, MAX_PRICE);
    amount(json, "tokens", 4, MAX_TOKENS);
    amount(json, "subscription_fee", 4, MAX_TOKENS);
    integer(json, "sort_order", -1_000_000, 1_000_000);
    integer(json, "period_value", 1, 1000);
    integer(json, "price_stars", 1, 1_000_000);
    bool(json, "is_active");
    bool(json, "is_trial");
    texts(json, "names", 1, 128);
    texts(json, "descriptions", 0, 1000);
    if (json.has("period_unit")) {
      JsonNode unit = json.get("period_unit");
      if (unit.isNull()) {
        values.put("period_unit", null);
      } else if (unit.isTextual() && Set.of("hour", "day", "month").contains(unit.textValue())) {
        values.put("period_unit", unit.textValue());
      } else {
        throw CatalogRefusal.INVALID_TARIFF.because("period_unit must be hour, day, month or null");
      }
    }
  }

  /** A period is a unit and a value together, or neither. */
  private void checkPeriod(ObjectNode json) {
    if (json.has("period_unit") != json.has("period_value")
        || (values.get("period_unit") == null) != (values.get("period_value") == null)) {
      throw CatalogRefusal.INVALID_TARIFF.because("period_unit and period_value go together (both set, or both null)");
    }
  }

  /** A price of 0 is only for trial tariffs, which are never sold. */
  private void checkFreeOnlyTrial(Tariff current) {
    String price = (String) values.get("price");
    Boolean trial = (Boolean) values.get("is_trial");
    boolean free = price != null ? new BigDecimal(price).signum() == 0 : current != null && current.price().signum() == 0;
    boolean isTrial = trial != null ? trial : current != null && current.trial();
    if (free && !isTrial) {
      throw CatalogRefusal.INVALID_TARIFF.because("price must be greater than 0 (only trial tariffs are free)");
    }
  }

  private static String slug(ObjectNode json) {
    JsonNode node = json.get("slug");
    if (node == null || !node.isTextual() || !node.textValue().matches("[a-z0-9][a-z0-9_-]{0,39}")) {
      throw CatalogRefusal.INVALID_TARIFF.because(
          "slug is required: 1 to 40 of a-z, 0-9, '-' and '_', starting with a letter or digit");
    }
    return node.textValue();
  }

  private void text(ObjectNode json, String field, int min, int max) {
    if (!json.has(field)) {
      return;
    }
    JsonNode node = json.get(field);
    if (!node.isTextual() || node.textValue().strip().length() < min || node.textValue().length() > max) {
      throw CatalogRefusal.INVALID_TARIFF.because(field + " must be a string of " + min + " to " + max + " characters");
    }
    values.put(field, node.textValue().strip());
  }

  private void amount(ObjectNode json, String field, int scale, BigDecimal max) {
    if (!json.has(field)) {
      return;
    }
    BigDecimal value;
    try {
      value = StrictJson.decimal(json, field);
    } catch (IllegalArgumentException e) {
      throw CatalogRefusal.INVALID_TARIFF.because(e.getMessage());
    }
    if (value == null || value.signum() < 0 || value.compareTo(max) > 0 || value.stripTrailingZeros().scale() > scale) {
      throw CatalogRefusal.INVALID_TARIFF.because(field + " must be a number from 0 to " + max.toPlainString()
          + " with at most " + scale + " decimal places");
    }
    values.put(field, value.setScale(scale).toPlainString());
  }

  /** Texts by language ({"en": "Basic"}, SPEC §20), stored as JSON text; an empty object clears them. */
  private void texts(ObjectNode json, String field, int min, int max) {
    if (!json.has(field)) {
      return;
    }
    JsonNode node = json.get(field);
    if (!node.isObject()) {
      throw CatalogRefusal.INVALID_TARIFF.because(field + " must be an object of texts by language: {\"en\": \"…\"}");
    }
    ObjectNode texts = StrictJson.newObject();
    for (Map.Entry<String, JsonNode> entry : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
      JsonNode text = entry.getValue();
      if (!LANGUAGE.matcher(entry.getKey()).matches() || !text.isTextual() || text.textValue().strip().length() < min
          || text.textValue().length() > max || CleanText.problemInText(text.textValue()) != null) {
        throw CatalogRefusal.INVALID_TARIFF.because(field + "." + entry.getKey() + " must be a language code (2 or 3 "
            + "letters) with a string of " + min + " to " + max + " characters");
      }
      texts.put(entry.getKey(), text.textValue().strip());
    }
    values.put(field, StrictJson.write(texts));
  }

  private void integer(ObjectNode json, String field, int min, int max) {
    if (!json.has(field)) {
      return;
    }
    JsonNode node = json.get(field);
    if (node.isNull() && (field.equals("period_value") || field.equals("price_stars"))) {
      values.put(field, null);
      return;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < min || node.intValue() > max) {
      throw CatalogRefusal.INVALID_TARIFF.because(field + " must be a whole number from " + min + " to " + max);
    }
    values.put(field, node.intValue());
  }

  private void bool(ObjectNode json, String field) {
    if (!json.has(field)) {
      return;
    }
    if (!json.get(field).isBoolean()) {
      throw CatalogRefusal.INVALID_TARIFF.because(field + " must be true or false");
    }
    values.put(field, json.get(field).booleanValue());
  }
}

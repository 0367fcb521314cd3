package io.kopeck.catalog;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.CleanText;
import io.kopeck.common.Refused;
import io.kopeck.common.StrictJson;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Set;

/** A validated new promo code (SPEC §9 JSON names); the tariff is still a slug here. */
record PromoFields(String code, String discountType, BigDecimal discountValue, Integer maxUses, int maxUsesPerUser,
                   OffsetDateTime validFrom, OffsetDateTime validUntil, String tariffSlug, boolean active,
                   String descriptionsJson) {
  private static final Set<String> TYPES = Set.of("percent", "fixed", "bonus_tokens", "trial");

  static PromoFields parse(ObjectNode json, OffsetDateTime now) {
    String code = code(json);
    String type = text(json, "discount_type");
    if (type == null || !TYPES.contains(type)) {
      throw invalid("discount_type must be percent, fixed, bonus_tokens or trial");
    }
    BigDecimal value = value(json, type);
    Integer maxUses = positive(json, "max_uses");
    Integer perUser = positive(json, "max_uses_per_user");
    OffsetDateTime from = time(json, "valid_from");
    OffsetDateTime until = time(json, "valid_until");
    if (until != null && !until.isAfter(from == null ? now : from)) {
      throw invalid("valid_until must be later than valid_from");
    }
    String tariff = text(json, "tariff");
    if (type.equals("trial") && tariff == null) {
      throw invalid("tariff is required for a trial code: the trial tariff it grants");
    }
    JsonNode active = json.get("is_active");
    if (active != null && !active.isBoolean()) {
      throw invalid("is_active must be true or false");
    }
    return new PromoFields(code, type, value, maxUses, perUser == null ? 1 : perUser, from == null ? now : from, until,
        tariff, active == null || active.booleanValue(), descriptions(json.get("descriptions")));
  }

  /** {"ru": "…", "en": "…"}: what the code gives, per language (SPEC §20); a language is 2 or 3 letters. */
  private static String descriptions(JsonNode node) {
    if (node == null || node.isNull()) {
      return "{}";
    }
    if (!node.isObject()) {
      throw invalid("descriptions must be an object of texts by language: {\"en\": \"…\"}");
    }
    for (Map.Entry<String, JsonNode> entry : (Iterable<Map.Entry<String, JsonNode>>) node::fields) {
      JsonNode text = entry.getValue();
      if (!entry.getKey().matches("[a-z]{2,3}") || !text.isTextual() || text.textValue().isBlank()
          || text.textValue().length() > 500 || CleanText.problemInText(text.textValue()) != null) {
        throw invalid("descriptions." + entry.getKey() + " must be a language code with a text of 1 to 500 characters");
      }
    }
    return StrictJson.write(node);
  }

  private static String code(ObjectNode json) {
    String code = text(json, "code");
    if (code == null || !code.strip().matches("[A-Za-z0-9_-]{1,64}")) {
      throw invalid("code is required: 1 to 64 letters, digits, '-' or '_'");
    }
    return PromoCode.normalize(code);
  }

  private static BigDecimal value(ObjectNode json, String type) {
    BigDecimal value;
    try {
      value = StrictJson.decimal(json, "discount_value");
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage());
    }
    if (type.equals("trial")) {
      if (value != null && value.signum() != 0) {
        throw invalid("discount_value must be 0 or absent for a trial code");
      }
      return BigDecimal.ZERO;
    }
    if (value == null || value.signum() <= 0) {
      throw invalid("discount_value must be greater than 0");
    }
    int scale = value.stripTrailingZeros().scale();
    switch (type) {
      case "percent" -> {
        if (value.compareTo(new BigDecimal("100")) >= 0 || scale > 2) {
          throw invalid("a percent discount_value must be below 100 with at most 2 decimal places");
        }
      }
      case "fixed" -> {
        if (scale > 2 || value.compareTo(new BigDecimal("10000000")) > 0) {
          throw invalid("a fixed discount_value is roubles: at most 10000000 with at most 2 decimal places");
        }
      }
      default -> {
        if (scale > 4 || value.compareTo(new BigDecimal("1000000000")) > 0) {
          throw invalid("bonus_tokens discount_value must be at most 1000000000 with at most 4 decimal places");
        }
      }
    }
    return value;
  }

  private static Integer positive(ObjectNode json, String field) {
    JsonNode node = json.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToInt() || node.intValue() < 1) {
      throw invalid(field + " must be a whole number of at least 1, or null");
    }
    return node.intValue();
  }

  private static OffsetDateTime time(ObjectNode json, String field) {
    String text = text(json, field);
    if (text == null) {
      return null;
    }
    try {
      return Instant.parse(text).atOffset(ZoneOffset.UTC);
    } catch (DateTimeParseException e) {
      throw invalid(field + " must be an ISO-8601 instant such as 2026-12-31T21:00:00Z");
    }
  }

  private static String text(ObjectNode json, String field) {
    JsonNode node = json.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual()) {
      throw invalid(field + " must be a string");
    }
    return node.textValue();
  }

  private static Refused invalid(String message) {
    return CatalogRefusal.INVALID_PROMO_CODE.because(message);
  }
}

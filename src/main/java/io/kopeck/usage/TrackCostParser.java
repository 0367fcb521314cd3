package io.kopeck.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.CleanText;
import io.kopeck.common.StrictJson;
import io.kopeck.ledger.UsageCharge;
import java.math.BigDecimal;
import java.util.Iterator;
import java.util.Map;

/**
 * Turns one {@code track_cost} event (SPEC §6.2) into a {@link UsageCharge}, or says precisely
 * what is wrong with it. Unknown fields are ignored; known fields of the wrong type are errors.
 */
final class TrackCostParser {
  static final int MAX_EVENT_ID = 128;
  private static final int MAX_TEXT = 128;
  private static final int MAX_NODES = 1000;
  private static final int MAX_FRACTION_DIGITS = 12;
  private static final BigDecimal MAX_COST = new BigDecimal("1000000000");

  private final String currency;
  private final TrackMultipliers multipliers;

  TrackCostParser(String currency, TrackMultipliers multipliers) {
    this.currency = currency;
    this.multipliers = multipliers;
  }

  UsageCharge parse(String text) {
    ObjectNode event;
    try {
      event = StrictJson.readObject(text);
    } catch (IllegalArgumentException e) {
      throw new InvalidEvent(null, e.getMessage());
    }
    return parse(event);
  }

  UsageCharge parse(ObjectNode event) {
    String eventId = eventId(event);
    try {
      String track = optionalText(event, "track");
      return new UsageCharge(userId(event), eventId, track, cost(event, "total_cost", "total_cost"),
          currency(event), optionalCount(event, "api_calls"), optionalCount(event, "free_requests"),
          optionalLong(event, "prompt_tokens"), optionalLong(event, "completion_tokens"),
          optionalLong(event, "total_tokens"), nodeCosts(event), track == null ? null : multipliers.of(track));
    } catch (IllegalArgumentException e) {
      throw new InvalidEvent(eventId, e.getMessage());
    }
  }

  private static String eventId(ObjectNode event) {
    JsonNode node = event.get("event_id");
    if (node == null || !node.isTextual()) {
      throw new InvalidEvent(null, "event_id is required and must be a string");
    }
    String id = node.textValue();
    if (id.isEmpty() || id.length() > MAX_EVENT_ID) {
      throw new InvalidEvent(null, "event_id must have 1 to " + MAX_EVENT_ID + " characters");
    }
    String problem = CleanText.problemInName(id);
    if (problem != null) {
      throw new InvalidEvent(null, "event_id " + problem);
    }
    return id;
  }

  private static long userId(ObjectNode event) {
    JsonNode node = event.get("user_id");
    if (node == null || node.isNull()) {
      throw new IllegalArgumentException("user_id is required");
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() <= 0) {
      throw new IllegalArgumentException("user_id must be a positive integer");
    }
    return node.longValue();
  }

  private String currency(ObjectNode event) {
    JsonNode node = event.get("currency");
    if (node == null || !node.isTextual()) {
      throw new IllegalArgumentException("currency is required and must be a string");
    }
    if (!node.textValue().equals(currency)) {
      throw new IllegalArgumentException("currency must be " + currency);
    }
    return currency;
  }

  /** A required non-negative, finite, bounded cost. */
  private static BigDecimal cost(JsonNode parent, String field, String label) {
    BigDecimal value = StrictJson.decimal(parent, field, label);
    if (value == null) {
      throw new IllegalArgumentException(label + " is required");
    }
    if (value.signum() < 0) {
      throw new IllegalArgumentException(label + " must not be negative");
    }
    if (value.compareTo(MAX_COST) > 0) {
      throw new IllegalArgumentException(label + " is out of range (at most " + MAX_COST.toPlainString() + ")");
    }
    if (value.stripTrailingZeros().scale() > MAX_FRACTION_DIGITS) {
      throw new IllegalArgumentException(label + " has more than " + MAX_FRACTION_DIGITS + " decimal places");
    }
    return value;
  }

  private static String optionalText(ObjectNode event, String field) {
    JsonNode node = event.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual() || node.textValue().length() > MAX_TEXT) {
      throw new IllegalArgumentException(field + " must be a string of at most " + MAX_TEXT + " characters");
    }
    return CleanText.requireName(field, node.textValue());
  }

  private static Integer optionalCount(ObjectNode event, String field) {
    Long value = optionalLong(event, field);
    if (value != null && value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(field + " is out of range");
    }
    return value == null ? null : value.intValue();
  }

  private static Long optionalLong(ObjectNode event, String field) {
    JsonNode node = event.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < 0) {
      throw new IllegalArgumentException(field + " must be a non-negative integer");
    }
    return node.longValue();
  }

  /** The node breakdown as exact JSON text, or null. */
  private static String nodeCosts(ObjectNode event) {
    JsonNode node = event.get("node_costs");
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isObject() || node.size() > MAX_NODES) {
      throw new IllegalArgumentException("node_costs must be an object of at most " + MAX_NODES + " costs");
    }
    ObjectNode exact = StrictJson.newObject();
    for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
      Map.Entry<String, JsonNode> entry = it.next();
      if (entry.getKey().length() > MAX_TEXT) {
        throw new IllegalArgumentException("node_costs names must have at most " + MAX_TEXT + " characters");
      }
      CleanText.requireName("a node_costs name", entry.getKey());
      exact.put(entry.getKey(), cost(node, entry.getKey(), "node_costs." + entry.getKey()));
    }
    return StrictJson.write(exact);
  }
}

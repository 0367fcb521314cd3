package io.kopeck.track;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.CleanText;
import io.kopeck.common.StrictJson;
import io.kopeck.track.Track.Input;
import io.kopeck.track.Track.InputKind;
import io.kopeck.track.Track.OnFailure;
import io.kopeck.track.Track.Price;
import io.kopeck.track.Track.RunnerCall;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Reads a track definition (SPEC §18) and checks every field, naming the first bad one: a client
 * hears "price.cap must not be below price.minimum", not a constraint name. Unknown fields are
 * refused too — a misspelt "on_failur" would otherwise silently price runs the default way.
 */
final class TrackDefinition {
  private static final Pattern SLUG = Pattern.compile("[a-z0-9][a-z0-9_-]{0,31}");
  private static final Pattern COMMAND = Pattern.compile("[a-z0-9_]{1,32}");
  private static final Pattern FIELD = Pattern.compile("[A-Za-z0-9_.-]{1,64}");
  private static final Pattern EXTENSION = Pattern.compile("[a-z0-9]{1,10}");
  private static final Pattern PATH = Pattern.compile("/[A-Za-z0-9._~/-]{0,199}");
  private static final Set<String> TOP = Set.of("slug", "command", "title", "description", "input", "runner", "price",
      "hold", "requires_subscription", "sort_order", "is_active", "created_at", "updated_at");
  private static final Set<String> INPUT = Set.of("kind", "field", "max_chars", "max_items", "max_bytes", "extensions");
  private static final Set<String> RUNNER = Set.of("path", "user_field");
  private static final Set<String> PRICE = Set.of("multiplier", "minimum", "fallback", "fixed", "cap", "on_failure");
  /** A language of texts: ru, en, or one the owner's texts files add (SPEC §20). */
  private static final Pattern LANGUAGE = Pattern.compile("[a-z]{2,3}");
  /** Telegram's getFile serves files up to 20 MB. */
  static final long MAX_FILE_BYTES = 20L * 1024 * 1024;
  private static final BigDecimal MAX_TOKENS = new BigDecimal("1000000000000");
  private static final BigDecimal MAX_MULTIPLIER = new BigDecimal("1000000");

  private TrackDefinition() {
  }

  /**
   * A whole definition. {@code defaultMultiplier} (COST_MULTIPLIER) stands in for a missing
   * price.multiplier; {@code reserved} are the bot's own commands, which no track may shadow.
   */
  static Track parse(ObjectNode json, BigDecimal defaultMultiplier, Set<String> reserved) {
    onlyKnown(json, TOP, "");
    String slug = matching(json, "slug", SLUG, "1 to 32 of a-z, 0-9, '-' and '_', starting with a letter or digit");
    String command = matching(json, "command", COMMAND, "1 to 32 of a-z, 0-9 and '_' (Telegram's rule for commands)");
    if (reserved.contains(command) || command.startsWith("admin_")) {
      throw invalid("command /" + command + " is one of the bot's own commands");
    }
    Map<String, String> title = texts(json.get("title"), "title", 1, 64, true);
    Map<String, String> description = texts(json.get("description"), "description", 0, 256, false);
    Input input = input(json.get("input"));
    RunnerCall runner = runner(json.get("runner"), input);
    Price price = price(json.get("price"), defaultMultiplier);
    BigDecimal hold = tokens(json, "hold", "hold", BigDecimal.ZERO);
    return new Track(slug, command, title, description, input, runner, price, hold,
        bool(json, "requires_subscription", false), integer(json, "sort_order", 0), bool(json, "is_active", true));
  }

  /** {@code current} with {@code patch} laid over it (objects merged field by field), then checked whole. */
  static ObjectNode merge(ObjectNode current, ObjectNode patch) {
    ObjectNode merged = current.deepCopy();
    Iterator<Map.Entry<String, JsonNode>> fields = patch.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> field = fields.next();
      JsonNode old = merged.get(field.getKey());
      if (old instanceof ObjectNode oldObject && field.getValue() instanceof ObjectNode newObject
          && !field.getKey().equals("title") && !field.getKey().equals("description")) {
        merged.set(field.getKey(), merge(oldObject, newObject));
      } else {
        merged.set(field.getKey(), field.getValue());
      }
    }
    return merged;
  }

  private static Input input(JsonNode node) {
    ObjectNode input = object(node, "input", true);
    onlyKnown(input, INPUT, "input.");
    InputKind kind = oneOf(InputKind.class, input.path("kind").asText(""), "input.kind");
    String field = kind == InputKind.NONE ? optionalMatching(input, "field", FIELD)
        : matching(input, "field", FIELD, "1 to 64 of A-Z, a-z, 0-9, '_', '.' and '-' (the Runner's form field)",
            "input.");
    return switch (kind) {
      case NONE, URL -> new Input(kind, field, null, null, null, null);
      case TEXT -> new Input(kind, field, (int) whole(input, "max_chars", "input.max_chars", 4000, 1, 100_000),
          null, null, null);
      case URLS -> new Input(kind, field, null, (int) whole(input, "max_items", "input.max_items", 20, 1, 100), null,
          null);
      case FILE -> new Input(kind, field, null, null,
          whole(input, "max_bytes", "input.max_bytes", 1024 * 1024, 1, MAX_FILE_BYTES), extensions(input));
    };
  }

  private static List<String> extensions(ObjectNode input) {
    JsonNode node = input.get("extensions");
    if (node == null || node.isNull()) {
      return List.of();
    }
    if (!node.isArray() || node.size() > 20) {
      throw invalid("input.extensions must be a list of at most 20 file extensions");
    }
    List<String> extensions = new ArrayList<>();
    for (JsonNode item : node) {
      String extension = item.isTextual() ? item.textValue().toLowerCase(Locale.ROOT).replaceFirst("^\\.", "") : "";
      if (!EXTENSION.matcher(extension).matches()) {
        throw invalid("input.extensions must hold extensions such as \"pdf\" (1 to 10 of a-z and 0-9)");
      }
      extensions.add(extension);
    }
    return List.copyOf(extensions);
  }

  private static RunnerCall runner(JsonNode node, Input input) {
    ObjectNode runner = object(node, "runner", true);
    onlyKnown(runner, RUNNER, "runner.");
    String path = matching(runner, "path", PATH, "a path on RUNNER_BASE_URL such as /analyze-cv", "runner.");
    if (path.contains("//") || path.contains("/../") || path.endsWith("/..")) {
      throw invalid("runner.path must be a plain path on RUNNER_BASE_URL");
    }
    String userField = runner.has("user_field")
        ? matching(runner, "user_field", FIELD, "1 to 64 of A-Z, a-z, 0-9, '_', '.' and '-'", "runner.")
        : "telegram_id";
    if (userField.equals(input.field())) {
      throw invalid("runner.user_field and input.field must differ");
    }
    return new RunnerCall(path, userField);
  }

  /** A price as a run stored it when it started (its track's price then, multiplier included). */
  static Price price(ObjectNode stored) {
    return price(stored, null);
  }

  private static Price price(JsonNode node, BigDecimal defaultMultiplier) {
    ObjectNode price = node == null || node.isNull() ? StrictJson.newObject() : object(node, "price", true);
    onlyKnown(price, PRICE, "price.");
    BigDecimal multiplier = decimal(price, "multiplier", "price.multiplier", 6, MAX_MULTIPLIER, null);
    if (multiplier != null && multiplier.signum() == 0) {
      throw invalid("price.multiplier must be greater than 0");
    }
    BigDecimal minimum = tokens(price, "minimum", "price.minimum", BigDecimal.ZERO);
    BigDecimal cap = tokens(price, "cap", "price.cap", null);
    if (cap != null && cap.compareTo(minimum) < 0) {
      throw invalid("price.cap must not be below price.minimum");
    }
    OnFailure failure = oneOf(OnFailure.class, price.path("on_failure").asText("free"), "price.on_failure");
    return new Price(multiplier == null ? defaultMultiplier : multiplier, minimum,
        tokens(price, "fallback", "price.fallback", null), tokens(price, "fixed", "price.fixed", null), cap, failure);
  }

  private static Map<String, String> texts(JsonNode node, String name, int min, int max, boolean required) {
    if (node == null || node.isNull()) {
      if (required) {
        throw invalid(name + " is required: {\"ru\": \"…\", \"en\": \"…\"}");
      }
      return Map.of();
    }
    if (!node.isObject()) {
      throw invalid(name + " must be an object of texts by language: {\"ru\": \"…\", \"en\": \"…\"}");
    }
    Map<String, String> texts = new LinkedHashMap<>();
    Iterator<Map.Entry<String, JsonNode>> fields = node.fields();
    while (fields.hasNext()) {
      Map.Entry<String, JsonNode> entry = fields.next();
      String field = name + "." + entry.getKey();
      if (!LANGUAGE.matcher(entry.getKey()).matches()) {
        throw invalid(field + ": a language is 2 or 3 letters (ru, en, uk …)");
      }
      JsonNode text = entry.getValue();
      if (!text.isTextual() || text.textValue().strip().length() < Math.max(min, 1)
          || text.textValue().length() > max || CleanText.problemInName(text.textValue()) != null) {
        throw invalid(field + " must be a string of " + Math.max(min, 1) + " to " + max + " characters on one line");
      }
      texts.put(entry.getKey(), text.textValue().strip());
    }
    if (required && texts.isEmpty()) {
      throw invalid(name + " needs at least one language");
    }
    return Map.copyOf(texts);
  }

  private static ObjectNode object(JsonNode node, String name, boolean required) {
    if (node == null || node.isNull()) {
      if (required) {
        throw invalid(name + " is required");
      }
      return StrictJson.newObject();
    }
    if (!(node instanceof ObjectNode object)) {
      throw invalid(name + " must be an object");
    }
    return object;
  }

  private static void onlyKnown(ObjectNode json, Set<String> known, String prefix) {
    Iterator<String> names = json.fieldNames();
    while (names.hasNext()) {
      String name = names.next();
      if (!known.contains(name)) {
        throw invalid(prefix + name + " is not a field of a track definition");
      }
    }
  }

  private static String matching(ObjectNode json, String field, Pattern pattern, String rule) {
    return matching(json, field, pattern, rule, "");
  }

  private static String matching(ObjectNode json, String field, Pattern pattern, String rule, String prefix) {
    JsonNode node = json.get(field);
    if (node == null || !node.isTextual() || !pattern.matcher(node.textValue()).matches()) {
      throw invalid(prefix + field + " is required: " + rule);
    }
    return node.textValue();
  }

  private static String optionalMatching(ObjectNode json, String field, Pattern pattern) {
    JsonNode node = json.get(field);
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual() || !pattern.matcher(node.textValue()).matches()) {
      throw invalid("input." + field + " must be 1 to 64 of A-Z, a-z, 0-9, '_', '.' and '-'");
    }
    return node.textValue();
  }

  private static BigDecimal tokens(ObjectNode json, String field, String name, BigDecimal otherwise) {
    return decimal(json, field, name, 4, MAX_TOKENS, otherwise);
  }

  /** A number ≥ 0 (a JSON number or a decimal string) with at most {@code scale} decimal places. */
  private static BigDecimal decimal(ObjectNode json, String field, String name, int scale, BigDecimal max,
                                    BigDecimal otherwise) {
    BigDecimal value;
    try {
      value = StrictJson.decimal(json, field, name);
    } catch (IllegalArgumentException e) {
      throw invalid(e.getMessage());
    }
    if (value == null) {
      return otherwise;
    }
    if (value.signum() < 0 || value.compareTo(max) > 0 || value.stripTrailingZeros().scale() > scale) {
      throw invalid(name + " must be a number from 0 to " + max.toPlainString() + " with at most " + scale
          + " decimal places");
    }
    return value.setScale(Math.max(scale == 4 ? 4 : 0, value.stripTrailingZeros().scale()));
  }

  private static long whole(ObjectNode json, String field, String name, long otherwise, long min, long max) {
    JsonNode node = json.get(field);
    if (node == null || node.isNull()) {
      return otherwise;
    }
    if (!node.isIntegralNumber() || !node.canConvertToLong() || node.longValue() < min || node.longValue() > max) {
      throw invalid(name + " must be a whole number from " + min + " to " + max);
    }
    return node.longValue();
  }

  private static int integer(ObjectNode json, String field, int otherwise) {
    return (int) whole(json, field, field, otherwise, -1_000_000, 1_000_000);
  }

  private static boolean bool(ObjectNode json, String field, boolean otherwise) {
    JsonNode node = json.get(field);
    if (node == null || node.isNull()) {
      return otherwise;
    }
    if (!node.isBoolean()) {
      throw invalid(field + " must be true or false");
    }
    return node.booleanValue();
  }

  /** The constant {@code text} names, in lower case ("free", "url"); else a refusal listing them. */
  private static <E extends Enum<E>> E oneOf(Class<E> type, String text, String name) {
    for (E constant : type.getEnumConstants()) {
      if (constant.name().toLowerCase(Locale.ROOT).equals(text)) {
        return constant;
      }
    }
    List<String> names = Arrays.stream(type.getEnumConstants()).map(c -> c.name().toLowerCase(Locale.ROOT)).toList();
    throw invalid(name + " must be one of " + String.join(", ", names));
  }

  private static RuntimeException invalid(String message) {
    return TrackRefusal.INVALID_TRACK.because(message);
  }
}

package io.kopeck.track;

import io.kopeck.common.InLanguage;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A track an owner defined (SPEC §18): the bot command that starts it, what it asks the user for,
 * where the Runner runs it, and how a finished run is priced. Built only by {@link TrackDefinition},
 * which checks every field.
 */
public record Track(String slug, String command, Map<String, String> title, Map<String, String> description,
                    Input input, RunnerCall runner, Price price, BigDecimal hold, boolean requiresSubscription,
                    int sortOrder, boolean active) {

  /** What the user gives: nothing, a text, a URL, URLs (one per line) or a file. */
  public enum InputKind { NONE, TEXT, URL, URLS, FILE }

  /** The input and its limits; only those of its kind are set. */
  public record Input(InputKind kind, String field, Integer maxChars, Integer maxItems, Long maxBytes,
                      List<String> extensions) {
  }

  /** {@code POST {RUNNER_BASE_URL}{path}}, the user's Telegram id in the form field {@code userField}. */
  public record RunnerCall(String path, String userField) {
  }

  /** What to do with a failed or cancelled run: nothing, what the Runner reported, or the minimum. */
  public enum OnFailure { FREE, COST, MINIMUM }

  /** SPEC §18 pricing; null amounts are unset. */
  public record Price(BigDecimal multiplier, BigDecimal minimum, BigDecimal fallback, BigDecimal fixed, BigDecimal cap,
                      OnFailure onFailure) {
  }

  /** The title in {@code language}, else English, else Russian, else whichever it has (SPEC §20). */
  public String title(String language) {
    return inLanguage(title, language);
  }

  public String description(String language) {
    return inLanguage(description, language);
  }

  private static String inLanguage(Map<String, String> texts, String language) {
    String text = InLanguage.pick(texts, language);
    return text != null ? text : texts.values().stream().findFirst().orElse("");
  }

  /** The definition as the admin API shows it (and takes it back). */
  public JsonObject toJson() {
    JsonObject input = new JsonObject().put("kind", input().kind().name().toLowerCase(Locale.ROOT));
    if (input().field() != null) {
      input.put("field", input().field());
    }
    putIfSet(input, "max_chars", input().maxChars());
    putIfSet(input, "max_items", input().maxItems());
    putIfSet(input, "max_bytes", input().maxBytes());
    if (input().extensions() != null) {
      input.put("extensions", new JsonArray(input().extensions()));
    }
    return new JsonObject().put("slug", slug).put("command", command).put("title", new JsonObject(Map.copyOf(title)))
        .put("description", new JsonObject(Map.copyOf(description))).put("input", input)
        .put("runner", new JsonObject().put("path", runner.path()).put("user_field", runner.userField()))
        .put("price", priceJson()).put("hold", text(hold)).put("requires_subscription", requiresSubscription)
        .put("sort_order", sortOrder).put("is_active", active);
  }

  JsonObject priceJson() {
    return new JsonObject().put("multiplier", text(price.multiplier())).put("minimum", text(price.minimum()))
        .put("fallback", text(price.fallback())).put("fixed", text(price.fixed())).put("cap", text(price.cap()))
        .put("on_failure", price.onFailure().name().toLowerCase(Locale.ROOT));
  }

  private static void putIfSet(JsonObject json, String field, Object value) {
    if (value != null) {
      json.put(field, value);
    }
  }

  private static String text(BigDecimal value) {
    return value == null ? null : value.toPlainString();
  }
}

package io.kopeck.catalog;

import io.kopeck.i18n.Texts;
import java.util.Locale;

/** The seven reasons a promo code cannot be used (SPEC §4), each with its own user message. */
public enum PromoProblem {
  NOT_FOUND, INACTIVE, NOT_YET_VALID, EXPIRED, EXHAUSTED, WRONG_TARIFF, ALREADY_USED;

  /** API error code, e.g. "promo_not_found". */
  public String code() {
    return "promo_" + name().toLowerCase(Locale.ROOT);
  }

  /** The message for the user, in their language; {@code args}: the code, then (for NOT_YET_VALID) the date. */
  public String message(Texts texts, Object... args) {
    return texts.get("promo." + name().toLowerCase(Locale.ROOT), args);
  }
}

package io.kopeck.catalog;

import io.kopeck.common.Refusal;
import io.kopeck.common.Refused;
import io.kopeck.i18n.Texts;
import java.util.Locale;

/** The seven reasons a promo code cannot be used (SPEC §4), each with its own user message. */
public enum PromoProblem implements Refusal {
  NOT_FOUND, INACTIVE, NOT_YET_VALID, EXPIRED, EXHAUSTED, WRONG_TARIFF, ALREADY_USED;

  /** API error code, e.g. "promo_not_found". */
  @Override
  public String code() {
    return "promo_" + name().toLowerCase(Locale.ROOT);
  }

  /** A purchase or trial refused because of its promo code: always the request's fault (400). */
  @Override
  public Kind kind() {
    return Kind.INVALID;
  }

  /** The failure for {@code code}, with the English message for API answers. */
  public Refused refused(String code) {
    return because(message(Texts.forLanguage("en"), code, ""));
  }

  /** The message for the user, in their language; {@code args}: the code, then (for NOT_YET_VALID) the date. */
  public String message(Texts texts, Object... args) {
    return texts.get("promo." + name().toLowerCase(Locale.ROOT), args);
  }
}

package io.kopeck.common;

import java.util.Map;

/** Texts by language ({"en": "Basic", "uk": "Базовий"}) and the one order they fall back in (SPEC §20). */
public final class InLanguage {
  private InLanguage() {
  }

  /** The text in {@code language}, else English (for any language but Russian), else Russian; null when none. */
  public static String pick(Map<String, String> texts, String language) {
    String own = texts.get(language);
    if (own != null) {
      return own;
    }
    String english = "ru".equals(language) ? null : texts.get("en");
    return english != null ? english : texts.get("ru");
  }
}

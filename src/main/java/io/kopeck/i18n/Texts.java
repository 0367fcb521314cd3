package io.kopeck.i18n;

import java.text.MessageFormat;
import java.util.Locale;
import java.util.ResourceBundle;

/**
 * User-facing texts from i18n/messages_{ru,en}.properties. Russian is the default; English is
 * used when the Telegram language code starts with "en" (SPEC §1).
 */
public final class Texts {
  private static final Locale RUSSIAN = Locale.forLanguageTag("ru");
  private static final Locale ENGLISH = Locale.ENGLISH;

  private final ResourceBundle bundle;
  private final Locale locale;

  private Texts(Locale locale) {
    this.locale = locale;
    this.bundle = ResourceBundle.getBundle("i18n.messages", locale, ResourceBundle.Control.getNoFallbackControl(
        ResourceBundle.Control.FORMAT_PROPERTIES));
  }

  private static final Texts RU = new Texts(RUSSIAN);
  private static final Texts EN = new Texts(ENGLISH);

  /** The texts for a Telegram {@code language_code} (null or anything not English → Russian). */
  public static Texts forLanguage(String languageCode) {
    return languageCode != null && languageCode.toLowerCase(Locale.ROOT).startsWith("en") ? EN : RU;
  }

  public String get(String key, Object... args) {
    return new MessageFormat(bundle.getString(key), locale).format(args);
  }
}

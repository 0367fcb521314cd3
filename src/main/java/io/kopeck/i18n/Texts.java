package io.kopeck.i18n;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.MessageFormat;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.Locale;
import java.util.ResourceBundle;

/**
 * User-facing texts from i18n/messages_{ru,en}.properties, and the way each language writes money,
 * tokens and dates. Russian is the default; English is used when the Telegram language code (or the
 * user's own choice in /settings) starts with "en" (SPEC §1).
 *
 * <p>Placeholders are java.text.MessageFormat; callers pass text that is already formatted
 * (amounts through {@link #rub} and {@link #tokens}), so MessageFormat never formats a number
 * itself and money is never shown through a double.
 */
public final class Texts {
  private static final Texts RU = new Texts("ru", Locale.forLanguageTag("ru"), ' ', ',');
  private static final Texts EN = new Texts("en", Locale.ENGLISH, ',', '.');

  private final String language;
  private final Locale locale;
  private final ResourceBundle bundle;
  private final DecimalFormatSymbols symbols;

  private Texts(String language, Locale locale, char grouping, char decimal) {
    this.language = language;
    this.locale = locale;
    this.bundle = ResourceBundle.getBundle("i18n.messages", locale, ResourceBundle.Control.getNoFallbackControl(
        ResourceBundle.Control.FORMAT_PROPERTIES));
    this.symbols = new DecimalFormatSymbols(Locale.ROOT);
    symbols.setGroupingSeparator(grouping);
    symbols.setDecimalSeparator(decimal);
    symbols.setMinusSign('-');
  }

  /** The texts for a Telegram {@code language_code} (null or anything not English → Russian). */
  public static Texts forLanguage(String languageCode) {
    return languageCode != null && languageCode.toLowerCase(Locale.ROOT).startsWith("en") ? EN : RU;
  }

  /** "ru" or "en". */
  public String language() {
    return language;
  }

  public String get(String key, Object... args) {
    return new MessageFormat(bundle.getString(key), locale).format(args);
  }

  /** Money in roubles, always two decimals: {@code 1 234,50 ₽} (ru), {@code ₽1,234.50} (en). */
  public String rub(BigDecimal amount) {
    String number = grouped(amount.setScale(2, RoundingMode.HALF_UP), 2);
    if (language.equals("ru")) {
      return number + " ₽";
    }
    return number.startsWith("-") ? "-₽" + number.substring(1) : "₽" + number;
  }

  /** A price in Telegram Stars, as the Stars button shows it: {@code ⭐ 250}. */
  public String stars(BigDecimal amount) {
    return "⭐ " + grouped(amount.setScale(0, RoundingMode.UNNECESSARY), 0);
  }

  /** An amount in its currency: roubles, or Stars for XTR. */
  public String money(BigDecimal amount, String currency) {
    return "XTR".equals(currency) ? stars(amount) : rub(amount);
  }

  /** A run's cost in roubles exactly as reported (0,004 ₽), for cost messages where kopecks are too coarse. */
  public String rubExact(BigDecimal amount) {
    String number = number(amount);
    return language.equals("ru") ? number + " ₽" : "₽" + number;
  }

  /** A token amount, exact (up to the ledger's four decimals), with its noun: {@code 12,3456 токена}. */
  public String tokens(BigDecimal amount) {
    return number(amount) + " " + tokenNoun(amount);
  }

  /** A plain exact number in this language's notation, never scientific: {@code 1 234,5}. */
  public String number(BigDecimal amount) {
    BigDecimal exact = amount.stripTrailingZeros();
    return grouped(exact, Math.max(0, exact.scale()));
  }

  /** A ledger delta with its sign: {@code +12,5}, {@code −3} (a true minus sign). */
  public String signed(BigDecimal delta) {
    return (delta.signum() > 0 ? "+" : "−") + number(delta.abs());
  }

  /** A count of things: {@code 1 234}. */
  public String count(long value) {
    return number(BigDecimal.valueOf(value));
  }

  /** Date and time in the display time zone, e.g. {@code 26.11.2026 18:30} / {@code 2026-11-26 18:30}. */
  public String dateTime(OffsetDateTime time, ZoneId zone) {
    return time.atZoneSameInstant(zone).format(DateTimeFormatter.ofPattern(get("format.datetime")));
  }

  public String date(OffsetDateTime time, ZoneId zone) {
    return time.atZoneSameInstant(zone).format(DateTimeFormatter.ofPattern(get("format.date")));
  }

  private String grouped(BigDecimal amount, int decimals) {
    DecimalFormat format = new DecimalFormat(decimals == 0 ? "#,##0" : "#,##0." + "0".repeat(decimals), symbols);
    format.setParseBigDecimal(true);
    format.setRoundingMode(RoundingMode.UNNECESSARY);
    return format.format(amount);
  }

  /** Russian: 1 токен, 2–4 токена, 5+ токенов, fractions токена; English: token/tokens. */
  private String tokenNoun(BigDecimal amount) {
    BigDecimal abs = amount.abs().stripTrailingZeros();
    if (abs.scale() > 0) {
      return get("noun.tokens.fraction");
    }
    long whole = abs.remainder(BigDecimal.valueOf(100)).longValue();
    if (whole % 10 == 1 && whole != 11) {
      return get("noun.tokens.one");
    }
    if (whole % 10 >= 2 && whole % 10 <= 4 && (whole < 12 || whole > 14)) {
      return get("noun.tokens.few");
    }
    return get("noun.tokens.many");
  }
}

package io.kopeck.i18n;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.text.DecimalFormat;
import java.text.DecimalFormatSymbols;
import java.text.MessageFormat;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * User-facing texts in one language, and the way that language writes money, tokens and dates. The
 * texts come from the {@link TextBook} the process uses ({@link #use}): the jar's Russian and English
 * sets, changed and extended by the owner's files (SPEC §20). Russian is the default; English is used
 * when the Telegram language code (or the user's own choice in /settings) starts with "en", another
 * language when the owner added a file for it (SPEC §1, §20).
 *
 * <p>Placeholders are java.text.MessageFormat; callers pass text that is already formatted
 * (amounts through {@link #rub} and {@link #tokens}), so MessageFormat never formats a number
 * itself and money is never shown through a double.
 */
public final class Texts {
  /** Languages that write 1 234,50 and count 1 / 2–4 / 5+ as Russian does. */
  private static final Set<String> SLAVIC = Set.of("ru", "uk", "be");
  private static volatile Map<String, Texts> byLanguage = of(TextBook.builtIn());
  private static volatile TextBook book = TextBook.builtIn();

  private final String language;
  private final Locale locale;
  private final Map<String, String> texts;
  private final DecimalFormatSymbols symbols;
  private final boolean slavic;

  private Texts(String language, Map<String, String> texts) {
    this.language = language;
    this.locale = Locale.forLanguageTag(language);
    this.texts = texts;
    this.slavic = SLAVIC.contains(language);
    this.symbols = new DecimalFormatSymbols(Locale.ROOT);
    symbols.setGroupingSeparator(slavic ? ' ' : ',');
    symbols.setDecimalSeparator(slavic ? ',' : '.');
    symbols.setMinusSign('-');
  }

  /** The texts every later {@link #forLanguage} answers from (the root's, once the configuration is read). */
  public static void use(TextBook texts) {
    byLanguage = of(texts);
    book = texts;
  }

  private static Map<String, Texts> of(TextBook book) {
    Map<String, Texts> all = new HashMap<>();
    book.languages().forEach(language -> all.put(language, new Texts(language, book.texts(language))));
    return Map.copyOf(all);
  }

  /** The texts for a Telegram {@code language_code} (null or a language without texts → Russian). */
  public static Texts forLanguage(String languageCode) {
    return byLanguage.get(book.languageOf(languageCode));
  }

  /** The languages the bot speaks now: ru, en and those the owner's files added. */
  public static List<String> languages() {
    return book.languages();
  }

  /** "ru", "en", or a language the owner added. */
  public String language() {
    return language;
  }

  /** Whether this language has its own text for {@code key} (the owner's product commands have none built in). */
  public boolean has(String key) {
    return texts.containsKey(key);
  }

  public String get(String key, Object... args) {
    String text = texts.get(key);
    if (text == null) {
      throw new java.util.MissingResourceException("No text " + key, Texts.class.getName(), key);
    }
    return new MessageFormat(text, locale).format(args);
  }

  /** Money in roubles, always two decimals: {@code 1 234,50 ₽} (ru), {@code ₽1,234.50} (en). */
  public String rub(BigDecimal amount) {
    String number = grouped(amount.setScale(2, RoundingMode.HALF_UP), 2);
    if (slavic) {
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
    return slavic ? number + " ₽" : "₽" + number;
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
  /** A moment with its zone marked ({@code 06.12.2026 15:00 MSK}): a reader elsewhere must not guess the zone. */
  public String dateTime(OffsetDateTime time, ZoneId zone) {
    return time.atZoneSameInstant(zone).format(DateTimeFormatter.ofPattern(get("format.datetime") + " z", Locale.ROOT));
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

  /** Russian (and its like): 1 токен, 2–4 токена, 5+ токенов, fractions токена; others: 1 token, else tokens. */
  private String tokenNoun(BigDecimal amount) {
    BigDecimal abs = amount.abs().stripTrailingZeros();
    if (abs.scale() > 0) {
      return get("noun.tokens.fraction");
    }
    if (!slavic) {
      return get(abs.compareTo(BigDecimal.ONE) == 0 ? "noun.tokens.one" : "noun.tokens.many");
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

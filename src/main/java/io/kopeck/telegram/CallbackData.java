package io.kopeck.telegram;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Inline-button payloads: {@code 1:<action>[:<arg>]}, at most 64 bytes (Telegram's limit). The
 * leading version lets a later release change the layout and still recognise old buttons as
 * stale. Anything that does not parse — an old version, an unknown action, a malformed argument —
 * is treated as stale and changes nothing; ownership of what an argument names (an invoice) is
 * checked again by the handler.
 */
record CallbackData(Action action, String arg) {
  static final String VERSION = "1";
  private static final int MAX_BYTES = 64;

  /** Every button the bot shows, with the shape of its argument (null: none). */
  public enum Action {
    BALANCE("bal", null),
    TOP_UP("topup", null),
    CUSTOM_AMOUNT("amt", null),
    PROMO("promo", null),
    HISTORY("hist", "[1-9][0-9]{0,5}"),
    TARIFF("tar", "[a-z0-9][a-z0-9_-]{0,39}"),
    INVOICE_PROMO("ipr", "[1-9][0-9]{0,17}"),
    INVOICE_CANCEL("icn", "[1-9][0-9]{0,17}"),
    /** Pay an invoice through a method: {@code <inv_id>.<method code>} (see {@link PayMethod}). */
    PAY("pay", "[1-9][0-9]{0,17}\\.[mrsy]"),
    STARS_TOPUP("stt", null),
    QUICK_TOPUP("qtp", null),
    SUBSCRIPTION("sub", null),
    RENEW("srn", null),
    AUTO_RENEW("sar", "[01]"),
    COST_FORMAT("fmt", "basic|detailed|off"),
    LANGUAGE("lng", "ru|en"),
    CLEAR_LIMIT("lcl", null),
    /** Start a track (its slug). */
    TRACK("trk", "[a-z0-9][a-z0-9_-]{0,31}"),
    /** Rate a finished run: {@code <run ref>.<1|2|3>}. */
    RATE("rate", "[1-9][0-9]{0,17}\\.[123]");

    private final String code;
    private final Pattern arg;

    Action(String code, String arg) {
      this.code = code;
      this.arg = arg == null ? null : Pattern.compile(arg);
    }
  }

  public static CallbackData of(Action action) {
    return new CallbackData(action, null);
  }

  public static CallbackData of(Action action, Object arg) {
    return new CallbackData(action, String.valueOf(arg));
  }

  public String encode() {
    String data = VERSION + ":" + action.code + (arg == null ? "" : ":" + arg);
    if (data.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES || !valid(action, arg)) {
      throw new IllegalArgumentException("Callback data out of shape: " + data);
    }
    return data;
  }

  /** The button, or empty when the data is stale or forged. */
  public static Optional<CallbackData> parse(String data) {
    if (data == null || data.getBytes(StandardCharsets.UTF_8).length > MAX_BYTES) {
      return Optional.empty();
    }
    List<String> parts = Arrays.asList(data.split(":", -1));
    if (parts.size() < 2 || parts.size() > 3 || !parts.get(0).equals(VERSION)) {
      return Optional.empty();
    }
    String arg = parts.size() == 3 ? parts.get(2) : null;
    return Arrays.stream(Action.values()).filter(a -> a.code.equals(parts.get(1)) && valid(a, arg)).findFirst()
        .map(a -> new CallbackData(a, arg));
  }

  /**
   * Whether {@code data} is one of Kopeck's buttons at all (this version's prefix and an action it has),
   * stale or not: a button of the owner's product is forwarded to it instead (SPEC §20).
   */
  static boolean isKopecks(String data) {
    if (data == null) {
      return false;
    }
    String[] parts = data.split(":", 3);
    return parts.length >= 2 && parts[0].equals(VERSION)
        && Arrays.stream(Action.values()).anyMatch(action -> action.code.equals(parts[1]));
  }

  private static boolean valid(Action action, String arg) {
    return action.arg == null ? arg == null : arg != null && action.arg.matcher(arg).matches();
  }

  public long longArg() {
    return Long.parseLong(arg);
  }
}

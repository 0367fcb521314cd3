package io.kopeck.logging;

import java.util.Set;
import java.util.concurrent.CopyOnWriteArraySet;
import java.util.regex.Pattern;

/**
 * What no log line may show (SPEC §9, §17): a Telegram bot token, wherever it appears — in our own
 * messages, in a library's error text (OkHttp names the URL {@code /bot<token>/getUpdates}), in a
 * stack trace — and any secret registered by the configuration. Applied to every encoded line by
 * {@link MaskingEncoder}, so no future message can leak one.
 */
public final class LogMask {
  /** A bot token's shape ({@code <bot id>:<35 characters>}), bare or after "bot" in a URL, ':' maybe escaped. */
  private static final Pattern BOT_TOKEN = Pattern.compile("(?i)(bot)?\\d{3,}(?::|%3A)[A-Za-z0-9_-]{30,}");
  private static final String MASKED = "bot<masked>";
  /** Shorter values would mask ordinary words; the configuration refuses keys that short anyway. */
  private static final int MIN_SECRET_LENGTH = 12;
  private static final Set<String> secrets = new CopyOnWriteArraySet<>();

  private LogMask() {
  }

  /** Masks {@code value} in every line from now on (a configured bot token, password or key). */
  public static void hide(String value) {
    if (value != null && value.length() >= MIN_SECRET_LENGTH) {
      secrets.add(value);
    }
  }

  /** {@code line} with every bot token shown as {@code bot<masked>} and every registered secret as {@code <masked>}. */
  public static String mask(String line) {
    String masked = line;
    for (String secret : secrets) {
      if (masked.contains(secret)) {
        masked = masked.replace(secret, "<masked>");
      }
    }
    return BOT_TOKEN.matcher(masked).replaceAll(MASKED);
  }
}

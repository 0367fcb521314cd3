package io.kopeck.config;

import io.kopeck.common.Cidr;
import io.kopeck.db.DatabaseUrl;
import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.DateTimeException;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * One configuration variable: its name, how its text is parsed and whether its value is a secret
 * (secrets are never printed). Parsers throw {@link IllegalArgumentException} with a short reason.
 */
record Setting(String name, Function<String, Object> parser, boolean secret) {

  Object parse(String raw) {
    try {
      return parser.apply(raw.trim());
    } catch (IllegalArgumentException e) {
      String shown = secret ? "(hidden)" : "'" + raw + "'";
      throw new ConfigException(name, shown + " " + e.getMessage());
    }
  }

  static Setting text(String name) {
    return new Setting(name, raw -> raw, false);
  }

  static Setting secret(String name) {
    return new Setting(name, raw -> raw, true);
  }

  /** Keys and shared secrets: hidden, and at least {@link #MIN_KEY_LENGTH} characters when set (SPEC §11). */
  static Setting key(String name) {
    return new Setting(name, raw -> {
      checkKeyLength(raw);
      return raw;
    }, true);
  }

  static Setting keyList(String name) {
    return new Setting(name, raw -> {
      List<String> keys = splitList(raw);
      keys.forEach(Setting::checkKeyLength);
      return List.copyOf(keys);
    }, true);
  }

  static final int MIN_KEY_LENGTH = 16;

  private static void checkKeyLength(String key) {
    if (!key.isEmpty() && key.length() < MIN_KEY_LENGTH) {
      throw new IllegalArgumentException("is shorter than " + MIN_KEY_LENGTH + " characters");
    }
  }

  static Setting integer(String name, int min, int max) {
    return new Setting(name, raw -> {
      int value;
      try {
        value = Integer.parseInt(raw);
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("is not a whole number");
      }
      if (value < min || value > max) {
        throw new IllegalArgumentException("must be between " + min + " and " + max);
      }
      return value;
    }, false);
  }

  static Setting decimal(String name, BigDecimal min, boolean minInclusive) {
    return new Setting(name, raw -> {
      BigDecimal value = parseDecimal(raw);
      int cmp = value.compareTo(min);
      if (cmp < 0 || (cmp == 0 && !minInclusive)) {
        throw new IllegalArgumentException("must be " + (minInclusive ? "at least " : "greater than ") + min.toPlainString());
      }
      return value;
    }, false);
  }

  static Setting signedDecimal(String name) {
    return new Setting(name, Setting::parseDecimal, false);
  }

  static Setting bool(String name) {
    return new Setting(name, raw -> switch (raw.toLowerCase(Locale.ROOT)) {
      case "true", "1", "yes", "on" -> Boolean.TRUE;
      case "false", "0", "no", "off" -> Boolean.FALSE;
      default -> throw new IllegalArgumentException("is not a boolean (use true or false)");
    }, false);
  }

  static Setting oneOf(String name, String... allowed) {
    Set<String> options = Set.of(allowed);
    return new Setting(name, raw -> {
      String value = raw.toLowerCase(Locale.ROOT);
      if (!options.contains(value)) {
        throw new IllegalArgumentException("is not one of " + String.join(", ", allowed));
      }
      return value;
    }, false);
  }

  /** An absolute http(s) URL without a trailing slash, or empty for "not configured". */
  static Setting httpUrl(String name) {
    return new Setting(name, raw -> {
      if (raw.isEmpty()) {
        return "";
      }
      try {
        URI uri = new URI(raw);
        boolean http = "http".equalsIgnoreCase(uri.getScheme()) || "https".equalsIgnoreCase(uri.getScheme());
        if (!http || uri.getHost() == null) {
          throw new IllegalArgumentException("is not an absolute http(s) URL");
        }
      } catch (URISyntaxException e) {
        throw new IllegalArgumentException("is not a valid URL");
      }
      return raw.endsWith("/") ? raw.substring(0, raw.length() - 1) : raw;
    }, false);
  }

  /** A comma-separated list of IP networks in CIDR notation; empty = no list. */
  static Setting cidrList(String name) {
    return new Setting(name, raw -> {
      for (String part : raw.split(",")) {
        if (part.isBlank()) {
          continue;
        }
        try {
          Cidr.parse(part);
        } catch (IllegalArgumentException e) {
          throw new IllegalArgumentException("contains '" + part.strip() + "', which is not an IP address or CIDR network");
        }
      }
      return Cidr.parseList(raw);
    }, false);
  }

  static Setting databaseUrl(String name) {
    return new Setting(name, raw -> raw.isEmpty() ? "" : DatabaseUrl.parse(raw), true);
  }

  static Setting zone(String name) {
    return new Setting(name, raw -> {
      try {
        return ZoneId.of(raw);
      } catch (DateTimeException e) {
        throw new IllegalArgumentException("is not a time zone id (e.g. Europe/Moscow)");
      }
    }, false);
  }

  static Setting longList(String name) {
    return new Setting(name, raw -> {
      List<Long> values = new ArrayList<>();
      for (String part : splitList(raw)) {
        try {
          values.add(Long.parseLong(part));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("contains '" + part + "', which is not a whole number");
        }
      }
      return List.copyOf(values);
    }, false);
  }

  /** A comma-separated list of non-negative decimals, e.g. {@code 50,20,10,5}; empty = none. */
  static Setting decimalList(String name) {
    return new Setting(name, raw -> {
      List<BigDecimal> values = new ArrayList<>();
      for (String part : splitList(raw)) {
        BigDecimal value;
        try {
          value = new BigDecimal(part);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("contains '" + part + "', which is not a decimal number");
        }
        if (value.signum() < 0 || value.scale() > 4 || value.precision() - value.scale() > 16) {
          throw new IllegalArgumentException("contains " + part + ", not a token amount of at most 4 decimals");
        }
        values.add(value);
      }
      return List.copyOf(values);
    }, false);
  }

  static Setting intList(String name, int min, int max) {
    return new Setting(name, raw -> {
      List<Integer> values = new ArrayList<>();
      for (String part : splitList(raw)) {
        int value;
        try {
          value = Integer.parseInt(part);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("contains '" + part + "', which is not a whole number");
        }
        if (value < min || value > max) {
          throw new IllegalArgumentException("contains " + value + ", outside " + min + ".." + max);
        }
        values.add(value);
      }
      return List.copyOf(values);
    }, false);
  }

  /** A comma list whose items are each one of {@code allowed}, without repeats; may be empty. */
  static Setting listOf(String name, String... allowed) {
    Set<String> options = Set.of(allowed);
    return new Setting(name, raw -> {
      List<String> values = new ArrayList<>();
      for (String part : splitList(raw.toLowerCase(Locale.ROOT))) {
        if (!options.contains(part)) {
          throw new IllegalArgumentException("contains '" + part + "', not one of " + String.join(", ", allowed));
        }
        if (!values.contains(part)) {
          values.add(part);
        }
      }
      return List.copyOf(values);
    }, false);
  }

  /** A comma list of Telegram command names ({@code start,balance,cv}: 1–32 of a-z, 0-9, '_'), without repeats. */
  static Setting commandList(String name) {
    return new Setting(name, raw -> {
      List<String> values = new ArrayList<>();
      for (String part : splitList(raw.toLowerCase(Locale.ROOT))) {
        String command = part.startsWith("/") ? part.substring(1) : part;
        if (!command.matches("[a-z0-9_]{1,32}")) {
          throw new IllegalArgumentException("contains '" + part + "', not a command name (1 to 32 of a-z, 0-9, _)");
        }
        if (!values.contains(command)) {
          values.add(command);
        }
      }
      return List.copyOf(values);
    }, false);
  }

  private static List<String> splitList(String raw) {
    return Arrays.stream(raw.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  private static BigDecimal parseDecimal(String raw) {
    try {
      return new BigDecimal(raw);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("is not a decimal number");
    }
  }
}

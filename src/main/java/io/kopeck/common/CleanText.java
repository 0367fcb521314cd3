package io.kopeck.common;

/**
 * String hygiene at the edge (SPEC §11). PostgreSQL cannot store U+0000 in text or jsonb (the whole
 * statement fails, and with it every charge batched with it), an unpaired surrogate is not UTF-8 and
 * is silently turned into "?" (so two different ids could collide), and control characters in an id,
 * code or name only ever mean a broken or hostile client. Such strings are refused where they enter.
 */
public final class CleanText {
  private CleanText() {
  }

  /** Ids, codes, names, keys: no control character at all, no unpaired surrogate. Null when clean. */
  public static String problemInName(String value) {
    return problem(value, false);
  }

  /** Free text (descriptions, reasons): tab, newline and carriage return allowed. Null when clean. */
  public static String problemInText(String value) {
    return problem(value, true);
  }

  /** Throws {@link IllegalArgumentException} "{field} contains …" unless {@code value} is a clean name. */
  public static String requireName(String field, String value) {
    String problem = problemInName(value);
    if (problem != null) {
      throw new IllegalArgumentException(field + " " + problem);
    }
    return value;
  }

  private static String problem(String value, boolean freeText) {
    if (value == null) {
      return null;
    }
    for (int i = 0; i < value.length(); i++) {
      char c = value.charAt(i);
      if (c == 0) {
        return "contains U+0000";
      }
      if (c < 0x20 && !(freeText && (c == '\t' || c == '\n' || c == '\r'))) {
        return "contains a control character (U+" + String.format("%04X", (int) c) + ")";
      }
      if (Character.isHighSurrogate(c) && i + 1 < value.length() && Character.isLowSurrogate(value.charAt(i + 1))) {
        i++;
      } else if (Character.isSurrogate(c)) {
        return "contains an unpaired surrogate";
      }
    }
    return null;
  }
}

package io.kopeck.common;

import java.math.BigDecimal;

/**
 * The bounds every decimal a client sends must keep (SPEC §17), checked where it is read and before
 * anything else looks at it. A {@link BigDecimal} is an unscaled integer and a 32-bit scale: "0e-2147483647"
 * is a handful of bytes, but rounding it or printing it plainly builds a number of two billion digits —
 * seconds of CPU and gigabytes of memory on whichever thread first touches it. Nothing Kopeck stores
 * needs more than 4 decimal places or 20 digits, so the bounds below are generous and still cheap.
 */
public final class Decimals {
  public static final int MAX_SCALE = 32;
  public static final int MIN_SCALE = -32;
  public static final int MAX_PRECISION = 40;
  /** Longer text cannot hold a number within the bounds (sign, 40 digits, a point, an exponent). */
  private static final int MAX_TEXT = 64;

  private Decimals() {
  }

  /** What is wrong with {@code value}'s size, or null when it is within the bounds. */
  public static String problem(BigDecimal value) {
    if (value.scale() > MAX_SCALE || value.scale() < MIN_SCALE) {
      return "has an exponent out of range (at most " + MAX_SCALE + " decimal places)";
    }
    if (value.precision() > MAX_PRECISION) {
      return "has more than " + MAX_PRECISION + " digits";
    }
    return null;
  }

  /**
   * {@code value} within the bounds, a zero as plain {@code 0}; throws {@link IllegalArgumentException}
   * "{field} …" otherwise.
   */
  public static BigDecimal bounded(String field, BigDecimal value) {
    String problem = problem(value);
    if (problem != null) {
      throw new IllegalArgumentException(field + " " + problem);
    }
    return value.signum() == 0 ? BigDecimal.ZERO : value;
  }

  /** Decimal text from a client (a form, a provider's answer, a chat) read within the bounds. */
  public static BigDecimal parse(String field, String text) {
    if (text.length() > MAX_TEXT) {
      throw new IllegalArgumentException(field + " has more than " + MAX_PRECISION + " digits");
    }
    BigDecimal value;
    try {
      value = new BigDecimal(text);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(field + " is not a decimal number");
    }
    return bounded(field, value);
  }
}

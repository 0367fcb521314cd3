package io.kopeck.telegram;

import java.math.BigDecimal;
import java.util.Optional;
import java.util.regex.Pattern;

/** Numbers typed by people: "500", "750,50", "1 000.5" — at most {@code decimals} places, never scientific. */
final class UserInput {
  private static final Pattern NUMBER = Pattern.compile("[0-9]{1,12}([.,][0-9]{1,4})?");

  private UserInput() {
  }

  /** The positive amount written, or empty when it is not one or has more than {@code decimals} places. */
  static Optional<BigDecimal> positiveAmount(String text, int decimals) {
    String compact = text.strip().replace(" ", "").replace("\u00a0", "").replace("₽", "");
    if (!NUMBER.matcher(compact).matches()) {
      return Optional.empty();
    }
    BigDecimal amount = new BigDecimal(compact.replace(',', '.'));
    if (amount.signum() <= 0 || amount.stripTrailingZeros().scale() > decimals) {
      return Optional.empty();
    }
    return Optional.of(amount);
  }
}

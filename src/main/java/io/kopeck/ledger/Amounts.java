package io.kopeck.ledger;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * Scales of SPEC §2: tokens have 4 decimals, roubles 2. Rounding is HALF_UP and happens once, where
 * a charge or a price is computed; everything downstream only adds and subtracts exact values.
 */
public final class Amounts {
  public static final int TOKEN_SCALE = 4;

  private Amounts() {
  }

  /** Tokens charged for a Runner cost: {@code cost × multiplier}, rounded HALF_UP to 4 decimals. */
  public static BigDecimal tokensForCost(BigDecimal cost, BigDecimal multiplier) {
    return cost.multiply(multiplier).setScale(TOKEN_SCALE, RoundingMode.HALF_UP);
  }

  /** A token amount at the ledger's scale; refuses values that would need rounding. */
  public static BigDecimal exactTokens(BigDecimal value) {
    return value.setScale(TOKEN_SCALE, RoundingMode.UNNECESSARY);
  }

  /** Plain decimal text at token scale, never scientific notation: "12.3400". */
  public static String tokenText(BigDecimal value) {
    return value.setScale(TOKEN_SCALE, RoundingMode.UNNECESSARY).toPlainString();
  }
}

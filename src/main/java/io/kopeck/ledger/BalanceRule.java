package io.kopeck.ledger;

import java.math.BigDecimal;

/** How far a posting may take a balance down. Credits never fail. */
public enum BalanceRule {
  /** Credits: top-ups, trials, positive adjustments. */
  CREDIT,
  /** Usage that already happened: below zero is fine, below the configured floor is not. */
  DOWN_TO_FLOOR,
  /** Pre-authorised spends, renewals: the balance must cover the whole amount. */
  NEVER_BELOW_ZERO;

  /** Whether {@code balance + delta} is allowed under this rule. */
  public boolean allows(BigDecimal balanceAfter, BigDecimal floor) {
    return switch (this) {
      case CREDIT -> true;
      case DOWN_TO_FLOOR -> balanceAfter.compareTo(floor) >= 0;
      case NEVER_BELOW_ZERO -> balanceAfter.signum() >= 0;
    };
  }
}

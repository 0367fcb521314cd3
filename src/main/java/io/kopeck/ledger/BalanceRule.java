package io.kopeck.ledger;

import java.math.BigDecimal;

/** How far a posting may take a balance down. Credits never fail. */
public enum BalanceRule {
  /** Credits: top-ups, trials, positive adjustments. */
  CREDIT,
  /** Usage that already happened: below zero is fine, below the configured floor is not. */
  DOWN_TO_FLOOR,
  /** Pre-authorised spends, renewals: the balance must cover the whole amount. */
  NEVER_BELOW_ZERO,
  /**
   * The reversal of money a provider has already given back (SPEC §17): it always posts, below the
   * floor if need be — the ledger must say the money is gone. Its row carries
   * {@code metadata.provider_refund = true}, which is what lets `ledger verify` accept a balance under
   * the floor; usage and spends then stay refused until the balance comes back up.
   */
  PROVIDER_REFUND,
  /**
   * A grant's end (SPEC §21): it takes back only tokens given on top of what the balance was, so it always
   * posts; `ledger verify` accepts its row below the floor, where the balance stood before the grant.
   */
  GRANT_EXPIRY;

  /** The metadata a {@link #PROVIDER_REFUND} row carries. */
  public static final String PROVIDER_REFUND_METADATA = "{\"provider_refund\": true}";

  /** Whether {@code balance + delta} is allowed under this rule. */
  public boolean allows(BigDecimal balanceAfter, BigDecimal floor) {
    return switch (this) {
      case CREDIT, PROVIDER_REFUND, GRANT_EXPIRY -> true;
      case DOWN_TO_FLOOR -> balanceAfter.compareTo(floor) >= 0;
      case NEVER_BELOW_ZERO -> balanceAfter.signum() >= 0;
    };
  }
}

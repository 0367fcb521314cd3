package io.kopeck.ledger;

import java.util.Locale;

/** The kinds of ledger rows of SPEC §2. */
public enum TransactionType {
  TOPUP, SPEND, USAGE, SUBSCRIPTION, REFUND, ADJUSTMENT, TRIAL;

  public String sql() {
    return name().toLowerCase(Locale.ROOT);
  }
}

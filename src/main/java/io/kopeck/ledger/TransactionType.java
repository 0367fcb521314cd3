package io.kopeck.ledger;

import java.util.Locale;

/** The kinds of ledger rows of SPEC §2. */
public enum TransactionType {
  TOPUP, SPEND, USAGE, SUBSCRIPTION, REFUND, ADJUSTMENT, TRIAL,
  /** Tokens given with an end (SPEC §21), keyed {@code grant:<id>}. */
  GRANT,
  /** A grant's unspent rest taken back at its end, keyed {@code grant-expiry:<id>}. */
  EXPIRY;

  public String sql() {
    return name().toLowerCase(Locale.ROOT);
  }
}

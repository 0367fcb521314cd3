package io.kopeck.ledger;

import java.math.BigDecimal;

/** A pre-authorised fixed spend (SPEC §6.3): never takes the balance below zero. */
public record SpendCharge(long userId, BigDecimal amount, String idempotencyKey, String description,
                          String metadataJson) implements Charge {

  /** Ledger idempotency key, namespaced so it can never collide with other sources. */
  public String ledgerKey() {
    return "spend:" + idempotencyKey;
  }
}

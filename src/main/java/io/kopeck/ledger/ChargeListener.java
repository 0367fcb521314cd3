package io.kopeck.ledger;

/**
 * Told about each usage charge after its batch committed and its answer went out, on the billing
 * engine's thread: implementations must be quick, thread-safe and must not fail (SPEC §6.2: cost
 * messages never slow down or fail a debit).
 */
@FunctionalInterface
public interface ChargeListener {
  ChargeListener NONE = (charge, result) -> { };

  void committed(UsageCharge charge, PostingResult result);
}

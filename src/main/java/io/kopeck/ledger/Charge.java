package io.kopeck.ledger;

/** A debit the billing engine applies in a group-committed batch. */
public sealed interface Charge permits UsageCharge, SpendCharge {
  long userId();
}

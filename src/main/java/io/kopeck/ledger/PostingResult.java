package io.kopeck.ledger;

import java.math.BigDecimal;

/**
 * What became of a posting or a charge — the one result type of the ledger, whether it came
 * through {@link Ledger#post} or the group-commit engine: applied (now, or earlier under the same
 * key: {@code duplicate}, with the first result's figures) or refused with a {@link LedgerRefusal}.
 * {@code delta} is signed as written to the ledger (a debit is negative).
 */
public record PostingResult(Status status, LedgerRefusal refusal, boolean duplicate, Long transactionId,
                            BigDecimal delta, BigDecimal balanceBefore, BigDecimal balanceAfter) {

  public enum Status { APPLIED, REFUSED }

  static PostingResult refused(LedgerRefusal refusal, BigDecimal balance) {
    return new PostingResult(Status.REFUSED, refusal, false, null, BigDecimal.ZERO, balance, balance);
  }

  /** The database refused what this charge carries (SPEC §11): the same charge would be refused again. */
  static PostingResult refusedContent(Charge charge) {
    return refused(charge instanceof UsageCharge ? LedgerRefusal.INVALID_EVENT : LedgerRefusal.INVALID_REQUEST,
        null);
  }

  /** An earlier ledger row under the same key, answered as it was. */
  static PostingResult duplicateOf(long transactionId, BigDecimal delta, BigDecimal balanceAfter) {
    return new PostingResult(Status.APPLIED, null, true, transactionId, delta, balanceAfter.subtract(delta),
        balanceAfter);
  }

  /** Applied, now or earlier. */
  public boolean applied() {
    return status == Status.APPLIED;
  }

  /** Tokens taken from the balance (a debit's positive size). */
  public BigDecimal debited() {
    return delta.negate();
  }
}

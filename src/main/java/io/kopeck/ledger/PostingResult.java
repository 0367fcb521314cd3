package io.kopeck.ledger;

import java.math.BigDecimal;

/**
 * What became of a {@link Posting}: applied now, applied earlier under the same idempotency key
 * (duplicate, with the first result's figures), or refused with a reason code.
 */
public record PostingResult(Status status, String refusal, Long transactionId, BigDecimal delta,
                            BigDecimal balanceBefore, BigDecimal balanceAfter) {

  public enum Status { APPLIED, DUPLICATE, REFUSED }

  public static final String USER_NOT_FOUND = "user_not_found";
  public static final String BALANCE_FLOOR = "balance_floor";
  public static final String INSUFFICIENT_BALANCE = "insufficient_balance";

  static PostingResult refused(String reason, BigDecimal balance) {
    return new PostingResult(Status.REFUSED, reason, null, BigDecimal.ZERO, balance, balance);
  }

  public boolean applied() {
    return status == Status.APPLIED;
  }
}

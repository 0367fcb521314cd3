package io.kopeck.ledger;

import java.math.BigDecimal;

/**
 * The engine's answer to one {@link Charge}, sent only after its batch committed.
 * {@code duplicate} marks a repeat of an earlier charge: the figures are the first result's.
 */
public record ChargeResult(Status status, String rejection, boolean duplicate, BigDecimal tokens,
                           BigDecimal balanceBefore, BigDecimal balanceAfter, Long transactionId) {

  public enum Status { CHARGED, REJECTED }

  public static final String USER_NOT_FOUND = PostingResult.USER_NOT_FOUND;
  public static final String BALANCE_FLOOR = PostingResult.BALANCE_FLOOR;
  public static final String INSUFFICIENT_BALANCE = PostingResult.INSUFFICIENT_BALANCE;
  public static final String USER_BLOCKED = "user_blocked";
  public static final String SUBSCRIPTION_EXPIRED = "subscription_expired";

  /** The database refused what this charge carries; the same charge would be refused again. */
  public static final String INVALID_EVENT = "invalid_event";
  public static final String INVALID_REQUEST = "invalid_request";

  static ChargeResult refusedContent(Charge charge) {
    return new ChargeResult(Status.REJECTED, charge instanceof UsageCharge ? INVALID_EVENT : INVALID_REQUEST, false,
        BigDecimal.ZERO, null, null, null);
  }

  public boolean charged() {
    return status == Status.CHARGED;
  }
}

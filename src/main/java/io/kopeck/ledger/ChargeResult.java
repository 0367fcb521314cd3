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

  public boolean charged() {
    return status == Status.CHARGED;
  }
}

package io.kopeck.payment;

import io.vertx.core.Future;
import java.math.BigDecimal;

/**
 * A provider that gives money back on Kopeck's word (Telegram Stars, YooKassa). Robokassa and the
 * mock have no such API: their refunds are made in the provider's own cabinet, and Kopeck records
 * only the ledger side.
 */
public interface MoneyBack {
  String provider();

  /**
   * Asks the provider to return {@code amount} of the payment {@code paymentId} to {@code userId}.
   * {@code key} is the same for every retry of the same return, so a provider with idempotency keys
   * makes one refund however often it is asked.
   */
  Future<Step> giveBack(long userId, String paymentId, BigDecimal amount, String currency, String key);

  /** What the provider said: the money is back, the return is under way (with its id), or refused (why). */
  record Step(State state, String refundId, String problem) {
    public enum State { DONE, PENDING, REFUSED }

    public static Step done(String refundId) {
      return new Step(State.DONE, refundId, null);
    }

    public static Step pending(String refundId) {
      return new Step(State.PENDING, refundId, null);
    }

    public static Step refused(String problem) {
      return new Step(State.REFUSED, null, problem);
    }
  }
}

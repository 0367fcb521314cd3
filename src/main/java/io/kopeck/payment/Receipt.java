package io.kopeck.payment;

import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * A payment a provider reports, in the one shape every provider's message is turned into before
 * it touches an invoice: a Robokassa result callback, a Telegram {@code successful_payment}, a
 * YooKassa payment as its API answered.
 *
 * @param provider    the provider's name (an invoice is paid only by the provider it names)
 * @param paymentId   the provider's id of this payment: the exactly-once key of a credit (InvId,
 *                    telegram_payment_charge_id, YooKassa payment id)
 * @param invId       the invoice the payment names; null when it names none that could exist
 * @param amount      what was paid, in {@code currency} (whole Stars for XTR)
 * @param payerId     the user the provider says paid (Shp_user, the Telegram sender, metadata);
 *                    null when the provider did not say
 * @param test        a test payment (Robokassa's IsTest=1)
 * @param returnable  the provider can give the money back on Kopeck's word (Stars): a payment that
 *                    cannot be credited is recorded as due for return instead of refused
 * @param recurring   a Stars subscription's renewal charge (is_recurring and not is_first_recurring)
 * @param firstOfSubscription the first charge of a Stars subscription
 * @param paidUntil   Telegram's subscription_expiration_date for subscription charges, else null
 */
public record Receipt(String provider, String paymentId, Long invId, BigDecimal amount, String currency, Long payerId,
                      boolean test, boolean returnable, boolean recurring, boolean firstOfSubscription,
                      OffsetDateTime paidUntil) {

  /** A one-off payment in roubles of a provider that cannot give money back by itself. */
  public static Receipt once(String provider, String paymentId, Long invId, BigDecimal amount, Long payerId,
                             boolean test) {
    return new Receipt(provider, paymentId, invId, amount, "RUB", payerId, test, false, false, false, null);
  }
}

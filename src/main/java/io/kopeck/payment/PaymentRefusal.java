package io.kopeck.payment;

import io.kopeck.common.Refusal;

/** Why a payment callback or a refund is refused. */
public enum PaymentRefusal implements Refusal {
  UNKNOWN_PROVIDER(Kind.NOT_FOUND),
  BAD_SIGNATURE(Kind.INVALID),
  UNKNOWN_INVOICE(Kind.NOT_FOUND),
  INVOICE_NOT_FOUND(Kind.NOT_FOUND),
  INVOICE_NOT_PAID(Kind.CONFLICT),
  REFUND_BELOW_FLOOR(Kind.CONFLICT),
  /** The provider said no (its reason is in the message): a refund, a subscription change. */
  PROVIDER_REFUSED(Kind.CONFLICT),
  /** The provider could not be asked (unreachable, 5xx): nothing changed, try again. */
  PROVIDER_UNAVAILABLE(Kind.UNAVAILABLE),
  UNKNOWN_PAYMENT(Kind.NOT_FOUND),
  /** A provider's notification out of shape. */
  BAD_NOTIFICATION(Kind.INVALID),
  /** The caller's address is not on the provider's allow-list. */
  FORBIDDEN_SOURCE(Kind.FORBIDDEN),
  INVALID_REASON(Kind.INVALID),
  /** A payment link's request out of shape (SPEC §21). */
  INVALID_LINK_REQUEST(Kind.INVALID),
  /** YooKassa sends receipts by e-mail and the user has none on file. */
  EMAIL_REQUIRED(Kind.UNPROCESSABLE);

  private final Kind kind;

  PaymentRefusal(Kind kind) {
    this.kind = kind;
  }

  @Override
  public Kind kind() {
    return kind;
  }
}

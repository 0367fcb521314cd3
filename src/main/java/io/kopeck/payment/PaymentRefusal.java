package io.kopeck.payment;

import io.kopeck.common.Refusal;

/** Why a payment callback or a refund is refused. */
enum PaymentRefusal implements Refusal {
  UNKNOWN_PROVIDER(Kind.NOT_FOUND),
  BAD_SIGNATURE(Kind.INVALID),
  UNKNOWN_INVOICE(Kind.NOT_FOUND),
  INVOICE_NOT_FOUND(Kind.NOT_FOUND),
  INVOICE_NOT_PAID(Kind.CONFLICT),
  REFUND_BELOW_FLOOR(Kind.CONFLICT),
  INVALID_REASON(Kind.INVALID);

  private final Kind kind;

  PaymentRefusal(Kind kind) {
    this.kind = kind;
  }

  @Override
  public Kind kind() {
    return kind;
  }
}

package io.kopeck.catalog;

import io.kopeck.common.Refusal;

/** Why the catalog says no: tariffs, invoices, promo codes and trials. */
public enum CatalogRefusal implements Refusal {
  USER_NOT_FOUND(Kind.NOT_FOUND),
  TARIFF_NOT_FOUND(Kind.NOT_FOUND),
  TARIFF_EXISTS(Kind.CONFLICT),
  TARIFF_NOT_FOR_SALE(Kind.INVALID),
  INVALID_TARIFF(Kind.INVALID),
  AMOUNT_BELOW_MINIMUM(Kind.INVALID),
  AMOUNT_ABOVE_MAXIMUM(Kind.INVALID),
  INVOICE_NOT_PENDING(Kind.CONFLICT),
  /** The tariff has no price in Stars. */
  NOT_SOLD_FOR_STARS(Kind.INVALID),
  DISCOUNT_NOT_FOR_STARS(Kind.INVALID),
  PAYMENT_METHOD_NOT_ENABLED(Kind.INVALID),
  PROMO_CODE_EXISTS(Kind.CONFLICT),
  /** An admin looking up a code that does not exist (a buyer hears {@link PromoProblem#NOT_FOUND}). */
  PROMO_NOT_FOUND(Kind.NOT_FOUND),
  INVALID_PROMO_CODE(Kind.INVALID),
  NOT_A_TRIAL_CODE(Kind.INVALID);

  private final Kind kind;

  CatalogRefusal(Kind kind) {
    this.kind = kind;
  }

  @Override
  public Kind kind() {
    return kind;
  }
}

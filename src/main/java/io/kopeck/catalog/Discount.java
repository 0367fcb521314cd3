package io.kopeck.catalog;

import java.math.BigDecimal;
import java.math.RoundingMode;

/**
 * What a promo code does to a purchase (SPEC §4). Rounding happens here, once: a percent discount
 * is rounded HALF_UP to kopecks, or to whole Stars for a Stars price. A payable amount never goes
 * below 1.00 RUB or 1 Star. A fixed discount is in roubles and has no Stars equivalent.
 */
record Discount(BigDecimal amount, BigDecimal originalAmount, BigDecimal tokens, BigDecimal bonusTokens) {
  static final BigDecimal MIN_AMOUNT = new BigDecimal("1.00");
  private static final BigDecimal HUNDRED = new BigDecimal("100");

  /** The purchase without a code. */
  public static Discount none(BigDecimal price, BigDecimal tokens) {
    BigDecimal amount = price.setScale(2, RoundingMode.UNNECESSARY);
    return new Discount(amount, amount, tokens.setScale(4, RoundingMode.UNNECESSARY), BigDecimal.ZERO.setScale(4));
  }

  /** The purchase with {@code promo} applied; trial codes have no purchase to discount. */
  public static Discount apply(PromoCode promo, BigDecimal price, BigDecimal tokens) {
    return apply(promo, price, tokens, 2);
  }

  /** The same for a price in whole Stars (currency XTR). */
  public static Discount applyInStars(PromoCode promo, BigDecimal stars, BigDecimal tokens) {
    if (promo.discountType().equals("fixed")) {
      throw CatalogRefusal.DISCOUNT_NOT_FOR_STARS.because("A fixed discount is in roubles; it does not apply to Stars");
    }
    return apply(promo, stars, tokens, 0);
  }

  private static Discount apply(PromoCode promo, BigDecimal price, BigDecimal tokens, int scale) {
    Discount plain = none(price, tokens);
    BigDecimal value = promo.discountValue();
    return switch (promo.discountType()) {
      case "percent" -> plain.withAmount(plain.amount.multiply(HUNDRED.subtract(value))
          .divide(HUNDRED, scale, RoundingMode.HALF_UP).setScale(2, RoundingMode.UNNECESSARY));
      case "fixed" -> plain.withAmount(plain.amount.subtract(value).setScale(2, RoundingMode.HALF_UP));
      case "bonus_tokens" -> new Discount(plain.amount, plain.originalAmount,
          plain.tokens.add(value).setScale(4, RoundingMode.UNNECESSARY), value.setScale(4, RoundingMode.UNNECESSARY));
      default -> throw new IllegalArgumentException("a " + promo.discountType() + " code does not discount a purchase");
    };
  }

  private Discount withAmount(BigDecimal discounted) {
    return new Discount(discounted.max(MIN_AMOUNT), originalAmount, tokens, bonusTokens);
  }
}

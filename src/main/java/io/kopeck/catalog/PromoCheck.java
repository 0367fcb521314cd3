package io.kopeck.catalog;

/** Either a usable promo code, or the first problem found with it. */
public record PromoCheck(PromoCode promo, PromoProblem problem) {

  static PromoCheck ok(PromoCode promo) {
    return new PromoCheck(promo, null);
  }

  static PromoCheck refused(PromoCode promo, PromoProblem problem) {
    return new PromoCheck(promo, problem);
  }

  public boolean usable() {
    return problem == null;
  }
}

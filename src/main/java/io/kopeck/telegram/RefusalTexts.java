package io.kopeck.telegram;

import io.kopeck.catalog.CatalogRefusal;
import io.kopeck.catalog.PromoProblem;
import io.kopeck.common.Refusal;
import io.kopeck.common.Refused;
import io.kopeck.i18n.Texts;
import io.kopeck.payment.PaymentRefusal;
import io.kopeck.subscription.SubscriptionRefusal;
import io.kopeck.user.UserRefusal;
import java.util.Map;
import java.util.Optional;

/**
 * The bot's one map from a feature's refusal to what the user reads (docs/architecture.md: features
 * refuse in their own words, the HTTP edge and the bot each translate in one place). A refusal not
 * here is not the user's to read: the screen fails and the user gets the generic apology.
 */
final class RefusalTexts {
  private static final Map<Refusal, String> KEYS = Map.of(
      CatalogRefusal.NOT_SOLD_FOR_STARS, "stars.not_sold",
      CatalogRefusal.DISCOUNT_NOT_FOR_STARS, "stars.fixed_discount",
      // The bot checks rouble amounts itself before asking; only a Stars top-up meets these refusals.
      CatalogRefusal.AMOUNT_BELOW_MINIMUM, "stars.out_of_range",
      CatalogRefusal.AMOUNT_ABOVE_MAXIMUM, "stars.out_of_range",
      SubscriptionRefusal.NO_RENEWAL_TARIFF, "subscription.no_tariff",
      UserRefusal.USER_NOT_FOUND, "admin.user_not_found");
  /** Every refusal of a payment provider (YooKassa unreachable, refusing): the payer hears the same. */
  private static final String PAYMENT_UNAVAILABLE = "payment.unavailable";

  private RefusalTexts() {
  }

  /**
   * What the user reads for {@code failure}, its text's arguments being {@code args} (for a promo code:
   * the code as HTML, then a date); empty when the failure is not a refusal the bot explains.
   */
  static Optional<String> of(Texts texts, Throwable failure, Object... args) {
    if (!(failure instanceof Refused refused)) {
      return Optional.empty();
    }
    Refusal refusal = refused.refusal();
    if (refusal instanceof PromoProblem problem) {
      return Optional.of(problem.message(texts, args));
    }
    if (refusal instanceof PaymentRefusal) {
      return Optional.of(texts.get(PAYMENT_UNAVAILABLE));
    }
    return Optional.ofNullable(KEYS.get(refusal)).map(key -> texts.get(key, args));
  }
}

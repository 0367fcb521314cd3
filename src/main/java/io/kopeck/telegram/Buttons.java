package io.kopeck.telegram;

import io.vertx.core.Future;

/**
 * Routes a button press. A handler answers false when its button is stale (an invoice no longer
 * open, a page that no longer exists); the press is then answered with a short notice and nothing
 * changes. Every press is answered exactly once.
 */
final class Buttons {
  private final AccountScreens account;
  private final PurchaseScreens purchase;
  private final PaymentScreens payment;
  private final PromoScreens promo;
  private final SubscriptionScreens subscription;
  private final SettingsScreens settings;
  private final TrackScreens tracks;

  Buttons(AccountScreens account, PurchaseScreens purchase, PaymentScreens payment, PromoScreens promo,
          SubscriptionScreens subscription, SettingsScreens settings, TrackScreens tracks) {
    this.tracks = tracks;
    this.account = account;
    this.purchase = purchase;
    this.payment = payment;
    this.promo = promo;
    this.subscription = subscription;
    this.settings = settings;
  }

  /** True when the press was handled, false when the button is stale. */
  Future<Boolean> onPress(Chat chat, CallbackData data) {
    return switch (data.action()) {
      case BALANCE -> done(account.balance(chat));
      case TOP_UP -> done(purchase.tariffs(chat));
      case CUSTOM_AMOUNT -> done(purchase.askAmount(chat));
      case PROMO -> done(promo.ask(chat));
      case HISTORY -> account.history(chat, Integer.parseInt(data.arg()));
      case TARIFF -> purchase.tariff(chat, data.arg());
      case INVOICE_PROMO -> purchase.askPromoForInvoice(chat, data.longArg());
      case INVOICE_CANCEL -> purchase.cancelInvoice(chat, data.longArg());
      case PAY -> payment.pay(chat, data.arg());
      case STARS_TOPUP -> done(payment.askStars(chat));
      case QUICK_TOPUP -> done(purchase.quickTopUp(chat));
      case SUBSCRIPTION -> done(subscription.show(chat));
      case RENEW -> done(subscription.renew(chat));
      case AUTO_RENEW -> done(subscription.autoRenew(chat, data.arg().equals("1")));
      case COST_FORMAT -> done(settings.costFormat(chat, data.arg()));
      case LANGUAGE -> done(settings.language(chat, data.arg()));
      case CLEAR_LIMIT -> done(settings.clearLimit(chat));
      case TRACK -> tracks.openBySlug(chat, data.arg());
      case RATE -> tracks.rate(chat, data.arg());
    };
  }

  private static Future<Boolean> done(Future<?> handled) {
    return handled.map(true);
  }
}

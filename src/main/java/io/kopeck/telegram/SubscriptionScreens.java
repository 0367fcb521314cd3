package io.kopeck.telegram;

import static io.kopeck.telegram.Screen.button;

import io.kopeck.common.Refused;
import io.kopeck.i18n.Texts;
import io.kopeck.payment.StarsPayments;
import io.kopeck.subscription.SubscriptionRefusal;
import io.kopeck.subscription.Subscriptions;
import io.kopeck.telegram.CallbackData.Action;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Map;
import java.util.Optional;

/** /subscription (SPEC §7): status, end, days left, auto-renew and its fee; Renew now, the toggle, Refresh. */
final class SubscriptionScreens {
  private static final String STATE = """
      SELECT u.subscription_end, u.auto_renew, u.token_balance, t.subscription_fee, t.period_unit, t.period_value
      FROM users u LEFT JOIN tariffs t ON t.id = u.tariff_id WHERE u.id = #{user_id}""";

  private static final int RENEW_WINDOW_DAYS = 7;

  private final SqlTemplate<Map<String, Object>, RowSet<Row>> state;
  private final Subscriptions subscriptions;
  private final Optional<StarsPayments> stars;
  private final ZoneId zone;

  SubscriptionScreens(Pool pool, Subscriptions subscriptions, Optional<StarsPayments> stars, ZoneId zone) {
    this.state = SqlTemplate.forQuery(pool, STATE);
    this.subscriptions = subscriptions;
    this.stars = stars;
    this.zone = zone;
  }

  Future<Void> show(Chat chat) {
    return show(chat, null);
  }

  /** The screen, with a line about what just happened above it (after Renew now or the toggle). */
  private Future<Void> show(Chat chat, String outcome) {
    Texts texts = chat.texts();
    return state.execute(Map.of("user_id", chat.userId())).compose(rows -> {
      Row row = rows.iterator().next();
      OffsetDateTime end = row.getOffsetDateTime("subscription_end");
      String prefix = outcome == null ? "" : outcome + "\n\n";
      if (end == null || row.getString("period_unit") == null) {
        return chat.show(Screen.text(prefix + texts.get("subscription.none")));
      }
      boolean auto = row.getBoolean("auto_renew");
      boolean active = end.isAfter(chat.now());
      String date = texts.dateTime(end, zone);
      long daysLeft = active ? Math.max(0, Duration.between(chat.now(), end).toDays()) : 0;
      String text = prefix + texts.get("subscription.screen",
          texts.get(active ? "subscription.status_active" : "subscription.status_ended", date), Long.toString(daysLeft),
          texts.get(auto ? "subscription.on" : "subscription.off"), texts.tokens(row.getBigDecimal("subscription_fee")),
          PurchaseScreens.period(texts, row.getString("period_unit"), row.getInteger("period_value")),
          texts.tokens(row.getBigDecimal("token_balance")));
      // Renew now only when it is due: within a week of the end, or after it (the seed system's rule).
      boolean due = !active || daysLeft <= RENEW_WINDOW_DAYS;
      return chat.show(Screen.builder(text)
          .row(due ? button(texts.get("btn.renew"), CallbackData.of(Action.RENEW)) : null)
          .row(button(texts.get(auto ? "btn.auto_off" : "btn.auto_on"), CallbackData.of(Action.AUTO_RENEW, auto ? 0 : 1)))
          .row(button(texts.get("btn.refresh"), CallbackData.of(Action.SUBSCRIPTION)))
          .build());
    });
  }

  /** Renew now: one period from the balance; a double tap renews once (the ledger key is the current end). */
  Future<Void> renew(Chat chat) {
    Texts texts = chat.texts();
    return subscriptions.renewNow(chat.userId())
        .compose(renewal -> show(chat, texts.get("subscription.renewed_now", texts.dateTime(renewal.subscriptionEnd(), zone),
            renewal.balanceAfter() == null ? "—" : texts.tokens(renewal.balanceAfter()))))
        .recover(e -> Refused.is(e, SubscriptionRefusal.INSUFFICIENT_BALANCE) ? insufficient(chat)
            : RefusalTexts.of(texts, e).map(chat::send).orElseGet(() -> Future.failedFuture(e)));
  }

  private Future<Void> insufficient(Chat chat) {
    Texts texts = chat.texts();
    return state.execute(Map.of("user_id", chat.userId())).compose(rows -> {
      Row row = rows.iterator().next();
      return chat.send(texts.get("subscription.no_funds", texts.tokens(row.getBigDecimal("subscription_fee")),
          texts.tokens(row.getBigDecimal("token_balance"))));
    });
  }

  /**
   * The auto-renew toggle. For a subscription Telegram renews in Stars, Telegram is told first
   * (editUserStarSubscription): if it refuses, nothing changes here either.
   */
  Future<Void> autoRenew(Chat chat, boolean on) {
    Texts texts = chat.texts();
    Future<Boolean> inTelegram = stars.map(s -> s.setAutoRenew(chat.userId(), on))
        .orElse(Future.succeededFuture(false));
    return inTelegram.compose(starsSubscription -> subscriptions.setAutoRenew(chat.userId(), on).compose(state -> show(chat,
        texts.get("subscription.auto_changed", texts.get(state ? "subscription.on" : "subscription.off"))
            + (starsSubscription ? "\n" + texts.get(on ? "stars.subscription_resumed" : "stars.subscription_canceled")
            : ""))));
  }
}

package io.kopeck.telegram;

import io.kopeck.botapi.Html;
import io.kopeck.catalog.CatalogRefusal;
import io.kopeck.catalog.PromoCode;
import io.kopeck.catalog.PromoCodes;
import io.kopeck.common.Refused;
import io.kopeck.subscription.Trials;
import io.kopeck.telegram.BotSessions.Conversation;
import io.kopeck.user.Users;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;

/**
 * /promo (SPEC §4, §8): a trial code activates the trial at once (its confirmation comes through the
 * outbox, written in the trial's own transaction); a discount code is checked and kept for the
 * user's next purchase.
 */
final class PromoScreens {
  private final Pool pool;
  private final Users users;
  private final Trials trials;
  private final PromoCodes promoCodes;
  private final BotSessions sessions;

  PromoScreens(Pool pool, Trials trials, PromoCodes promoCodes, Users users, BotSessions sessions) {
    this.pool = pool;
    this.users = users;
    this.trials = trials;
    this.promoCodes = promoCodes;
    this.sessions = sessions;
  }

  Future<Void> ask(Chat chat) {
    return sessions.start(chat.userId(), Conversation.PROMO_CODE, new JsonObject(), chat.now())
        .compose(v -> chat.send(chat.t("promo.ask")));
  }

  /** The code typed after /promo. A refused code keeps the conversation open for another try. */
  Future<Void> code(Chat chat, String typed) {
    String code = PromoCode.normalize(typed);
    return trials.activate(chat.userId(), code)
        .compose(grant -> sessions.clear(chat.userId()).<Void>mapEmpty())
        .recover(e -> Refused.is(e, CatalogRefusal.NOT_A_TRIAL_CODE) ? saveDiscount(chat, code)
            : RefusalTexts.of(chat.texts(), e, Html.code(code), "").map(chat::send)
                .orElseGet(() -> Future.failedFuture(e)));
  }

  /** What the code gives, in the owner's words (SPEC §20), under the confirmation; nothing when it has none. */
  private static String described(Chat chat, String description) {
    return description == null ? "" : "\n" + Html.escape(description);
  }

  private Future<Void> saveDiscount(Chat chat, String code) {
    return promoCodes.find(code)
        .compose(promo -> promoCodes.check(pool, code, chat.userId(), promo.tariffId()))
        .compose(check -> check.usable()
            ? users.savePromoCode(chat.userId(), check.promo().code())
                .compose(v -> sessions.clear(chat.userId()))
                .compose(v -> chat.send(chat.t("promo.saved", Html.escape(check.promo().code()))
                    + described(chat, check.promo().description(chat.texts().language()))))
            : chat.send(check.problem().message(chat.texts(), Html.code(code), "")));
  }
}

package io.kopeck.telegram;

import io.kopeck.i18n.Texts;
import io.kopeck.telegram.BotSessions.Session;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Routes a private text message: a command (which always ends a conversation in progress), a
 * main-menu button (its label in either language), or the answer a conversation waits for.
 */
final class Commands {
  /** Commands shown in Telegram's menu, in this order (setMyCommands). */
  static final List<String> MENU = List.of("start", "balance", "tariffs", "subscription", "history", "costs", "promo",
      "limit", "settings", "profile", "help", "cancel");

  private final Map<String, Function<Chat, Future<Void>>> commands = new HashMap<>();
  private final Map<String, String> menuLabels = new HashMap<>();
  private final BotSessions sessions;
  private final PurchaseScreens purchase;
  private final PaymentScreens payment;
  private final PromoScreens promo;
  private final SettingsScreens settings;
  private final AdminScreens admin;

  Commands(BotSessions sessions, AccountScreens account, PurchaseScreens purchase, PaymentScreens payment,
           PromoScreens promo, SubscriptionScreens subscription, CostsScreen costs, SettingsScreens settings,
           AdminScreens admin) {
    this.sessions = sessions;
    this.admin = admin;
    this.purchase = purchase;
    this.payment = payment;
    this.promo = promo;
    this.settings = settings;
    commands.put("start", account::start);
    commands.put("profile", account::profile);
    commands.put("me", account::profile);
    commands.put("balance", account::balance);
    commands.put("history", chat -> account.history(chat, 1).mapEmpty());
    commands.put("help", account::help);
    commands.put("tariffs", purchase::tariffs);
    commands.put("subscription", subscription::show);
    commands.put("sub", subscription::show);
    commands.put("promo", promo::ask);
    commands.put("costs", costs::show);
    commands.put("limit", settings::limit);
    commands.put("settings", settings::settings);
    for (String language : List.of("ru", "en")) {
      Texts texts = Texts.forLanguage(language);
      for (String item : List.of("balance", "tariffs", "subscription", "history", "costs", "help")) {
        menuLabels.put(texts.get("menu." + item), item);
      }
    }
  }

  Future<Void> onText(Chat chat, String text) {
    String trimmed = text.strip();
    String command = trimmed.startsWith("/") ? commandName(trimmed) : menuLabels.get(trimmed);
    if (command != null && command.startsWith("admin_") && admin.isAdmin(chat)) {
      return runAdmin(chat, command, argument(trimmed));
    }
    if (command != null) {
      return sessions.clear(chat.userId()).compose(hadSession -> run(chat, command, hadSession));
    }
    return sessions.find(chat.userId(), chat.now()).compose(session -> session == null
        ? chat.send(chat.t("unknown"))
        : continueConversation(chat, session, trimmed));
  }

  private Future<Void> run(Chat chat, String command, boolean hadSession) {
    if (command.equals("cancel")) {
      return chat.send(chat.t(hadSession ? "cancelled" : "nothing_to_cancel"));
    }
    Function<Chat, Future<Void>> handler = commands.get(command);
    return handler == null ? chat.send(chat.t("unknown")) : handler.apply(chat);
  }

  private Future<Void> runAdmin(Chat chat, String command, String argument) {
    return switch (command) {
      case "admin_stats" -> admin.stats(chat);
      case "admin_user" -> admin.user(chat, argument);
      default -> chat.send(chat.t("unknown"));
    };
  }

  /** "/admin_user 42" → "42"; null without one. */
  private static String argument(String text) {
    String[] words = text.split("\\s+", 3);
    return words.length > 1 ? words[1] : null;
  }

  private Future<Void> continueConversation(Chat chat, Session session, String text) {
    return switch (session.conversation()) {
      case PROMO_CODE -> session.data().containsKey("inv_id")
          ? purchase.promoForInvoice(chat, session.data(), text)
          : promo.code(chat, text);
      case AMOUNT -> purchase.amount(chat, text);
      case STARS_AMOUNT -> payment.starsAmount(chat, text);
      case EMAIL -> payment.email(chat, session.data(), text);
      case LIMIT -> settings.setLimit(chat, text)
          .compose(accepted -> accepted ? sessions.clear(chat.userId()).mapEmpty() : Future.succeededFuture());
    };
  }

  /** "/start@kopeck_bot payload" → "start". */
  private static String commandName(String text) {
    String word = text.substring(1).split("[\\s@]", 2)[0];
    return word.toLowerCase(Locale.ROOT);
  }
}

package io.kopeck.telegram;

import com.pengrad.telegrambot.model.Document;
import io.kopeck.i18n.Texts;
import io.kopeck.telegram.BotSessions.Conversation;
import io.kopeck.telegram.BotSessions.Session;
import io.vertx.core.Future;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;

/**
 * Routes a private text message: a command (which always ends a conversation in progress), a
 * main-menu button (its label in either language), or the answer a conversation waits for.
 */
public final class Commands {
  /** Commands shown in Telegram's menu, in this order (setMyCommands); the tracks' come after "start". */
  static final List<String> MENU = List.of("start", "balance", "tariffs", "subscription", "history", "costs", "promo",
      "limit", "settings", "profile", "help", "cancel");

  /** Every command the bot answers itself: no track may take one (SPEC §18). */
  public static final Set<String> BUILT_IN;

  static {
    Set<String> names = new java.util.TreeSet<>(MENU);
    names.addAll(List.of("me", "sub", "healthcheck"));
    BUILT_IN = Set.copyOf(names);
  }

  private final Map<String, Function<Chat, Future<Void>>> commands = new HashMap<>();
  private final Map<String, String> menuLabels = new HashMap<>();
  private final BotSessions sessions;
  private final PurchaseScreens purchase;
  private final PaymentScreens payment;
  private final PromoScreens promo;
  private final SettingsScreens settings;
  private final AdminScreens admin;
  private final TrackScreens tracks;

  Commands(BotSessions sessions, AccountScreens account, PurchaseScreens purchase, PaymentScreens payment,
           PromoScreens promo, SubscriptionScreens subscription, CostsScreen costs, SettingsScreens settings,
           AdminScreens admin, TrackScreens tracks) {
    this.sessions = sessions;
    this.admin = admin;
    this.tracks = tracks;
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
    for (String language : Texts.languages()) {
      Texts texts = Texts.forLanguage(language);
      for (String item : List.of("balance", "tariffs", "subscription", "history", "costs", "help")) {
        menuLabels.put(texts.get("menu." + item), item);
      }
    }
  }

  Future<Void> onText(Chat chat, String text) {
    String trimmed = text.strip();
    String command = trimmed.startsWith("/") ? commandName(trimmed) : menuLabels.get(trimmed);
    if (command != null && (command.startsWith("admin_") || command.equals("healthcheck")) && admin.isAdmin(chat)) {
      return runAdmin(chat, command, argument(trimmed));
    }
    if (command != null) {
      return sessions.clear(chat.userId()).compose(hadSession -> run(chat, command, hadSession));
    }
    return sessions.find(chat.userId(), chat.now()).compose(session -> session == null
        ? chat.send(chat.t("unknown"))
        : continueConversation(chat, session, trimmed));
  }

  /** A document: the input a file track waits for, or not understood. */
  Future<Void> onDocument(Chat chat, Document document) {
    return sessions.find(chat.userId(), chat.now()).compose(session -> session != null
        && session.conversation() == Conversation.TRACK_INPUT
        ? tracks.document(chat, session.data(), document) : chat.send(chat.t("unknown")));
  }

  private Future<Void> run(Chat chat, String command, boolean hadSession) {
    if (command.equals("cancel")) {
      return tracks.cancel(chat, hadSession);
    }
    Function<Chat, Future<Void>> handler = commands.get(command);
    if (handler != null) {
      return handler.apply(chat);
    }
    // Not one of the bot's own: a track's command (SPEC §18), or nothing.
    return tracks.byCommand(command).compose(track -> track == null ? chat.send(chat.t("unknown"))
        : tracks.open(chat, track));
  }

  private Future<Void> runAdmin(Chat chat, String command, String argument) {
    return switch (command) {
      case "admin_stats" -> admin.stats(chat);
      case "admin_user" -> admin.user(chat, argument);
      case "healthcheck" -> tracks.healthcheck(chat);
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
      case TRACK_INPUT -> tracks.text(chat, session.data(), text);
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

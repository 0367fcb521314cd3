package io.kopeck.telegram;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.pengrad.telegrambot.model.CallbackQuery;
import com.pengrad.telegrambot.model.Chat.Type;
import com.pengrad.telegrambot.model.ChatMember;
import com.pengrad.telegrambot.model.ChatMemberUpdated;
import com.pengrad.telegrambot.model.Message;
import com.pengrad.telegrambot.model.Update;
import com.pengrad.telegrambot.model.User;
import com.pengrad.telegrambot.model.message.MaybeInaccessibleMessage;
import com.pengrad.telegrambot.utility.BotUtils;
import io.kopeck.botapi.BotApi;
import io.kopeck.common.Times;
import io.kopeck.i18n.Texts;
import io.kopeck.payment.PaymentUpdates;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles the updates the webhook took (SPEC §8), one at a time per update, off the HTTP path:
 * private text messages (commands, menu buttons, conversation answers), button presses, and the
 * user blocking or unblocking the bot. Everything else (edited messages, groups, channels, media)
 * is ignored. A failure is logged with the update id and the user gets a short apology; the
 * webhook already answered 200, so Telegram never retries.
 */
public final class TelegramVerticle extends VerticleBase {
  public static final String ADDRESS = "telegram.update";
  private static final Logger log = LoggerFactory.getLogger(TelegramVerticle.class);

  private final Pool pool;
  private final BotSettings config;
  private final Clock clock;
  private final BotServices services;
  private final BotApi api;
  private static final long COMMANDS_EVERY_MS = 60_000;
  private Commands commands;
  private Buttons buttons;
  private long commandsTimer = -1;

  private final MeterRegistry registry;

  public TelegramVerticle(Pool pool, BotSettings config, Clock clock, BotServices services, BotApi api,
                          MeterRegistry registry) {
    this.api = api;
    this.registry = registry;
    this.pool = pool;
    this.config = config;
    this.clock = clock;
    this.services = services;
  }

  @Override
  public Future<?> start() {
    BotSessions sessions = new BotSessions(pool);
    AccountScreens account = new AccountScreens(pool, config.displayTimezone(), config.supportUsername(),
        config.legalOfferUrl(), config.legalPrivacyUrl(), config.minTopupRub(), services.tracks());
    PurchaseScreens purchase = new PurchaseScreens(pool, services.tariffs(), services.invoices(), services.users(),
        sessions,
        config.minTopupRub(), config.maxTopupRub(), config.displayTimezone(), account::legal);
    PromoScreens promo = new PromoScreens(pool, services.trials(), services.promoCodes(), services.users(), sessions);
    PaymentScreens payment = new PaymentScreens(pool, purchase, services.invoices(), services.payment(),
        services.users(), sessions);
    SubscriptionScreens subscription = new SubscriptionScreens(pool, services.subscriptions(),
        services.payment().stars(), config.displayTimezone());
    SettingsScreens settings = new SettingsScreens(pool, services.users(), sessions, config.displayTimezone());
    AdminScreens admin = new AdminScreens(config.adminChatIds(), services.stats(), services.accounts(), clock,
        config.displayTimezone());
    TrackScreens tracks = new TrackScreens(services.tracks(), services.trackRuns(), sessions, api);
    commands = new Commands(sessions, account, purchase, payment, promo, subscription, new CostsScreen(pool), settings,
        admin, tracks);
    buttons = new Buttons(account, purchase, payment, promo, subscription, settings, tracks);
    // The console's Bot API is this process's own HTTP server, which listens only after the verticles deploy.
    BotSetup setup = new BotSetup(api, config, services.tracks());
    vertx.setTimer(config.devConsole() ? 2_000 : 1, id -> setup.run());
    // A track an admin added or changed shows in Telegram's menu: at once when changed through this
    // instance, within a minute when through another (SPEC §18).
    Context context = vertx.getOrCreateContext();
    services.tracks().onChange(() -> context.runOnContext(v -> setup.refreshCommands()));
    commandsTimer = vertx.setPeriodic(COMMANDS_EVERY_MS, id -> setup.refreshCommands());
    return vertx.eventBus().<String>localConsumer(ADDRESS, message -> {
      // The webhook let only well-formed updates through.
      Update update = BotUtils.parseUpdate(message.body());
      long updateId = update.updateId();
      (PaymentUpdates.carriesPayment(update) ? paymentUpdate(update, message.body()) : handle(update))
          .onSuccess(v -> registry.counter("kopeck_telegram_handled", "outcome", "ok").increment())
          .onFailure(e -> {
            registry.counter("kopeck_telegram_handled", "outcome", "failed").increment();
            if (e instanceof ReplyNotDelivered) {
              log.error("Telegram update {}: the reply was not delivered: {}", kv("update_id", updateId), e.getMessage());
            } else {
              log.error("Telegram update {} failed", kv("update_id", updateId), e);
            }
          });
    }).completion();
  }

  @Override
  public Future<?> stop() {
    vertx.cancelTimer(commandsTimer);
    return Future.succeededFuture();
  }

  private Future<?> handle(Update update) {
    if (update.myChatMember() != null) {
      return memberChanged(update.myChatMember());
    }
    if (update.callbackQuery() != null) {
      return pressed(update.callbackQuery());
    }
    Message message = update.message();
    if (message == null || message.chat() == null || message.chat().type() != Type.Private
        || message.from() == null || message.text() == null && message.document() == null) {
      return Future.succeededFuture(); // not for this bot: edited messages, groups, channels, other media
    }
    return touch(message.from())
        .compose(user -> apologizeOnFailure(new Chat(api, user, null, Times.utcNow(clock)),
            chat -> message.text() != null ? commands.onText(chat, message.text())
                : commands.onDocument(chat, message.document())));
  }

  /**
   * A Stars payment Telegram took ({@code successful_payment}) or gave back ({@code refunded_payment}):
   * remembered by the intake before Telegram heard 200, handled now, and tried again by the timer
   * until it is recorded or refused (SPEC §17); the user hears of it through the outbox.
   */
  private Future<?> paymentUpdate(Update update, String body) {
    User from = update.message().from();
    return touch(from)
        .compose(user -> services.payment().updates().handleNow(user.id(), update.updateId(), body));
  }

  /** A button press: stale or forged data changes nothing and hears a short notice; every press is answered. */
  private Future<?> pressed(CallbackQuery query) {
    User from = query.from();
    MaybeInaccessibleMessage origin = query.maybeInaccessibleMessage();
    if (origin == null || origin.chat() == null
        || origin.chat().type() != Type.Private) {
      return Chat.answer(api, query.id(), null);
    }
    return touch(from).compose(user -> {
      Chat chat = new Chat(api, user, origin.messageId(), Times.utcNow(clock));
      Texts texts = user.texts();
      CallbackData data = CallbackData.parse(query.data()).orElse(null);
      if (data == null) {
        return Chat.answer(api, query.id(), texts.get("callback.stale"));
      }
      return buttons.onPress(chat, data)
          .compose(handled -> Chat.answer(api, query.id(), handled ? null : texts.get("callback.stale")))
          .recover(e -> Chat.answer(api, query.id(), texts.get("error.generic")).compose(v -> Future.failedFuture(e)));
    });
  }

  /** The sender of an update, registered or refreshed. */
  private Future<BotUser> touch(User from) {
    return services.users().touch(from.id(), from.username(), from.firstName(), from.lastName(), from.languageCode(),
        Times.utcNow(clock)).map(BotUser::of);
  }

  private static Future<?> apologizeOnFailure(Chat chat, Function<Chat, Future<?>> handler) {
    // When Telegram is not taking our replies, an apology would not arrive either.
    return handler.apply(chat).recover(e -> e instanceof ReplyNotDelivered ? Future.failedFuture(e)
        : chat.send(chat.t("error.generic")).transform(v -> Future.failedFuture(e)));
  }

  /** kicked: the user blocked the bot, stop sending; member: they are back. */
  private Future<?> memberChanged(ChatMemberUpdated change) {
    ChatMember.Status status = change.newChatMember() == null ? null : change.newChatMember().status();
    if (status != ChatMember.Status.kicked && status != ChatMember.Status.member) {
      return Future.succeededFuture();
    }
    return services.users().setBotBlocked(change.chat().id(), status == ChatMember.Status.kicked);
  }
}

package io.kopeck.telegram;

import com.pengrad.telegrambot.model.BotCommand;
import com.pengrad.telegrambot.request.BaseRequest;
import com.pengrad.telegrambot.request.SetMyCommands;
import com.pengrad.telegrambot.request.SetMyDescription;
import com.pengrad.telegrambot.request.SetMyShortDescription;
import com.pengrad.telegrambot.request.SetWebhook;
import com.pengrad.telegrambot.response.BaseResponse;
import io.kopeck.botapi.BotApi;
import io.kopeck.i18n.Texts;
import io.kopeck.track.Track;
import io.kopeck.track.TrackCatalog;
import io.vertx.core.Future;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * On start, with a token and PUBLIC_BASE_URL (SPEC §8): registers the webhook with its secret and
 * the update types the bot handles, and the command menu in Russian (also the default) and English.
 * A failure is logged and does not stop the service: billing must not depend on Telegram being up.
 */
final class BotSetup {
  private static final Logger log = LoggerFactory.getLogger(BotSetup.class);
  // pre_checkout_query: Telegram asks before every Stars payment (successful_payment comes as a message).
  static final String[] ALLOWED_UPDATES = {"message", "callback_query", "my_chat_member", "pre_checkout_query"};

  private final BotApi api;
  private final BotSettings config;
  private final TrackCatalog tracks;
  /** The track commands last registered (title by language per command), to register again only on a change. */
  private String registered;

  BotSetup(BotApi api, BotSettings config, TrackCatalog tracks) {
    this.api = api;
    this.config = config;
    this.tracks = tracks;
  }

  void run() {
    if (api.offline()) {
      log.info("Telegram: offline mode (no TELEGRAM_BOT_TOKEN); outgoing calls are logged");
      return;
    }
    Future<Void> profile = registerCommands().compose(v -> describe(null, Texts.forLanguage("ru")));
    for (String language : Texts.languages()) {
      profile = profile.compose(v -> describe(language, Texts.forLanguage(language)));
    }
    if (config.polling()) {
      profile.onSuccess(v -> log.info("Telegram: long polling (TELEGRAM_MODE=polling); commands and profile set"));
      return;
    }
    if (config.publicBaseUrl().isEmpty()) {
      log.info("Telegram: PUBLIC_BASE_URL not set, the webhook is not registered");
      return;
    }
    String base = config.publicBaseUrl().replaceAll("/+$", "");
    profile.compose(v -> call("setWebhook", new SetWebhook().url(base + "/telegram/webhook")
            .secretToken(config.telegramWebhookSecret()).allowedUpdates(ALLOWED_UPDATES)))
        .onSuccess(v -> log.info("Telegram: webhook {}/telegram/webhook, commands and profile registered", base));
  }

  /** The bot's profile texts (setMyDescription, setMyShortDescription); {@code language} null = the default. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private Future<Void> describe(String language, Texts texts) {
    SetMyDescription description = new SetMyDescription().description(texts.get("bot.description"));
    SetMyShortDescription shortDescription = new SetMyShortDescription()
        .description(texts.get("bot.short_description"));
    if (language != null) {
      description.languageCode(language);
      shortDescription.languageCode(language);
    }
    // The library types setMyShortDescription as a request of setMyDescription's kind: a raw call.
    return call("setMyDescription " + language, description)
        .compose(v -> call("setMyShortDescription " + language, (BaseRequest) shortDescription));
  }

  /** The tracks' commands changed since they were registered (an admin's change on any instance): again. */
  void refreshCommands() {
    if (api.offline() || registered == null) {
      return;
    }
    tracks.active().onSuccess(active -> {
      if (!signature(active).equals(registered)) {
        registerCommands().onSuccess(v -> log.info("Telegram: commands registered again (tracks changed)"));
      }
    });
  }

  /** The menu in Russian (also the default) and English: "start", the tracks' commands, then the rest. */
  private Future<Void> registerCommands() {
    return tracks.active().recover(e -> Future.succeededFuture(List.of())).compose(active -> {
      String signature = signature(active);
      Future<Void> done = call("setMyCommands", commands(Texts.forLanguage("ru"), active));
      for (String language : Texts.languages()) {
        done = done.compose(v -> call("setMyCommands " + language,
            commands(Texts.forLanguage(language), active).languageCode(language)));
      }
      return done.onSuccess(v -> registered = signature);
    });
  }

  private static String signature(List<Track> active) {
    return active.stream().map(t -> t.command() + "=" + t.title("ru") + "|" + t.title("en")).toList().toString();
  }

  /**
   * The menu in one language: BOT_COMMANDS in its order when set (SPEC §20: the bot's own commands, the
   * tracks', and the product's, each described by its {@code cmd.<name>} text, a track by its title);
   * otherwise "start", the tracks' commands, then the rest of the bot's own.
   */
  private SetMyCommands commands(Texts texts, List<Track> active) {
    List<String> names = new ArrayList<>();
    if (config.menuCommands().isEmpty()) {
      names.add("start");
      active.forEach(track -> names.add(track.command()));
      Commands.MENU.stream().filter(c -> !c.equals("start")).forEach(names::add);
    } else {
      names.addAll(config.menuCommands());
    }
    BotCommand[] commands = names.stream().map(name -> new BotCommand(name, description(texts, name, active)))
        .toArray(BotCommand[]::new);
    return new SetMyCommands(commands);
  }

  private static String description(Texts texts, String command, List<Track> active) {
    if (texts.has("cmd." + command)) {
      return texts.get("cmd." + command);
    }
    return active.stream().filter(t -> t.command().equals(command)).findFirst()
        .map(track -> track.title(texts.language())).orElse("/" + command);
  }

  private <T extends BaseRequest<T, BaseResponse>> Future<Void> call(String what, T request) {
    return api.call(request).transform(result -> {
      if (result.failed() || !result.result().isOk()) {
        String reason = result.failed() ? result.cause().getMessage() : result.result().description();
        log.error("Telegram: {} failed: {}", what, reason);
        return Future.failedFuture(what + " failed");
      }
      return Future.succeededFuture();
    });
  }
}

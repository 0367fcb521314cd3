package io.kopeck.telegram;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.Times;
import io.kopeck.i18n.Texts;
import io.kopeck.track.TrackCatalog;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Which updates are Kopeck's and which go to the owner's product (SPEC §20, PRODUCT_WEBHOOK_URL).
 * Kopeck keeps its own commands (built-in, the tracks', the admins'), its menu buttons, its button
 * presses, what answers a conversation of its own (an amount, a code, an e-mail, a track's input),
 * payments, and the chat member updates; everything else — a command it does not know, text outside a
 * Kopeck conversation, another bot's buttons, media, groups, update types it does not use — is the
 * product's. Without a product nothing is forwarded and Kopeck answers everything as before.
 */
public final class UpdateRouting {
  private static final String LIVE_SESSION = "SELECT state FROM bot_sessions WHERE user_id = $1 AND expires_at > $2";

  private final Pool pool;
  private final Clock clock;
  private final TrackCatalog tracks;
  private final boolean forwarding;
  private final Set<String> menuLabels = new HashSet<>();

  public UpdateRouting(Pool pool, Clock clock, TrackCatalog tracks, boolean forwarding) {
    this.pool = pool;
    this.clock = clock;
    this.tracks = tracks;
    this.forwarding = forwarding;
    for (String language : Texts.languages()) {
      Texts texts = Texts.forLanguage(language);
      for (String item : List.of("balance", "tariffs", "subscription", "history", "costs", "help")) {
        menuLabels.add(texts.get("menu." + item));
      }
    }
  }

  public boolean forwarding() {
    return forwarding;
  }

  /** The chat to forward {@code update} under, or null when it is Kopeck's (always, without a product). */
  Future<Long> productChat(ObjectNode update) {
    if (!forwarding) {
      return Future.succeededFuture();
    }
    JsonNode callback = update.get("callback_query");
    if (callback != null) {
      return Future.succeededFuture(CallbackData.isKopecks(callback.path("data").asText(null)) ? null
          : chatOf(callback.path("message").path("chat").path("id"), callback.path("from").path("id")));
    }
    if (update.has("my_chat_member")) {
      return Future.succeededFuture();
    }
    JsonNode message = update.get("message");
    if (message == null) {
      return Future.succeededFuture(chatOfAny(update)); // edited messages, channel posts, inline queries …
    }
    Long chat = chatOf(message.path("chat").path("id"), message.path("from").path("id"));
    if (!"private".equals(message.path("chat").path("type").asText())) {
      return Future.succeededFuture(chat);
    }
    if (message.has("successful_payment") || message.has("refunded_payment")) {
      return Future.succeededFuture();
    }
    if (message.path("text").isTextual()) {
      return text(message.path("text").textValue().strip(), message.path("from").path("id").asLong(), chat);
    }
    if (message.has("document")) {
      return inConversation(message.path("from").path("id").asLong(), "TRACK_INPUT")
          .map(ours -> ours ? null : chat);
    }
    return Future.succeededFuture(chat);
  }

  private Future<Long> text(String text, long userId, Long chat) {
    if (menuLabels.contains(text)) {
      return Future.succeededFuture();
    }
    if (text.startsWith("/")) {
      String command = text.substring(1).split("[\\s@]", 2)[0].toLowerCase(Locale.ROOT);
      if (Commands.BUILT_IN.contains(command) || command.startsWith("admin_")) {
        return Future.succeededFuture();
      }
      return tracks.byCommand(command).map(track -> track != null ? null : chat);
    }
    return inConversation(userId, null).map(ours -> ours ? null : chat);
  }

  /** Whether the user is in a conversation of Kopeck's (of {@code state}, or any when null). */
  private Future<Boolean> inConversation(long userId, String state) {
    return pool.preparedQuery(LIVE_SESSION).execute(Tuple.of(userId, Times.utcNow(clock)))
        .map(rows -> rows.size() > 0 && (state == null || state.equals(rows.iterator().next().getString("state"))));
  }

  private static Long chatOf(JsonNode chat, JsonNode user) {
    return chat.isIntegralNumber() ? Long.valueOf(chat.longValue()) : user.isIntegralNumber() ? user.longValue() : 0L;
  }

  /** An update of another type: its chat, else its sender, else 0 (one queue for what names neither). */
  private static Long chatOfAny(ObjectNode update) {
    for (JsonNode part : update) {
      if (part.isObject()) {
        JsonNode chat = part.path("chat").path("id");
        JsonNode message = part.path("message").path("chat").path("id");
        JsonNode from = part.path("from").path("id");
        if (chat.isIntegralNumber() || message.isIntegralNumber() || from.isIntegralNumber()) {
          return chat.isIntegralNumber() ? chat.longValue() : message.isIntegralNumber() ? message.longValue()
              : from.longValue();
        }
      }
    }
    return 0L;
  }
}

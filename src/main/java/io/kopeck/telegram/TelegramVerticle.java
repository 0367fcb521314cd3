package io.kopeck.telegram;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.pengrad.telegrambot.model.Chat;
import com.pengrad.telegrambot.model.ChatMember;
import com.pengrad.telegrambot.model.ChatMemberUpdated;
import com.pengrad.telegrambot.model.Message;
import com.pengrad.telegrambot.model.Update;
import com.pengrad.telegrambot.model.User;
import com.pengrad.telegrambot.utility.BotUtils;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Handles Telegram updates taken by the webhook. Built so far: users blocking and unblocking the
 * bot (my_chat_member), and /start registering the user or refreshing their names and language.
 * Updates the bot does not handle (edited messages, groups, channels) are ignored.
 */
public final class TelegramVerticle extends VerticleBase {
  public static final String ADDRESS = "telegram.update";
  private static final Logger log = LoggerFactory.getLogger(TelegramVerticle.class);

  private static final String BLOCKED = "UPDATE users SET bot_blocked = $2, updated_at = now() WHERE id = $1";
  private static final String REGISTER = """
      INSERT INTO users (id, username, first_name, last_name, language_code) VALUES ($1, $2, $3, $4, $5)
      ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, first_name = EXCLUDED.first_name,
        last_name = EXCLUDED.last_name, language_code = EXCLUDED.language_code, bot_blocked = false, updated_at = now()""";

  private final Pool pool;

  public TelegramVerticle(Pool pool) {
    this.pool = pool;
  }

  @Override
  public Future<?> start() {
    return vertx.eventBus().<JsonObject>localConsumer(ADDRESS, message -> {
      JsonObject json = message.body();
      long updateId = json.getLong("update_id");
      handle(json).onFailure(e -> log.error("Telegram update {} failed", kv("update_id", updateId), e));
    }).completion();
  }

  private Future<?> handle(JsonObject json) {
    Update update = BotUtils.parseUpdate(json.encode());
    if (update.myChatMember() != null) {
      return memberChanged(update.myChatMember());
    }
    Message message = update.message();
    if (message == null || message.chat() == null || message.chat().type() != Chat.Type.Private
        || message.from() == null || message.text() == null) {
      return Future.succeededFuture(); // not for this bot: edited messages, groups, channels, media
    }
    if (message.text().trim().startsWith("/start")) {
      return register(message.from());
    }
    return Future.succeededFuture();
  }

  /** kicked: the user blocked the bot, stop sending; member: they are back. */
  private Future<?> memberChanged(ChatMemberUpdated change) {
    ChatMember.Status status = change.newChatMember() == null ? null : change.newChatMember().status();
    if (status != ChatMember.Status.kicked && status != ChatMember.Status.member) {
      return Future.succeededFuture();
    }
    return pool.preparedQuery(BLOCKED).execute(Tuple.of(change.chat().id(), status == ChatMember.Status.kicked));
  }

  private Future<?> register(User user) {
    return pool.preparedQuery(REGISTER).execute(Tuple.of(user.id(), user.username(), user.firstName(), user.lastName(),
        user.languageCode()));
  }
}

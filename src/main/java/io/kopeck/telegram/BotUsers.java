package io.kopeck.telegram;

import com.pengrad.telegrambot.model.User;
import io.kopeck.notify.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Registers the sender of every update or refreshes their names and language. Writing to the bot
 * also clears bot_blocked (SPEC §8: sends stop "until they write again"). A new user is announced
 * to the admin chats in the same transaction.
 */
final class BotUsers {
  // updated_at comes in through EXCLUDED: Citus takes no now() (a STABLE function) in DO UPDATE SET.
  private static final String TOUCH = """
      INSERT INTO users (id, username, first_name, last_name, language_code, updated_at)
      VALUES ($1, $2, $3, $4, $5, now())
      ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, first_name = EXCLUDED.first_name,
        last_name = EXCLUDED.last_name, language_code = EXCLUDED.language_code, bot_blocked = false,
        updated_at = EXCLUDED.updated_at
      RETURNING id, username, first_name, last_name, language_code, language_override, (xmax = 0) AS inserted""";

  private final Pool pool;
  private final List<Long> adminChats;

  BotUsers(Pool pool, List<Long> adminChats) {
    this.pool = pool;
    this.adminChats = adminChats;
  }

  Future<BotUser> touch(User from, OffsetDateTime now) {
    return pool.withTransaction(tx -> tx.preparedQuery(TOUCH)
        .execute(Tuple.of(from.id(), from.username(), from.firstName(), from.lastName(), from.languageCode()))
        .compose(rows -> {
          Row row = rows.iterator().next();
          BotUser user = BotUser.of(row);
          if (!row.getBoolean("inserted") || adminChats.isEmpty()) {
            return Future.succeededFuture(user);
          }
          JsonObject args = new JsonObject().put("name", user.displayName()).put("username", user.username());
          return Outbox.toAdmins(tx, new Outbox.Notice(user.id(), "user_new", "user.new", args, "user:" + user.id()),
              adminChats, now).map(user);
        }));
  }
}

package io.kopeck.telegram;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.OffsetDateTime;

/**
 * What the bot is waiting for from a user (a promo code, an amount, a limit), kept in bot_sessions
 * so that whichever instance receives the next message continues the conversation. A session
 * expires after {@link #TTL}; an expired one is as good as none.
 */
final class BotSessions {
  static final Duration TTL = Duration.ofMinutes(15);

  /** A conversation in progress. */
  record Session(Conversation conversation, JsonObject data) {
  }

  /** What the next plain-text message answers. */
  enum Conversation { PROMO_CODE, AMOUNT, LIMIT }

  private static final String FIND = "SELECT state, data::text FROM bot_sessions WHERE user_id = $1 AND expires_at > $2";
  private static final String PUT = """
      INSERT INTO bot_sessions (user_id, state, data, expires_at, updated_at) VALUES ($1, $2, $3::text::jsonb, $4, $5)
      ON CONFLICT (user_id) DO UPDATE SET state = EXCLUDED.state, data = EXCLUDED.data,
        expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at""";
  private static final String CLEAR = "DELETE FROM bot_sessions WHERE user_id = $1 RETURNING user_id";

  private final Pool pool;

  BotSessions(Pool pool) {
    this.pool = pool;
  }

  /** The live session, or null. */
  Future<Session> find(long userId, OffsetDateTime now) {
    return pool.preparedQuery(FIND).execute(Tuple.of(userId, now)).map(rows -> {
      if (rows.size() == 0) {
        return null;
      }
      Row row = rows.iterator().next();
      return new Session(Conversation.valueOf(row.getString("state")), new JsonObject(row.getString("data")));
    });
  }

  Future<Void> start(long userId, Conversation conversation, JsonObject data, OffsetDateTime now) {
    return pool.preparedQuery(PUT).execute(Tuple.of(userId, conversation.name(), data.encode(), now.plus(TTL), now))
        .mapEmpty();
  }

  /** Ends the conversation; true when there was one. */
  Future<Boolean> clear(long userId) {
    return pool.preparedQuery(CLEAR).execute(Tuple.of(userId)).map(rows -> rows.size() > 0);
  }
}

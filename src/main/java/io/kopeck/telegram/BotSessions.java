package io.kopeck.telegram;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.templates.RowMapper;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.Map;

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
  enum Conversation { PROMO_CODE, AMOUNT, LIMIT, STARS_AMOUNT, EMAIL, TRACK_INPUT }

  private static final RowMapper<Session> SESSION =
      row -> new Session(Conversation.valueOf(row.getString("state")), new JsonObject(row.getString("data")));

  // Named parameters and row mapping through vertx-sql-client-templates, built once per instance.
  private final SqlTemplate<Map<String, Object>, RowSet<Session>> find;
  private final SqlTemplate<Map<String, Object>, SqlResult<Void>> put;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> clear;

  BotSessions(Pool pool) {
    this.find = SqlTemplate.forQuery(pool, """
        SELECT state, data::text AS data FROM bot_sessions WHERE user_id = #{user_id} AND expires_at > #{now}""")
        .mapTo(SESSION);
    this.put = SqlTemplate.forUpdate(pool, """
        INSERT INTO bot_sessions (user_id, state, data, expires_at, updated_at)
        VALUES (#{user_id}, #{state}, #{data}::text::jsonb, #{expires_at}, #{now})
        ON CONFLICT (user_id) DO UPDATE SET state = EXCLUDED.state, data = EXCLUDED.data,
          expires_at = EXCLUDED.expires_at, updated_at = EXCLUDED.updated_at""");
    this.clear = SqlTemplate.forQuery(pool, "DELETE FROM bot_sessions WHERE user_id = #{user_id} RETURNING user_id");
  }

  /** The live session, or null. */
  Future<Session> find(long userId, OffsetDateTime now) {
    return find.execute(Map.of("user_id", userId, "now", now))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  Future<Void> start(long userId, Conversation conversation, JsonObject data, OffsetDateTime now) {
    return put.execute(Map.of("user_id", userId, "state", conversation.name(), "data", data.encode(),
        "expires_at", now.plus(TTL), "now", now)).mapEmpty();
  }

  /** Ends the conversation; true when there was one. */
  Future<Boolean> clear(long userId) {
    return clear.execute(Map.of("user_id", userId)).map(rows -> rows.size() > 0);
  }
}

package io.kopeck.telegram;

import static io.kopeck.telegram.Screen.button;

import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.i18n.Texts;
import io.kopeck.telegram.BotSessions.Conversation;
import io.kopeck.telegram.CallbackData.Action;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlResult;
import io.vertx.sqlclient.Tuple;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;

/** /settings (cost message format, language) and /limit (a daily spending limit, set or cleared). */
final class SettingsScreens {
  private static final String SET_LIMIT = "UPDATE users SET daily_spend_limit = $2, updated_at = now() WHERE id = $1 "
      + "RETURNING (SELECT daily_spend_limit FROM users WHERE id = $1) AS old_limit";

  private final Pool pool;
  private final BotSessions sessions;
  private final ZoneId zone;

  private final SqlTemplate<Map<String, Object>, RowSet<Row>> settingsOf;
  private final SqlTemplate<Map<String, Object>, SqlResult<Void>> setFormat;
  private final SqlTemplate<Map<String, Object>, SqlResult<Void>> setLanguage;

  SettingsScreens(Pool pool, BotSessions sessions, ZoneId zone) {
    this.pool = pool;
    this.settingsOf = SqlTemplate.forQuery(pool,
        "SELECT cost_message_format, daily_spend_limit, spent_day, spent_today FROM users WHERE id = #{user_id}");
    this.setFormat = SqlTemplate.forUpdate(pool,
        "UPDATE users SET cost_message_format = #{format}, updated_at = now() WHERE id = #{user_id}");
    this.setLanguage = SqlTemplate.forUpdate(pool,
        "UPDATE users SET language_override = #{language}, updated_at = now() WHERE id = #{user_id}");
    this.sessions = sessions;
    this.zone = zone;
  }

  Future<Void> settings(Chat chat) {
    return settings(chat, chat.texts());
  }

  private Future<Void> settings(Chat chat, Texts texts) {
    return row(chat.userId()).compose(row -> chat.show(Screen.builder(texts.get("settings.text",
            texts.get("settings.fmt." + row.getString("cost_message_format")), texts.get("settings.lang")))
        .row(button(texts.get("btn.fmt_basic"), CallbackData.of(Action.COST_FORMAT, "basic")),
            button(texts.get("btn.fmt_detailed"), CallbackData.of(Action.COST_FORMAT, "detailed")),
            button(texts.get("btn.fmt_off"), CallbackData.of(Action.COST_FORMAT, "off")))
        .row(button(texts.get("btn.lang_ru"), CallbackData.of(Action.LANGUAGE, "ru")),
            button(texts.get("btn.lang_en"), CallbackData.of(Action.LANGUAGE, "en")))
        .build()));
  }

  Future<Void> costFormat(Chat chat, String format) {
    return setFormat.execute(Map.of("user_id", chat.userId(), "format", format)).compose(v -> settings(chat));
  }

  /** The screen is redrawn in the language just chosen. */
  Future<Void> language(Chat chat, String language) {
    return setLanguage.execute(Map.of("user_id", chat.userId(), "language", language))
        .compose(v -> settings(chat, Texts.forLanguage(language)));
  }

  /** /limit: the current limit and today's spending; the next number typed becomes the limit. */
  Future<Void> limit(Chat chat) {
    Texts texts = chat.texts();
    return row(chat.userId()).compose(row -> {
      BigDecimal limit = row.getBigDecimal("daily_spend_limit");
      LocalDate today = chat.now().atZoneSameInstant(zone).toLocalDate();
      BigDecimal spentToday = today.equals(row.getLocalDate("spent_day")) ? row.getBigDecimal("spent_today")
          : BigDecimal.ZERO;
      return sessions.start(chat.userId(), Conversation.LIMIT, new JsonObject(), chat.now())
          .compose(v -> chat.send(Screen.builder(texts.get("limit.text",
                  limit == null ? texts.get("limit.none") : texts.tokens(limit), texts.tokens(spentToday)))
              .row(limit == null ? null : button(texts.get("btn.clear_limit"), CallbackData.of(Action.CLEAR_LIMIT)))
              .build()));
    });
  }

  /** A number typed in the /limit conversation; true when it was accepted. */
  Future<Boolean> setLimit(Chat chat, String text) {
    BigDecimal limit = UserInput.positiveAmount(text, 4).orElse(null);
    if (limit == null) {
      return chat.send(chat.t("limit.invalid")).map(false);
    }
    return writeLimit(chat, limit).compose(v -> chat.send(chat.t("limit.set", chat.texts().tokens(limit)))).map(true);
  }

  Future<Void> clearLimit(Chat chat) {
    return writeLimit(chat, null).compose(v -> chat.show(Screen.text(chat.t("limit.cleared"))));
  }

  private Future<Void> writeLimit(Chat chat, BigDecimal limit) {
    return pool.withTransaction(tx -> tx.preparedQuery(SET_LIMIT)
        .execute(Tuple.of(chat.userId(), limit))
        .compose(rows -> {
          BigDecimal old = rows.iterator().next().getBigDecimal("old_limit");
          return AuditLog.record(tx, new Actor("user", Long.toString(chat.userId())), "user.daily_limit", "user",
              Long.toString(chat.userId()), chat.userId(),
              new JsonObject().put("daily_spend_limit", old == null ? null : old.toPlainString()),
              new JsonObject().put("daily_spend_limit", limit == null ? null : limit.toPlainString()));
        }));
  }

  private Future<Row> row(long userId) {
    return settingsOf.execute(Map.of("user_id", userId)).map(rows -> rows.iterator().next());
  }
}

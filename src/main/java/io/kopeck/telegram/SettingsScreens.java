package io.kopeck.telegram;

import static io.kopeck.telegram.Screen.button;

import io.kopeck.i18n.Texts;
import io.kopeck.telegram.BotSessions.Conversation;
import io.kopeck.telegram.CallbackData.Action;
import io.kopeck.user.Users;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.ZoneId;
import java.util.Map;

/** /settings (cost message format, language) and /limit (a daily spending limit, set or cleared). */
final class SettingsScreens {

  private final BotSessions sessions;
  private final ZoneId zone;

  private final SqlTemplate<Map<String, Object>, RowSet<Row>> settingsOf;
  private final Users users;

  SettingsScreens(Pool pool, Users users, BotSessions sessions, ZoneId zone) {
    this.users = users;
    this.settingsOf = SqlTemplate.forQuery(pool,
        "SELECT cost_message_format, daily_spend_limit, spent_day, spent_today FROM users WHERE id = #{user_id}");
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
    return users.setCostMessageFormat(chat.userId(), format).compose(v -> settings(chat));
  }

  /** The screen is redrawn in the language just chosen. */
  Future<Void> language(Chat chat, String language) {
    return users.setLanguage(chat.userId(), language)
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
    return users.setDailyLimit(chat.userId(), limit);
  }

  private Future<Row> row(long userId) {
    return settingsOf.execute(Map.of("user_id", userId)).map(rows -> rows.iterator().next());
  }
}

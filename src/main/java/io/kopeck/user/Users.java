package io.kopeck.user;

import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.events.EventType;
import io.kopeck.events.Events;
import io.kopeck.notify.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * The one writer of who a user is and what they chose (docs/architecture.md, "One owner per row"):
 * their names and language as Telegram reports them, their preferences (daily limit, cost-message
 * format, language, receipt e-mail, a promo code kept for the next purchase) and both blocks (by an
 * admin; by the user, who blocked the bot). Balances belong to the ledger, the subscription to
 * {@code subscription}, promo uses to {@code catalog}.
 */
public final class Users {
  // updated_at comes in through EXCLUDED: Citus takes no now() (a STABLE function) in DO UPDATE SET.
  private static final String TOUCH = """
      INSERT INTO users (id, username, first_name, last_name, language_code, updated_at)
      VALUES ($1, $2, $3, $4, $5, now())
      ON CONFLICT (id) DO UPDATE SET username = EXCLUDED.username, first_name = EXCLUDED.first_name,
        last_name = EXCLUDED.last_name, language_code = EXCLUDED.language_code, bot_blocked = false,
        updated_at = EXCLUDED.updated_at
      RETURNING id, username, first_name, last_name, language_code, language_override, (xmax = 0) AS inserted""";
  private static final String DAILY_LIMIT = """
      UPDATE users SET daily_spend_limit = $2, updated_at = now() WHERE id = $1
      RETURNING (SELECT daily_spend_limit FROM users WHERE id = $1) AS old_limit""";
  private static final String COST_FORMAT = "UPDATE users SET cost_message_format = $2, updated_at = now() WHERE id = $1";
  private static final String LANGUAGE = "UPDATE users SET language_override = $2, updated_at = now() WHERE id = $1";
  private static final String EMAIL = "UPDATE users SET email = $2, updated_at = now() WHERE id = $1";
  private static final String SAVE_PROMO = "UPDATE users SET saved_promo_code = $2, updated_at = now() WHERE id = $1";
  private static final String FORGET_PROMO =
      "UPDATE users SET saved_promo_code = NULL WHERE id = $1 AND saved_promo_code = $2";
  private static final String BOT_BLOCKED = "UPDATE users SET bot_blocked = $2, updated_at = now() WHERE id = $1";
  private static final String BLOCKED = """
      UPDATE users SET is_blocked = $2, updated_at = $3 WHERE id = $1
      RETURNING (SELECT is_blocked FROM users WHERE id = $1) AS was_blocked""";

  /** A user as the bot knows them: names and language, and whether this update made them. */
  public record Profile(long id, String username, String firstName, String lastName, String languageCode,
                        String languageOverride, boolean inserted) {
    static Profile of(Row row) {
      return new Profile(row.getLong("id"), row.getString("username"), row.getString("first_name"),
          row.getString("last_name"), row.getString("language_code"), row.getString("language_override"),
          row.getBoolean("inserted"));
    }

    /** First and last name as Telegram gave them (not escaped). */
    public String displayName() {
      String name = firstName == null ? "" : firstName;
      return lastName == null || lastName.isBlank() ? name : name + " " + lastName;
    }
  }

  private final Pool pool;
  private final List<Long> adminChats;
  private final Events events;

  public Users(Pool pool, List<Long> adminChats, Events events) {
    this.events = events;
    this.pool = pool;
    this.adminChats = adminChats;
  }

  /**
   * Registers the sender of an update or refreshes their names and language; writing to the bot also
   * clears bot_blocked (SPEC §8: sends stop "until they write again"). A new user is announced to the
   * admin chats in the same transaction.
   */
  public Future<Profile> touch(long id, String username, String firstName, String lastName, String languageCode,
                               OffsetDateTime now) {
    return pool.withTransaction(tx -> tx.preparedQuery(TOUCH)
        .execute(Tuple.of(id, username, firstName, lastName, languageCode))
        .compose(rows -> {
          Profile user = Profile.of(rows.iterator().next());
          if (!user.inserted()) {
            return Future.succeededFuture(user);
          }
          JsonObject args = new JsonObject().put("name", user.displayName()).put("username", user.username());
          return Outbox.toAdmins(tx, new Outbox.Notice(user.id(), "user_new", "user.new", args, "user:" + user.id()),
              adminChats, now)
              .compose(v -> events.emit(tx, user.id(), EventType.USER_CREATED, Long.toString(user.id()),
                  new JsonObject().put("user_id", user.id()).put("username", user.username())
                      .put("first_name", user.firstName()).put("last_name", user.lastName())
                      .put("language_code", user.languageCode())))
              .map(user);
        }));
  }

  /** The user's daily spending limit (null: none), audited with the one it replaces. */
  public Future<Void> setDailyLimit(long userId, BigDecimal limit) {
    return pool.withTransaction(tx -> tx.preparedQuery(DAILY_LIMIT).execute(Tuple.of(userId, limit)).compose(rows -> {
      BigDecimal old = rows.iterator().next().getBigDecimal("old_limit");
      return AuditLog.record(tx, new Actor("user", Long.toString(userId)), "user.daily_limit", "user",
          Long.toString(userId), userId, new JsonObject().put("daily_spend_limit", old == null ? null : old.toPlainString()),
          new JsonObject().put("daily_spend_limit", limit == null ? null : limit.toPlainString()));
    }));
  }

  public Future<Void> setCostMessageFormat(long userId, String format) {
    return update(COST_FORMAT, userId, format);
  }

  public Future<Void> setLanguage(long userId, String language) {
    return update(LANGUAGE, userId, language);
  }

  public Future<Void> setEmail(long userId, String email) {
    return update(EMAIL, userId, email);
  }

  /** A discount code kept for the user's next purchase (/promo). */
  public Future<Void> savePromoCode(long userId, String code) {
    return update(SAVE_PROMO, userId, code);
  }

  /** The kept code, once an invoice used it (unless another was kept meanwhile). */
  public Future<Void> forgetPromoCode(long userId, String code) {
    return update(FORGET_PROMO, userId, code);
  }

  /** The user blocked the bot (Telegram's 403, or {@code my_chat_member} kicked), or came back. */
  public Future<Void> setBotBlocked(long userId, boolean blocked) {
    return pool.preparedQuery(BOT_BLOCKED).execute(Tuple.of(userId, blocked)).mapEmpty();
  }

  /** An admin's block, in the caller's transaction; whether the user was blocked before, null when there is no user. */
  Future<Boolean> setBlocked(SqlConnection tx, long userId, boolean blocked, OffsetDateTime now) {
    return tx.preparedQuery(BLOCKED).execute(Tuple.of(userId, blocked, now))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getBoolean("was_blocked"));
  }

  private Future<Void> update(String sql, long userId, Object value) {
    return pool.preparedQuery(sql).execute(Tuple.of(userId, value)).mapEmpty();
  }
}

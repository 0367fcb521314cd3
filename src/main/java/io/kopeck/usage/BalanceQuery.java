package io.kopeck.usage;

import io.kopeck.ledger.Amounts;
import io.kopeck.ledger.GrantReplay;
import io.kopeck.ledger.LedgerRefusal;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.RowMapper;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.Map;

/** GET /api/v1/users/{id}/balance (SPEC §6.1): what the Runner asks before it starts a run. */
final class BalanceQuery {
  /** What the answer is made of: one user's row. */
  private record Account(BigDecimal balance, BigDecimal held, OffsetDateTime subscriptionEnd, boolean blocked,
                         BigDecimal limit, LocalDate spentDay, BigDecimal spentToday, boolean hasGrants) {
  }

  private static final RowMapper<Account> ACCOUNT = row -> new Account(row.getBigDecimal("token_balance"),
      row.getBigDecimal("held"), row.getOffsetDateTime("subscription_end"), row.getBoolean("is_blocked"), row.getBigDecimal("daily_spend_limit"),
      row.getLocalDate("spent_day"), row.getBigDecimal("spent_today"), row.getBoolean("has_grants"));

  private final SqlTemplate<Map<String, Object>, RowSet<Account>> account;
  private final Pool pool;
  private final Clock clock;
  private final ZoneId zone;
  private final boolean requireSubscription;

  BalanceQuery(Pool pool, Clock clock, ZoneId zone, boolean requireSubscription) {
    this.account = SqlTemplate.forQuery(pool, """
        SELECT token_balance, held, subscription_end, is_blocked, daily_spend_limit, spent_day, spent_today,
               EXISTS (SELECT 1 FROM grants g WHERE g.user_id = users.id AND g.expired_at IS NULL) AS has_grants
        FROM users WHERE id = #{user_id}""").mapTo(ACCOUNT);
    this.pool = pool;
    this.clock = clock;
    this.zone = zone;
    this.requireSubscription = requireSubscription;
  }

  Future<JsonObject> balance(long userId) {
    return account.execute(Map.of("user_id", userId)).compose(rows -> {
      if (rows.size() == 0) {
        throw LedgerRefusal.USER_NOT_FOUND.because("No such user");
      }
      Account row = rows.iterator().next();
      // Grants are replayed from the ledger only for a user who has one running (SPEC §21).
      return (row.hasGrants() ? pool.withConnection(conn -> GrantReplay.load(conn, userId)) : Future.succeededFuture(
          (GrantReplay.Result) null)).map(grants -> describe(userId, row, grants));
    });
  }

  private JsonObject describe(long userId, Account row, GrantReplay.Result grants) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    BigDecimal balance = row.balance();
    OffsetDateTime subscriptionEnd = row.subscriptionEnd();
    boolean subscribed = subscriptionEnd != null && subscriptionEnd.isAfter(now);
    BigDecimal limit = row.limit();
    LocalDate today = now.atZoneSameInstant(zone).toLocalDate();
    BigDecimal spentToday = today.equals(row.spentDay()) ? row.spentToday() : BigDecimal.ZERO;
    BigDecimal available = balance.subtract(row.held());
    String reason = reason(row.blocked(), balance, available, subscribed, limit, spentToday);
    return new JsonObject()
        .put("user_id", userId)
        .put("token_balance", Amounts.tokenText(balance))
        .put("held", Amounts.tokenText(row.held()))
        .put("available", Amounts.tokenText(available))
        .put("subscription_active", subscribed)
        .put("subscription_end", subscriptionEnd == null ? null : subscriptionEnd.toInstant().toString())
        .put("can_spend", reason == null)
        .put("reason", reason)
        .put("daily_spend_limit", limit == null ? null : Amounts.tokenText(limit))
        .put("spent_today", Amounts.tokenText(spentToday))
        .put("granted", Amounts.tokenText(grants == null ? BigDecimal.ZERO : grants.granted()))
        .put("grants", grants == null ? new JsonArray() : grants.runningJson());
  }

  /** The first reason, in order of severity, why the user may not start a run; null if they may. */
  private String reason(boolean blocked, BigDecimal balance, BigDecimal available, boolean subscribed,
                        BigDecimal limit, BigDecimal spentToday) {
    if (blocked) {
      return "user_blocked";
    }
    if (balance.signum() < 0) {
      return "negative_balance";
    }
    // SPEC §19: nothing left to spend once holds reserve the rest (a zero balance included).
    if (available.signum() <= 0) {
      return "insufficient_balance";
    }
    if (requireSubscription && !subscribed) {
      return "subscription_required";
    }
    if (limit != null && spentToday.compareTo(limit) >= 0) {
      return "daily_limit_reached";
    }
    return null;
  }
}

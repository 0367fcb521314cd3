package io.kopeck.usage;

import io.kopeck.ledger.Amounts;
import io.kopeck.ledger.LedgerRefusal;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;

/** GET /api/v1/users/{id}/balance (SPEC §6.1): what the Runner asks before it starts a run. */
final class BalanceQuery {
  private static final String SELECT = """
      SELECT token_balance, subscription_end, is_blocked, daily_spend_limit, spent_day, spent_today
      FROM users WHERE id = $1""";

  private final Pool pool;
  private final Clock clock;
  private final ZoneId zone;
  private final boolean requireSubscription;

  BalanceQuery(Pool pool, Clock clock, ZoneId zone, boolean requireSubscription) {
    this.pool = pool;
    this.clock = clock;
    this.zone = zone;
    this.requireSubscription = requireSubscription;
  }

  Future<JsonObject> balance(long userId) {
    return pool.preparedQuery(SELECT).execute(Tuple.of(userId)).map(rows -> {
      if (rows.size() == 0) {
        throw LedgerRefusal.USER_NOT_FOUND.because("No such user");
      }
      return describe(userId, rows.iterator().next());
    });
  }

  private JsonObject describe(long userId, Row row) {
    OffsetDateTime now = OffsetDateTime.now(clock);
    BigDecimal balance = row.getBigDecimal("token_balance");
    OffsetDateTime subscriptionEnd = row.getOffsetDateTime("subscription_end");
    boolean subscribed = subscriptionEnd != null && subscriptionEnd.isAfter(now);
    BigDecimal limit = row.getBigDecimal("daily_spend_limit");
    LocalDate today = now.atZoneSameInstant(zone).toLocalDate();
    BigDecimal spentToday = today.equals(row.getLocalDate("spent_day")) ? row.getBigDecimal("spent_today")
        : BigDecimal.ZERO;
    String reason = reason(row.getBoolean("is_blocked"), balance, subscribed, limit, spentToday);
    return new JsonObject()
        .put("user_id", userId)
        .put("token_balance", Amounts.tokenText(balance))
        .put("subscription_active", subscribed)
        .put("subscription_end", subscriptionEnd == null ? null : subscriptionEnd.toInstant().toString())
        .put("can_spend", reason == null)
        .put("reason", reason)
        .put("daily_spend_limit", limit == null ? null : Amounts.tokenText(limit))
        .put("spent_today", Amounts.tokenText(spentToday));
  }

  /** The first reason, in order of severity, why the user may not start a run; null if they may. */
  private String reason(boolean blocked, BigDecimal balance, boolean subscribed, BigDecimal limit,
                        BigDecimal spentToday) {
    if (blocked) {
      return "user_blocked";
    }
    if (balance.signum() < 0) {
      return "negative_balance";
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

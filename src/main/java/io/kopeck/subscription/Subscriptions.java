package io.kopeck.subscription;

import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.common.BillingRules;
import io.kopeck.common.Times;
import io.kopeck.ledger.BalanceRule;
import io.kopeck.ledger.Ledger;
import io.kopeck.ledger.Posting;
import io.kopeck.ledger.PostingResult;
import io.kopeck.ledger.TransactionType;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.OffsetDateTime;

/** What a user does with their subscription (SPEC §7): renew now from the balance, turn auto-renew on or off. */
public final class Subscriptions {
  /** Read under the user's row lock (taken first, through the ledger). */
  private static final String RENEWAL = """
      SELECT u.subscription_end, u.auto_renew, t.slug, t.period_unit, t.period_value, t.subscription_fee
      FROM users u LEFT JOIN tariffs t ON t.id = u.tariff_id WHERE u.id = $1""";

  /** The new end and the balance after the fee. */
  public record Renewal(OffsetDateTime subscriptionEnd, BigDecimal balanceAfter, boolean duplicate) {
  }

  private final Pool pool;
  private final Clock clock;
  private final BillingRules config;
  private final Ledger ledger;
  private final SubscriptionPeriods periods;

  public Subscriptions(Pool pool, Clock clock, BillingRules config, Ledger ledger, SubscriptionPeriods periods) {
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.ledger = ledger;
    this.periods = periods;
  }

  /**
   * Pays one period of the renewal tariff from the balance now, extending from the later of now and
   * the current end. The key is the current end, so a repeated tap renews once.
   */
  public Future<Renewal> renewNow(long userId) {
    OffsetDateTime now = Times.utcNow(clock);
    return pool.withTransaction(tx -> ledger.lockUser(tx, userId)
        .compose(locked -> tx.preparedQuery(RENEWAL).execute(Tuple.of(userId))).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(SubscriptionRefusal.USER_NOT_FOUND.because("No such user"));
      }
      Row user = rows.iterator().next();
      if (user.getString("period_unit") == null) {
        return Future.failedFuture(SubscriptionRefusal.NO_RENEWAL_TARIFF.because("There is no tariff to renew"));
      }
      OffsetDateTime end = user.getOffsetDateTime("subscription_end");
      BigDecimal fee = user.getBigDecimal("subscription_fee");
      String key = "renew:" + (end == null ? "none" : end.toEpochSecond());
      Future<PostingResult> charge = fee.signum() == 0 ? Future.succeededFuture(null)
          : ledger.post(tx, new Posting(userId, TransactionType.SUBSCRIPTION, fee.negate(), BalanceRule.NEVER_BELOW_ZERO,
              key, null, "renewal " + user.getString("slug"), null));
      return charge.compose(posting -> {
        if (posting != null && !posting.applied()) {
          return Future.failedFuture(SubscriptionRefusal.INSUFFICIENT_BALANCE.because("The balance does not cover the fee of "
              + fee.toPlainString() + " tokens; " + fee.subtract(posting.balanceBefore()).toPlainString() + " missing"));
        }
        if (posting != null && posting.duplicate()) {
          return Future.succeededFuture(new Renewal(end, posting.balanceAfter(), true));
        }
        return periods.extend(tx, userId, null, user.getString("period_unit"), user.getInteger("period_value"), null, now)
            .compose(newEnd -> AuditLog.record(tx, new Actor("user", Long.toString(userId)), "subscription.renew_now", "user",
                Long.toString(userId), userId, new JsonObject().put("subscription_end", end == null ? null : end.toString()),
                new JsonObject().put("subscription_end", newEnd.toString()).put("fee", fee.toPlainString()))
                .map(v -> new Renewal(newEnd, posting == null ? null : posting.balanceAfter(), false)));
      });
    }));
  }

  /** Turns auto-renew on or off; audited. */
  public Future<Boolean> setAutoRenew(long userId, boolean on) {
    return pool.withTransaction(tx -> tx.preparedQuery(
            "UPDATE users SET auto_renew = $2, updated_at = now() WHERE id = $1 RETURNING auto_renew")
        .execute(Tuple.of(userId, on))
        .compose(rows -> rows.size() == 0 ? Future.failedFuture(SubscriptionRefusal.USER_NOT_FOUND.because("No such user"))
            : AuditLog.record(tx, new Actor("user", Long.toString(userId)), "subscription.auto_renew", "user",
                Long.toString(userId), userId, null, new JsonObject().put("auto_renew", on)).map(on)));
  }
}

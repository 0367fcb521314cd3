package io.kopeck.catalog;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.common.BillingRules;
import io.kopeck.common.Times;
import io.kopeck.ledger.BalanceRule;
import io.kopeck.ledger.Ledger;
import io.kopeck.ledger.Posting;
import io.kopeck.ledger.PostingResult;
import io.kopeck.ledger.TransactionType;
import io.kopeck.notify.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trial activation (SPEC §4): a trial code grants its trial tariff's tokens and subscription days
 * at once, once per user per trial tariff, counted against the code's max_uses — all in one
 * transaction. The user row lock serializes one user's attempts; the promo row lock serializes
 * the last remaining use between users; the unique (user, tariff) redemption index backs both.
 */
public final class Trials {
  private static final Logger log = LoggerFactory.getLogger(Trials.class);

  private static final String LOCK_USER = "SELECT subscription_end, tariff_id FROM users WHERE id = $1 FOR UPDATE";
  private static final String LOCK_PROMO = "SELECT id FROM promo_codes WHERE code = $1 FOR UPDATE";
  private static final String TARIFF = "SELECT " + Tariff.COLUMNS + " FROM tariffs WHERE id = $1";
  private static final String REDEEM = """
      INSERT INTO promo_redemptions (user_id, promo_code_id, tariff_id, kind, created_at) VALUES ($1, $2, $3, 'trial', $4)""";
  private static final String COUNT_USE = "UPDATE promo_codes SET uses_count = uses_count + 1, updated_at = $2 WHERE id = $1";
  private static final String EXTEND = """
      UPDATE users SET subscription_end = $2, last_expiry_notice = NULL, expired_notified = false,
             tariff_id = coalesce(tariff_id, (SELECT id FROM tariffs WHERE slug = $3)), updated_at = $4
      WHERE id = $1""";

  /** What the user got. */
  public record TrialGrant(String code, String tariff, BigDecimal tokens, BigDecimal balanceAfter,
                           OffsetDateTime subscriptionEnd) {
  }

  private final Pool pool;
  private final Clock clock;
  private final BillingRules config;
  private final String defaultTariff;
  private final PromoCodes promoCodes;
  private final Ledger ledger;

  public Trials(Pool pool, Clock clock, BillingRules config, String defaultTariff) {
    this.defaultTariff = defaultTariff;
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.promoCodes = new PromoCodes(pool, clock);
    this.ledger = new Ledger(clock, config.balanceFloor());
  }

  public Future<TrialGrant> activate(long userId, String code) {
    return activateInTransaction(userId, code).onSuccess(grant -> log.info("Trial activated {} {} {} {}",
        kv("user_id", userId), kv("code", grant.code()), kv("tariff", grant.tariff()),
        kv("tokens", grant.tokens().toPlainString())));
  }

  private Future<TrialGrant> activateInTransaction(long userId, String code) {
    String normalized = PromoCode.normalize(code);
    OffsetDateTime now = Times.utcNow(clock);
    return pool.withTransaction(tx -> tx.preparedQuery(LOCK_USER).execute(Tuple.of(userId)).compose(users -> {
      if (users.size() == 0) {
        return Future.failedFuture(CatalogRefusal.USER_NOT_FOUND.because("No such user"));
      }
      Row user = users.iterator().next();
      return tx.preparedQuery(LOCK_PROMO).execute(Tuple.of(normalized))
          .compose(locked -> usableTrial(tx, normalized, userId))
          .compose(promo -> grant(tx, userId, user.getOffsetDateTime("subscription_end"), promo, now));
    }));
  }

  private Future<PromoCode> usableTrial(SqlConnection tx, String code, long userId) {
    // The trial tariff is the code's own; check() then looks at state, window, uses and history.
    return tx.preparedQuery(PromoCode.SELECT + " WHERE p.code = $1").execute(Tuple.of(code)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(PromoProblem.NOT_FOUND.refused(code));
      }
      PromoCode promo = PromoCode.of(rows.iterator().next());
      if (!promo.isTrial()) {
        return Future.failedFuture(CatalogRefusal.NOT_A_TRIAL_CODE.because(
            "Promo code " + code + " is a discount for a purchase, not a trial"));
      }
      return promoCodes.check(tx, code, userId, promo.tariffId()).map(check -> {
        if (!check.usable()) {
          throw check.problem().refused(code);
        }
        return check.promo();
      });
    });
  }

  private Future<TrialGrant> grant(SqlConnection tx, long userId, OffsetDateTime subscriptionEnd, PromoCode promo,
                                   OffsetDateTime now) {
    return tx.preparedQuery(TARIFF).execute(Tuple.of(promo.tariffId())).compose(rows -> {
      Tariff tariff = Tariff.of(rows.iterator().next());
      OffsetDateTime newEnd = tariff.hasPeriod()
          ? Periods.extend(subscriptionEnd, now, tariff.periodUnit(), tariff.periodValue(), config.displayTimezone())
          : subscriptionEnd;
      return tx.preparedQuery(REDEEM).execute(Tuple.of(userId, promo.id(), tariff.id(), now))
          .compose(v -> tx.preparedQuery(COUNT_USE).execute(Tuple.of(promo.id(), now)))
          .compose(v -> credit(tx, userId, tariff))
          .compose(posting -> tx.preparedQuery(EXTEND)
              .execute(Tuple.of(userId, newEnd, defaultTariff, now))
              .map(v -> new TrialGrant(promo.code(), tariff.slug(), tariff.tokens(), posting.balanceAfter(), newEnd)))
          .compose(grant -> record(tx, userId, grant, subscriptionEnd, now).map(grant));
    });
  }

  private Future<PostingResult> credit(SqlConnection tx, long userId, Tariff tariff) {
    if (tariff.tokens().signum() == 0) {
      return Future.succeededFuture(new PostingResult(PostingResult.Status.APPLIED, null, false, null,
          BigDecimal.ZERO, null, null));
    }
    return ledger.post(tx, new Posting(userId, TransactionType.TRIAL, tariff.tokens(), BalanceRule.CREDIT,
        "trial:" + tariff.id(), null, "trial " + tariff.slug(), null));
  }

  /** The audit row, the user's message and the admins' notice, in the same transaction. */
  private Future<Void> record(SqlConnection tx, long userId, TrialGrant grant, OffsetDateTime oldEnd,
                              OffsetDateTime now) {
    JsonObject args = new JsonObject().put("code", grant.code()).put("tariff", grant.tariff())
        .put("tokens", grant.tokens().toPlainString()).put("subscription_end", grant.subscriptionEnd().toString());
    List<Future<?>> writes = new ArrayList<>();
    writes.add(AuditLog.record(tx, new Actor("user", Long.toString(userId)), "trial.activate", "user",
        Long.toString(userId), userId, new JsonObject().put("subscription_end", oldEnd == null ? null : oldEnd.toString()),
        args));
    writes.add(Outbox.toUserAndAdmins(tx, new Outbox.Notice(userId, "trial_activated", "trial.activated", args,
        "trial:" + grant.tariff()), config.adminChatIds(), now));
    return Future.all(writes).mapEmpty();
  }
}

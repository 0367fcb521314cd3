package io.kopeck.subscription;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.catalog.CatalogRefusal;
import io.kopeck.catalog.PromoCode;
import io.kopeck.catalog.PromoCodes;
import io.kopeck.catalog.PromoProblem;
import io.kopeck.catalog.Tariff;
import io.kopeck.catalog.TariffCatalog;
import io.kopeck.common.BillingRules;
import io.kopeck.common.Times;
import io.kopeck.ledger.BalanceRule;
import io.kopeck.ledger.Grants;
import io.kopeck.ledger.Ledger;
import io.kopeck.ledger.Posting;
import io.kopeck.ledger.PostingResult;
import io.kopeck.ledger.TransactionType;
import io.kopeck.notify.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
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

  /** What the user got. */
  public record TrialGrant(String code, String tariff, BigDecimal tokens, BigDecimal balanceAfter,
                           OffsetDateTime subscriptionEnd) {
  }

  private final Pool pool;
  private final Clock clock;
  private final BillingRules config;
  private final PromoCodes promoCodes;
  private final TariffCatalog tariffs;
  private final SubscriptionPeriods periods;
  private final Ledger ledger;
  private final Grants grants;

  public Trials(Pool pool, Clock clock, BillingRules config, PromoCodes promoCodes, TariffCatalog tariffs,
                SubscriptionPeriods periods, Ledger ledger) {
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.promoCodes = promoCodes;
    this.tariffs = tariffs;
    this.periods = periods;
    this.ledger = ledger;
    this.grants = new Grants(ledger);
  }

  public Future<TrialGrant> activate(long userId, String code) {
    return activateInTransaction(userId, code).onSuccess(grant -> log.info("Trial activated {} {} {} {}",
        kv("user_id", userId), kv("code", grant.code()), kv("tariff", grant.tariff()),
        kv("tokens", grant.tokens().toPlainString())));
  }

  private Future<TrialGrant> activateInTransaction(long userId, String code) {
    String normalized = PromoCode.normalize(code);
    OffsetDateTime now = Times.utcNow(clock);
    return pool.withTransaction(tx -> ledger.lockUser(tx, userId).compose(balance -> {
      if (balance == null) {
        return Future.failedFuture(CatalogRefusal.USER_NOT_FOUND.because("No such user"));
      }
      return promoCodes.lock(tx, normalized)
          .compose(locked -> usableTrial(tx, normalized, userId))
          .compose(promo -> grant(tx, userId, promo, now));
    }));
  }

  private Future<PromoCode> usableTrial(SqlConnection tx, String code, long userId) {
    // The trial tariff is the code's own; check() then looks at state, window, uses and history.
    return promoCodes.lookup(tx, code).compose(promo -> {
      if (promo == null) {
        return Future.failedFuture(PromoProblem.NOT_FOUND.refused(code));
      }
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

  private Future<TrialGrant> grant(SqlConnection tx, long userId, PromoCode promo, OffsetDateTime now) {
    return tariffs.byId(tx, promo.tariffId()).compose(tariff -> promoCodes.redeemTrial(tx, userId, promo, tariff.id(), now)
        .compose(v -> credit(tx, userId, tariff, now))
        .compose(posting -> periods.extendTrial(tx, userId, tariff.hasPeriod() ? tariff.periodUnit() : null,
                tariff.periodValue(), now)
            .compose(change -> {
              TrialGrant grant = new TrialGrant(promo.code(), tariff.slug(), tariff.tokens(), posting.balanceAfter(),
                  change.after());
              return record(tx, userId, grant, change.before(), now).map(grant);
            })));
  }

  /** The trial's tokens: a trial row, or with BONUS_TOKENS_TTL_DAYS a grant that ends (SPEC §21). */
  private Future<PostingResult> credit(SqlConnection tx, long userId, Tariff tariff, OffsetDateTime now) {
    if (tariff.tokens().signum() == 0) {
      return Future.succeededFuture(new PostingResult(PostingResult.Status.APPLIED, null, false, null,
          BigDecimal.ZERO, null, null));
    }
    if (config.bonusTokensTtl() != null) {
      return grants.give(tx, userId, "trial:" + tariff.slug(), tariff.tokens(), now.plus(config.bonusTokensTtl()),
              "trial " + tariff.slug(), "trial", now)
          .map(given -> new PostingResult(PostingResult.Status.APPLIED, null, given.outcome() != Grants.Outcome.GIVEN,
              null, tariff.tokens(), null, given.balanceAfter()));
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

package io.kopeck.subscription;

import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.Periods;
import io.kopeck.common.BillingRules;
import io.kopeck.ledger.BalanceRule;
import io.kopeck.ledger.Ledger;
import io.kopeck.ledger.Posting;
import io.kopeck.ledger.TransactionType;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * The one writer of a user's subscription period (docs/architecture.md, "One owner per row"): its
 * end, the tariff that renews it, the Stars subscription behind it, and the notices a new period
 * re-arms. Payments, refunds, renewals and trials extend, shorten and start periods only through
 * here, each inside its own transaction ({@code tx}), where the user's row is already locked by the
 * ledger posting that paid for the change.
 */
public final class SubscriptionPeriods {
  private static final String END = "SELECT subscription_end FROM users WHERE id = $1";
  /** A new period: the end (and the renewal tariff, when one is given), every notice of the old period re-armed. */
  private static final String EXTEND = """
      UPDATE users SET subscription_end = $2, tariff_id = coalesce($3, tariff_id), last_expiry_notice = NULL,
             expired_notified = false, updated_at = $4
      WHERE id = $1""";
  /** A trial never renews itself: the renewal tariff stays, or becomes DEFAULT_TARIFF when there is none. */
  private static final String EXTEND_TRIAL = """
      UPDATE users SET subscription_end = $2, last_expiry_notice = NULL, expired_notified = false,
             tariff_id = coalesce(tariff_id, (SELECT id FROM tariffs WHERE slug = $3)), updated_at = $4
      WHERE id = $1""";
  private static final String SHORTEN = "UPDATE users SET subscription_end = $2, updated_at = $3 WHERE id = $1";
  /** Money came in: every low-balance tier is re-armed. */
  private static final String TOPPED_UP = "UPDATE users SET low_balance_tier = NULL, updated_at = $2 WHERE id = $1";
  private static final String STARS_SUBSCRIBER = """
      UPDATE users SET stars_subscription_charge_id = $2, stars_subscription_canceled = false WHERE id = $1""";
  private static final String STARS_CANCELED = """
      UPDATE users SET stars_subscription_canceled = $2, updated_at = now() WHERE id = $1""";
  private static final String RENEWAL_TARIFF = """
      SELECT id, period_unit, period_value, subscription_fee FROM tariffs WHERE slug = $1""";

  /** Where the subscription ends after a payment, and the fee a top-up paid to start it (null: none). */
  public record Extension(OffsetDateTime end, BigDecimal activationFee) {
  }

  private final BillingRules rules;
  private final Ledger ledger;

  public SubscriptionPeriods(BillingRules rules, Ledger ledger) {
    this.rules = rules;
    this.ledger = ledger;
  }

  /**
   * One period of {@code unit}/{@code value} added to the later of now and the current end — to
   * {@code atLeastUntil} when that is later (a Stars subscription's paid-until date) — with
   * {@code tariffId} as the renewal tariff from now on (null: unchanged). The new end.
   */
  public Future<OffsetDateTime> extend(SqlConnection tx, long userId, UUID tariffId, String unit, int value,
                                       OffsetDateTime atLeastUntil, OffsetDateTime now) {
    return end(tx, userId).compose(current -> {
      OffsetDateTime end = Periods.extend(current, now, unit, value, rules.displayTimezone());
      OffsetDateTime until = atLeastUntil != null && atLeastUntil.isAfter(end) ? atLeastUntil : end;
      return tx.preparedQuery(EXTEND).execute(Tuple.of(userId, until, tariffId, now)).map(until);
    });
  }

  /** A period's end before and after a change. */
  public record Change(OffsetDateTime before, OffsetDateTime after) {
  }

  /**
   * A trial tariff's period ({@code unit} null: a trial of tokens only, the end unchanged); the renewal
   * tariff as {@link #EXTEND_TRIAL} says; notices re-armed.
   */
  public Future<Change> extendTrial(SqlConnection tx, long userId, String unit, Integer value, OffsetDateTime now) {
    return end(tx, userId).compose(current -> {
      OffsetDateTime end = unit == null ? current : Periods.extend(current, now, unit, value, rules.displayTimezone());
      return tx.preparedQuery(EXTEND_TRIAL).execute(Tuple.of(userId, end, rules.defaultTariff(), now))
          .map(new Change(current, end));
    });
  }

  /**
   * A refunded purchase's period ({@code unit} null: none) taken back off the end, which may then lie in
   * the past; unchanged when there is no subscription.
   */
  public Future<Change> shorten(SqlConnection tx, long userId, String unit, Integer value, OffsetDateTime now) {
    return end(tx, userId).compose(current -> {
      if (unit == null || current == null) {
        return Future.succeededFuture(new Change(current, current));
      }
      OffsetDateTime shorter = Periods.add(current, unit, -value, rules.displayTimezone());
      return tx.preparedQuery(SHORTEN).execute(Tuple.of(userId, shorter, now)).map(new Change(current, shorter));
    });
  }

  /**
   * What a paid invoice does to the subscription: a tariff with a period starts or extends it (with
   * that tariff renewing it); a top-up re-arms the low-balance notices — or, with
   * TOPUP_ACTIVATES_SUBSCRIPTION, starts a subscription for a user without one (SPEC §14).
   * {@code paidUntil}: a Stars subscription charge runs at least until Telegram's expiration date.
   */
  public Future<Extension> paid(SqlConnection tx, Invoice invoice, OffsetDateTime paidUntil, OffsetDateTime now) {
    long userId = invoice.userId();
    Future<Void> toppedUp = tx.preparedQuery(TOPPED_UP).execute(Tuple.of(userId, now)).mapEmpty();
    if (invoice.periodUnit() != null) {
      return toppedUp.compose(v -> extend(tx, userId, invoice.tariffId(), invoice.periodUnit(), invoice.periodValue(),
          paidUntil, now)).map(end -> new Extension(end, null));
    }
    return toppedUp.compose(v -> end(tx, userId)).compose(end -> {
      boolean inactive = end == null || !end.isAfter(now);
      return rules.topupActivatesSubscription() && inactive ? activate(tx, invoice, end, now)
          : Future.succeededFuture(new Extension(end, null));
    });
  }

  /**
   * A top-up that starts a subscription (the seed system's rule): DEFAULT_TARIFF's renewal fee comes off
   * the credited tokens (a {@code subscription} row keyed {@code activation:<invoice>}) and one period
   * of it starts now. A top-up that does not cover the fee only credits.
   */
  private Future<Extension> activate(SqlConnection tx, Invoice invoice, OffsetDateTime end, OffsetDateTime now) {
    return tx.preparedQuery(RENEWAL_TARIFF).execute(Tuple.of(rules.defaultTariff())).compose(rows -> {
      Row tariff = rows.size() == 0 ? null : rows.iterator().next();
      if (tariff == null || tariff.getString("period_unit") == null
          || invoice.tokens().compareTo(tariff.getBigDecimal("subscription_fee")) < 0) {
        return Future.succeededFuture(new Extension(end, null));
      }
      BigDecimal fee = tariff.getBigDecimal("subscription_fee");
      Future<?> charged = fee.signum() == 0 ? Future.succeededFuture()
          : ledger.post(tx, new Posting(invoice.userId(), TransactionType.SUBSCRIPTION, fee.negate(),
              BalanceRule.NEVER_BELOW_ZERO, "activation:" + invoice.id(), null,
              "subscription started by top-up " + invoice.invId(), null));
      return charged.compose(v -> extend(tx, invoice.userId(), tariff.getUUID("id"), tariff.getString("period_unit"),
          tariff.getInteger("period_value"), null, now)).map(newEnd -> new Extension(newEnd, fee));
    });
  }

  /** The first charge of a Stars subscription: the charge id that auto-renew toggles in the bot refer to. */
  public Future<Void> starsSubscriber(SqlConnection tx, long userId, String chargeId) {
    return tx.preparedQuery(STARS_SUBSCRIBER).execute(Tuple.of(userId, chargeId)).mapEmpty();
  }

  /** The user turned auto-renew of their Stars subscription off (true) or on again (false). */
  public Future<Void> starsCanceled(SqlConnection tx, long userId, boolean canceled) {
    return tx.preparedQuery(STARS_CANCELED).execute(Tuple.of(userId, canceled)).mapEmpty();
  }

  private static Future<OffsetDateTime> end(SqlConnection tx, long userId) {
    return tx.preparedQuery(END).execute(Tuple.of(userId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getOffsetDateTime("subscription_end"));
  }
}

package io.kopeck.payment;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.catalog.Periods;
import io.kopeck.catalog.PromoCodes;
import io.kopeck.common.BillingRules;
import io.kopeck.common.Decimals;
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
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Every provider's payments, on one model (SPEC §5, §12, §13). A provider's message becomes a
 * {@link Receipt}; then, in one transaction under the invoice's row lock: a payment already recorded
 * under (provider, payment id) changes nothing; one that does not fit its invoice is refused and
 * audited (or, when the provider can give money back, recorded as due for return); a second payment
 * of a paid invoice is due for return, unless it is a Stars subscription's renewal, which becomes a
 * new paid invoice linked to the first; otherwise the tokens are credited, the subscription started
 * or extended, the invoice marked paid (pending, expired or cancelled alike: money was received),
 * the promo use counted, the payment recorded, audited, and the user's and admins' notices queued.
 */
public final class Payments {
  private static final Logger log = LoggerFactory.getLogger(Payments.class);

  private static final String INVOICE_COLUMNS = """
      i.id, i.inv_id, i.user_id, i.tariff_id, i.promo_code_id, i.amount, i.tokens, i.bonus_tokens, i.period_unit,
      i.period_value,
      i.status, i.provider, i.currency, i.star_subscription, i.provider_payment_id, u.subscription_end""";
  private static final String LOCK_INVOICE = "SELECT " + INVOICE_COLUMNS
      + " FROM invoices i JOIN users u ON u.id = i.user_id WHERE i.inv_id = $1 AND i.user_id = $2 AND u.id = $2"
      + " FOR UPDATE OF i";
  private static final String PAYMENT = """
      SELECT id, user_id, status FROM payments WHERE provider = $1 AND provider_payment_id = $2 AND user_id = $3""";
  private static final String RECORD_PAYMENT = """
      INSERT INTO payments (user_id, provider, provider_payment_id, invoice_id, amount, currency, status, recurring,
                            problem, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5::text::numeric, $6, $7, $8, $9, $10, $10)
      ON CONFLICT DO NOTHING RETURNING id""";
  private static final String MARK_PAID = """
      UPDATE invoices SET status = 'paid', paid_at = $2, provider_payment_id = $3 WHERE id = $1 AND user_id = $4""";
  // VALUES, not INSERT … SELECT: the InvId then comes from the coordinator's sequence on Citus too.
  private static final String RENEWAL = """
      INSERT INTO invoices (user_id, tariff_id, amount, original_amount, tokens, bonus_tokens, period_unit, period_value,
                            idempotency_key, provider, currency, star_subscription, renews_invoice_id, expires_at,
                            created_at, updated_at)
      VALUES ($1, $2, $3::text::numeric, $3::text::numeric, $4::text::numeric, 0, $5, $6, $7, $8, $9, true, $10,
              $11, $11, $11)
      RETURNING inv_id""";
  private static final String EXTEND = """
      UPDATE users SET subscription_end = $2, tariff_id = $3, last_expiry_notice = NULL, expired_notified = false,
             low_balance_tier = NULL, updated_at = $4
      WHERE id = $1""";
  private static final String STARS_SUBSCRIBER = """
      UPDATE users SET stars_subscription_charge_id = $2, stars_subscription_canceled = false WHERE id = $1""";
  // A top-up re-arms every low-balance tier.
  private static final String RENEWAL_TARIFF = """
      SELECT id, period_unit, period_value, subscription_fee FROM tariffs WHERE slug = $1""";
  private static final String TOPPED_UP = "UPDATE users SET low_balance_tier = NULL, updated_at = $2 WHERE id = $1";
  private static final String REDEEM = """
      INSERT INTO promo_redemptions (user_id, promo_code_id, tariff_id, invoice_id, kind, created_at)
      VALUES ($1, $2, $3, $4, 'invoice', $5)""";
  private static final String COUNT_USE = "UPDATE promo_codes SET uses_count = uses_count + 1, updated_at = $2 WHERE id = $1";
  private static final String CODE_OF = "SELECT code FROM promo_codes WHERE id = $1";

  /** What became of a receipt. */
  public enum Outcome {
    /** The invoice is paid by this payment now. */
    CREDITED,
    /** This payment was recorded before; nothing changed. */
    DUPLICATE,
    /** Refused and audited: it does not fit its invoice (the provider hears an error). */
    MISMATCH,
    /** Taken but not credited: the money goes back to the payer (a second payment, a payment that does not fit). */
    RETURN_DUE
  }

  /**
   * What happened to a receipt: the outcome, whose payment it was, the invoice it paid (a Stars
   * renewal's own new invoice), the ledger row it made, and why it was not credited (null if it was).
   */
  public record Received(Outcome outcome, long userId, Long invId, Long transactionId, String problem) {
  }

  /**
   * A Robokassa-protocol callback's answer: whether it was taken and what to answer the provider;
   * what happened (credited, duplicate, mismatch) for the metrics; whose invoice it was and which
   * ledger row it made (null when none), for the log.
   */
  public record Answer(boolean accepted, String body, String outcome, long userId, Long transactionId) {
  }

  private final Pool pool;
  private final Clock clock;
  private final BillingRules config;
  private final PaymentProviders providers;
  private final Ledger ledger;
  private final PromoCodes promoCodes;

  public Payments(Pool pool, Clock clock, BillingRules config, PaymentProviders providers) {
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.providers = providers;
    this.ledger = new Ledger(clock, config.balanceFloor());
    this.promoCodes = new PromoCodes(pool, clock);
  }

  /** Whether {@code name} is an enabled provider (a metrics label must not take any name from a URL). */
  public boolean enabled(String name) {
    return providers.get(name).isPresent();
  }

  /** A result callback of a provider speaking Robokassa's protocol ({@code /payments/{provider}/result}). */
  public Future<Answer> result(String providerName, Map<String, String> params) {
    PaymentProvider provider = providers.get(providerName).orElse(null);
    if (provider == null) {
      return Future.failedFuture(PaymentRefusal.UNKNOWN_PROVIDER.because("No payment provider " + providerName));
    }
    return provider.verifyResult(params)
        .map(callback -> receive(receipt(provider, callback), new Actor("webhook", provider.name()))
            .map(received -> answer(provider, callback, received))
            .onSuccess(answer -> logAnswer(callback, answer)))
        .orElseGet(() -> Future.failedFuture(PaymentRefusal.BAD_SIGNATURE.because("Signature does not match")));
  }

  /** The callback as a receipt: its InvId is the payment's id, Shp_user names the payer. */
  private static Receipt receipt(PaymentProvider provider, PaymentProvider.ResultCallback callback) {
    BigDecimal amount;
    try {
      amount = Decimals.parse("OutSum", callback.outSum());
    } catch (IllegalArgumentException e) {
      amount = null;
    }
    Long payer;
    try {
      payer = Long.valueOf(callback.shp().getOrDefault("Shp_user", ""));
    } catch (NumberFormatException e) {
      payer = null;
    }
    return Receipt.once(provider.name(), Long.toString(callback.invId()), callback.invId(), amount, payer,
        callback.test());
  }

  private static Answer answer(PaymentProvider provider, PaymentProvider.ResultCallback callback, Received received) {
    return switch (received.outcome()) {
      case CREDITED -> new Answer(true, provider.successAnswer(callback.invId()), "credited", received.userId(),
          received.transactionId());
      case DUPLICATE -> new Answer(true, provider.successAnswer(callback.invId()), "duplicate", received.userId(), null);
      default -> new Answer(false, received.problem(), "mismatch", received.userId(), null);
    };
  }

  /** After the transaction: one line per result callback, with the ids it concerns. */
  private void logAnswer(PaymentProvider.ResultCallback callback, Answer answer) {
    if (answer.accepted()) {
      log.info("Payment callback {} {} {} {} {}", kv("outcome", answer.outcome()), kv("inv_id", callback.invId()),
          kv("user_id", answer.userId()), kv("transaction_id", answer.transactionId()), kv("amount", callback.outSum()));
    } else {
      log.warn("Payment callback refused {} {} {} {}", kv("outcome", answer.outcome()), kv("inv_id", callback.invId()),
          kv("user_id", answer.userId()), kv("reason", answer.body()));
    }
  }

  /** Applies a receipt exactly once (see the class comment); refused as UNKNOWN_INVOICE when nothing can record it. */
  public Future<Received> receive(Receipt receipt, Actor actor) {
    OffsetDateTime now = Times.utcNow(clock);
    // The owner is read before the transaction: it never changes, and on Citus a read of every shard
    // inside the transaction would keep it from writing the promo-code reference table later.
    Future<Long> owner = receipt.invId() == null ? Future.succeededFuture() : InvoiceOwner.of(pool, receipt.invId());
    return owner.compose(userId -> pool.withTransaction(tx -> lock(tx, receipt.invId(), userId).compose(invoice -> {
      if (invoice == null) {
        return receipt.returnable() && receipt.payerId() != null
            ? returnDue(tx, receipt, null, receipt.payerId(), "no_invoice", "the payment names no invoice", actor, now)
            : Future.failedFuture(PaymentRefusal.UNKNOWN_INVOICE.because("No invoice " + receipt.invId()));
      }
      // Looked up under the invoice's user, where a credit records it (one shard on Citus). Money returned
      // to another payer is recorded under the payer; a repeat of it meets that row's unique key in returnDue.
      Tuple payment = Tuple.of(receipt.provider(), receipt.paymentId(), invoice.getLong("user_id"));
      return tx.preparedQuery(PAYMENT).execute(payment).compose(rows -> {
        if (rows.size() > 0) {
          return Future.succeededFuture(new Received(Outcome.DUPLICATE, rows.iterator().next().getLong("user_id"),
              invoice.getLong("inv_id"), null, null));
        }
        return apply(tx, invoice, receipt, actor, now);
      });
    }))).onSuccess(received -> {
      if (received.outcome() != Outcome.DUPLICATE && received.outcome() != Outcome.CREDITED) {
        log.warn("Payment not credited {} {} {} {} {}", kv("outcome", received.outcome()),
            kv("provider", receipt.provider()), kv("payment_id", receipt.paymentId()), kv("inv_id", receipt.invId()),
            kv("reason", received.problem()));
      }
    });
  }

  /** The invoice (with its user's subscription end), locked; null when there is none. */
  private static Future<Row> lock(SqlConnection tx, Long invId, Long owner) {
    if (invId == null || owner == null) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(LOCK_INVOICE).execute(Tuple.of(invId, owner))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  private Future<Received> apply(SqlConnection tx, Row invoice, Receipt receipt, Actor actor, OffsetDateTime now) {
    long userId = invoice.getLong("user_id");
    String problem = mismatch(invoice, receipt);
    if (problem != null) {
      // Money goes back to whoever paid it, which a mismatch may make someone else than the invoice's user.
      long payer = receipt.payerId() != null ? receipt.payerId() : userId;
      return receipt.returnable() ? returnDue(tx, receipt, invoice, payer, "mismatch", problem, actor, now)
          : refuse(tx, invoice, receipt, problem, actor, now);
    }
    String status = invoice.getString("status");
    if (status.equals("paid") || status.equals("refunded")) {
      if (receipt.recurring() && invoice.getBoolean("star_subscription")) {
        return renewal(tx, invoice, receipt, actor, now);
      }
      String why = "a second payment of invoice " + invoice.getLong("inv_id") + ", already " + status;
      return receipt.returnable() ? returnDue(tx, receipt, invoice, userId, "already_paid", why, actor, now)
          : refuse(tx, invoice, receipt, why, actor, now);
    }
    return credit(tx, invoice, receipt, actor, now);
  }

  /** Why the receipt does not fit the invoice, or null if it does. */
  private String mismatch(Row invoice, Receipt receipt) {
    if (receipt.test() && !providers.get(receipt.provider()).map(PaymentProvider::acceptsTestPayments).orElse(false)) {
      return "IsTest=1 while the shop is live (ROBOKASSA_IS_TEST=false)";
    }
    if (!receipt.provider().equals(invoice.getString("provider"))) {
      return "the invoice is payable through " + invoice.getString("provider") + ", not " + receipt.provider();
    }
    if (!receipt.currency().equals(invoice.getString("currency"))) {
      return "currency " + receipt.currency() + " is not the invoice's " + invoice.getString("currency");
    }
    if (receipt.amount() == null) {
      return "the amount is not a number";
    }
    if (receipt.amount().compareTo(invoice.getBigDecimal("amount")) != 0) {
      return "the amount " + receipt.amount().toPlainString() + " is not the invoice amount "
          + invoice.getBigDecimal("amount").toPlainString();
    }
    if (receipt.payerId() == null || receipt.payerId().longValue() != invoice.getLong("user_id")) {
      return "the payer does not match the invoice's user";
    }
    return null;
  }

  /** A callback that does not fit: the audit row and the admins' alert are the only changes; the provider hears 400. */
  private Future<Received> refuse(SqlConnection tx, Row invoice, Receipt receipt, String problem, Actor actor,
                                  OffsetDateTime now) {
    long userId = invoice.getLong("user_id");
    long invId = invoice.getLong("inv_id");
    String amount = receipt.amount() == null ? null : receipt.amount().toPlainString();
    JsonObject alert = new JsonObject().put("inv_id", invId).put("problem", problem).put("out_sum", amount);
    return AuditLog.record(tx, actor, "payment.mismatch", "invoice", Long.toString(invId), userId, null,
            new JsonObject().put("problem", problem).put("amount", amount).put("payment_id", receipt.paymentId())
                .put("payer", receipt.payerId()))
        .compose(v -> Outbox.toAdmins(tx, new Outbox.Notice(userId, "payment_mismatch", "payment.mismatch", alert,
            "mismatch:" + invId + ":" + problem + ":" + amount), config.adminChatIds(), now))
        .map(v -> new Received(Outcome.MISMATCH, userId, invId, null, problem));
  }

  /**
   * Money taken that Kopeck does not credit, recorded under its payment id as due for return; the
   * provider's handler gives it back after the commit. The user and admins are told why.
   */
  private Future<Received> returnDue(SqlConnection tx, Receipt receipt, Row invoice, long userId, String reason,
                                     String problem, Actor actor, OffsetDateTime now) {
    Long invId = invoice == null ? null : invoice.getLong("inv_id");
    return recordPayment(tx, receipt, userId, invoice == null ? null : invoice.getUUID("id"), "refund_due", problem, now)
        .compose(id -> {
          if (id == null) {
            return Future.succeededFuture(new Received(Outcome.DUPLICATE, userId, invId, null, null));
          }
          JsonObject args = new JsonObject().put("amount", receipt.amount().toPlainString())
              .put("currency", receipt.currency()).put("reason", reason).put("problem", problem)
              .put("payment_id", receipt.paymentId()).put("inv_id", invId);
          return AuditLog.record(tx, actor, "payment.return_due", "payment", receipt.provider() + ":" + receipt.paymentId(),
                  userId, null, args)
              .compose(v -> Outbox.toUserAndAdmins(tx, new Outbox.Notice(userId, "payment_returning",
                  "payment.returning", args, "returning:" + receipt.provider() + ":" + receipt.paymentId()),
                  config.adminChatIds(), now))
              .map(v -> new Received(Outcome.RETURN_DUE, userId, invId, null, problem));
        });
  }

  /** The payment's row; null when (provider, payment id) is recorded already. */
  private static Future<Long> recordPayment(SqlConnection tx, Receipt receipt, long userId, UUID invoiceId,
                                            String status, String problem, OffsetDateTime now) {
    Tuple params = Tuple.of(userId, receipt.provider(), receipt.paymentId(), invoiceId,
        receipt.amount().toPlainString(), receipt.currency(), status, receipt.recurring(), problem, now);
    return tx.preparedQuery(RECORD_PAYMENT).execute(params)
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("id"));
  }

  /**
   * A Stars subscription's monthly charge: a new invoice for the same purchase, linked to the first,
   * credited like any other (its ledger key is its own invoice).
   */
  private Future<Received> renewal(SqlConnection tx, Row first, Receipt receipt, Actor actor, OffsetDateTime now) {
    Tuple values = Tuple.tuple().addValue(first.getLong("user_id")).addValue(first.getUUID("tariff_id"))
        .addValue(receipt.amount().toPlainString())
        .addValue(first.getBigDecimal("tokens").subtract(first.getBigDecimal("bonus_tokens")).toPlainString())
        .addValue(first.getString("period_unit")).addValue(first.getInteger("period_value"))
        .addValue("renewal:" + receipt.provider() + ":" + receipt.paymentId()).addValue(first.getString("provider"))
        .addValue(first.getString("currency")).addValue(first.getUUID("id")).addValue(now);
    return tx.preparedQuery(RENEWAL).execute(values)
        .compose(rows -> lock(tx, rows.iterator().next().getLong("inv_id"), first.getLong("user_id")))
        .compose(renewal -> credit(tx, renewal, receipt, actor, now));
  }

  private Future<Received> credit(SqlConnection tx, Row invoice, Receipt receipt, Actor actor, OffsetDateTime now) {
    long userId = invoice.getLong("user_id");
    UUID invoiceId = invoice.getUUID("id");
    String previous = invoice.getString("status");
    return recordPayment(tx, receipt, userId, invoiceId, "credited", null, now).compose(id -> id == null
        ? Future.succeededFuture(new Received(Outcome.DUPLICATE, userId, invoice.getLong("inv_id"), null, null))
        : ledger.post(tx, new Posting(userId, TransactionType.TOPUP, invoice.getBigDecimal("tokens"), BalanceRule.CREDIT,
                "invoice:" + invoiceId, invoiceId, "invoice " + invoice.getLong("inv_id"), null))
            .compose(posting -> subscription(tx, invoice, receipt, now).compose(end -> tx.preparedQuery(MARK_PAID)
                .execute(Tuple.of(invoiceId, now, receipt.paymentId(), userId))
                .compose(v -> subscriber(tx, invoice, receipt))
                .compose(v -> countPromoUse(tx, invoice, actor, now))
                .compose(v -> record(tx, invoice, posting, end, previous, actor, now))
                .map(v -> new Received(Outcome.CREDITED, userId, invoice.getLong("inv_id"), posting.transactionId(),
                    null)))));
  }

  /** The first charge of a Stars subscription: the charge id that auto-renew toggles in the bot refer to. */
  private static Future<Void> subscriber(SqlConnection tx, Row invoice, Receipt receipt) {
    if (!receipt.firstOfSubscription() || !invoice.getBoolean("star_subscription")) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(STARS_SUBSCRIBER).execute(Tuple.of(invoice.getLong("user_id"), receipt.paymentId()))
        .mapEmpty();
  }

  /**
   * Starts or extends the subscription for a tariff with a period; a top-up only re-arms the
   * low-balance notice — or, with TOPUP_ACTIVATES_SUBSCRIPTION, starts a subscription for a user
   * without one. A Stars subscription charge runs at least until Telegram's expiration date.
   */
  private Future<Extension> subscription(SqlConnection tx, Row invoice, Receipt receipt, OffsetDateTime now) {
    long userId = invoice.getLong("user_id");
    String unit = invoice.getString("period_unit");
    if (unit == null) {
      OffsetDateTime end = invoice.getOffsetDateTime("subscription_end");
      boolean inactive = end == null || !end.isAfter(now);
      return tx.preparedQuery(TOPPED_UP).execute(Tuple.of(userId, now))
          .compose(v -> config.topupActivatesSubscription() && inactive ? activate(tx, invoice, now)
              : Future.succeededFuture(new Extension(end, null)));
    }
    OffsetDateTime end = Periods.extend(invoice.getOffsetDateTime("subscription_end"), now, unit,
        invoice.getInteger("period_value"), config.displayTimezone());
    if (receipt.paidUntil() != null && receipt.paidUntil().isAfter(end)) {
      end = receipt.paidUntil();
    }
    return tx.preparedQuery(EXTEND).execute(Tuple.of(userId, end, invoice.getUUID("tariff_id"), now))
        .map(new Extension(end, null));
  }

  /** Where the subscription ends after a payment, and the fee a top-up paid to start it (null: none). */
  private record Extension(OffsetDateTime end, BigDecimal activationFee) {
  }

  /**
   * A top-up that starts a subscription (SPEC §14, the seed system's rule): DEFAULT_TARIFF's renewal
   * fee comes off the credited tokens (a {@code subscription} row keyed {@code activation:<invoice>})
   * and one period of it starts now. A top-up that does not cover the fee only credits.
   */
  private Future<Extension> activate(SqlConnection tx, Row invoice, OffsetDateTime now) {
    long userId = invoice.getLong("user_id");
    UUID invoiceId = invoice.getUUID("id");
    return tx.preparedQuery(RENEWAL_TARIFF).execute(Tuple.of(config.defaultTariff())).compose(rows -> {
      Row tariff = rows.size() == 0 ? null : rows.iterator().next();
      if (tariff == null || tariff.getString("period_unit") == null
          || invoice.getBigDecimal("tokens").compareTo(tariff.getBigDecimal("subscription_fee")) < 0) {
        return Future.succeededFuture(new Extension(invoice.getOffsetDateTime("subscription_end"), null));
      }
      BigDecimal fee = tariff.getBigDecimal("subscription_fee");
      OffsetDateTime end = Periods.extend(null, now, tariff.getString("period_unit"), tariff.getInteger("period_value"),
          config.displayTimezone());
      Future<?> charged = fee.signum() == 0 ? Future.succeededFuture()
          : ledger.post(tx, new Posting(userId, TransactionType.SUBSCRIPTION, fee.negate(), BalanceRule.NEVER_BELOW_ZERO,
              "activation:" + invoiceId, null, "subscription started by top-up " + invoice.getLong("inv_id"), null));
      return charged.compose(v -> tx.preparedQuery(EXTEND).execute(Tuple.of(userId, end, tariff.getUUID("id"), now)))
          .map(new Extension(end, fee));
    });
  }

  /**
   * Uses count when paid. The code is checked again first: if it ran out, expired or was switched
   * off meanwhile, the payment is still honoured (the payer paid that price) and the audit says why.
   */
  private Future<Void> countPromoUse(SqlConnection tx, Row invoice, Actor actor, OffsetDateTime now) {
    UUID promoId = invoice.getUUID("promo_code_id");
    if (promoId == null) {
      return Future.succeededFuture();
    }
    long userId = invoice.getLong("user_id");
    UUID tariffId = invoice.getUUID("tariff_id");
    return tx.preparedQuery(CODE_OF).execute(Tuple.of(promoId))
        .compose(rows -> promoCodes.check(tx, rows.iterator().next().getString("code"), userId, tariffId))
        .compose(check -> tx.preparedQuery(REDEEM).execute(Tuple.of(userId, promoId, tariffId, invoice.getUUID("id"), now))
            .compose(v -> tx.preparedQuery(COUNT_USE).execute(Tuple.of(promoId, now)))
            .compose(v -> check.usable() ? Future.succeededFuture()
                : AuditLog.record(tx, actor, "promo.honoured_after_recheck", "promo_code", check.promo().code(), userId,
                    null, new JsonObject().put("inv_id", invoice.getLong("inv_id")).put("problem", check.problem().code())
                        .put("uses_count", check.promo().usesCount() + 1).put("max_uses", check.promo().maxUses()))));
  }

  private Future<Void> record(SqlConnection tx, Row invoice, PostingResult posting, Extension extension,
                              String previous, Actor actor, OffsetDateTime now) {
    OffsetDateTime end = extension.end();
    long userId = invoice.getLong("user_id");
    long invId = invoice.getLong("inv_id");
    JsonObject args = new JsonObject().put("inv_id", invId).put("amount", invoice.getBigDecimal("amount").toPlainString())
        .put("currency", invoice.getString("currency"))
        .put("tokens", invoice.getBigDecimal("tokens").toPlainString())
        .put("balance", (extension.activationFee() == null ? posting.balanceAfter()
            : posting.balanceAfter().subtract(extension.activationFee())).toPlainString())
        .put("subscription_end", end == null ? null : end.toString())
        .put("activation_fee", extension.activationFee() == null ? null : extension.activationFee().toPlainString());
    List<Future<?>> writes = new ArrayList<>();
    writes.add(AuditLog.record(tx, actor, previous.equals("pending") ? "invoice.paid" : "invoice.paid_late",
        "invoice", Long.toString(invId), userId, new JsonObject().put("status", previous), args.copy().put("status", "paid")));
    writes.add(Outbox.toUserAndAdmins(tx, new Outbox.Notice(userId, "payment", "payment.received", args,
        "invoice:" + invId), config.adminChatIds(), now));
    return Future.all(writes).mapEmpty();
  }
}

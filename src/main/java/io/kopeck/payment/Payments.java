package io.kopeck.payment;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.catalog.Periods;
import io.kopeck.catalog.PromoCodes;
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
import java.util.Map;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The payment result callback (SPEC §5), exactly once: signature, invoice, exact amount and Shp_
 * match, then — in one transaction under the invoice's row lock — credit the tokens, start or
 * extend the subscription, mark the invoice paid, count the promo use, audit, and enqueue the
 * user's and admins' notices. A callback for an invoice already paid answers OK and changes nothing.
 */
public final class Payments {
  private static final Logger log = LoggerFactory.getLogger(Payments.class);

  private static final String LOCK_INVOICE = """
      SELECT i.id, i.inv_id, i.user_id, i.tariff_id, i.promo_code_id, i.amount, i.tokens, i.period_unit,
             i.period_value, i.status, i.provider, u.subscription_end
      FROM invoices i JOIN users u ON u.id = i.user_id WHERE i.inv_id = $1 FOR UPDATE OF i""";
  private static final String MARK_PAID = "UPDATE invoices SET status = 'paid', paid_at = $2 WHERE id = $1";
  private static final String EXTEND = """
      UPDATE users SET subscription_end = $2, tariff_id = $3, last_expiry_notice = NULL, expired_notified = false,
             low_balance_notified = false, updated_at = $4
      WHERE id = $1""";
  private static final String TOPPED_UP = "UPDATE users SET low_balance_notified = false, updated_at = $2 WHERE id = $1";
  private static final String REDEEM = """
      INSERT INTO promo_redemptions (user_id, promo_code_id, tariff_id, invoice_id, kind, created_at)
      VALUES ($1, $2, $3, $4, 'invoice', $5)""";
  private static final String COUNT_USE = "UPDATE promo_codes SET uses_count = uses_count + 1, updated_at = $2 WHERE id = $1";
  private static final String CODE_OF = "SELECT code FROM promo_codes WHERE id = $1";

  /**
   * Whether the callback was taken and what to answer the provider; what happened (credited,
   * duplicate, mismatch) for the metrics; and whose invoice it was and which ledger row it made (null
   * when none), for the log.
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

  public Future<Answer> result(String providerName, Map<String, String> params) {
    PaymentProvider provider = providers.get(providerName).orElse(null);
    if (provider == null) {
      return Future.failedFuture(PaymentRefusal.UNKNOWN_PROVIDER.because("No payment provider " + providerName));
    }
    return provider.verifyResult(params)
        .map(callback -> apply(provider, callback).onSuccess(answer -> logAnswer(callback, answer)))
        .orElseGet(() -> Future.failedFuture(PaymentRefusal.BAD_SIGNATURE.because("Signature does not match")));
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

  private Future<Answer> apply(PaymentProvider provider, PaymentProvider.ResultCallback callback) {
    OffsetDateTime now = Times.utcNow(clock);
    Actor actor = new Actor("webhook", provider.name());
    return pool.withTransaction(tx -> tx.preparedQuery(LOCK_INVOICE).execute(Tuple.of(callback.invId()))
        .compose(rows -> {
          if (rows.size() == 0) {
            return Future.failedFuture(PaymentRefusal.UNKNOWN_INVOICE.because("No invoice " + callback.invId()));
          }
          Row invoice = rows.iterator().next();
          String mismatch = mismatch(invoice, provider, callback);
          if (mismatch != null) {
            // The audit row and the admins' alert are the only changes; the provider hears 400.
            long userId = invoice.getLong("user_id");
            JsonObject alert = new JsonObject().put("inv_id", callback.invId()).put("problem", mismatch)
                .put("out_sum", callback.outSum());
            return AuditLog.record(tx, actor, "payment.mismatch", "invoice", Long.toString(callback.invId()),
                    userId, null, new JsonObject().put("problem", mismatch)
                        .put("out_sum", callback.outSum()).put("shp", new JsonObject(Map.copyOf(callback.shp()))))
                .compose(v -> Outbox.toAdmins(tx, new Outbox.Notice(userId, "payment_mismatch", "payment.mismatch", alert,
                    "mismatch:" + callback.invId() + ":" + mismatch + ":" + callback.outSum()), config.adminChatIds(), now))
                .map(v -> new Answer(false, mismatch, "mismatch", userId, null));
          }
          String status = invoice.getString("status");
          if (status.equals("paid") || status.equals("refunded")) {
            return Future.succeededFuture(new Answer(true, provider.successAnswer(callback.invId()), "duplicate",
                invoice.getLong("user_id"), null));
          }
          return credit(tx, invoice, actor, now).map(posting -> new Answer(true,
              provider.successAnswer(callback.invId()), "credited", invoice.getLong("user_id"), posting.transactionId()));
        }));
  }

  /** Why the callback does not fit the invoice, or null if it does. */
  private static String mismatch(Row invoice, PaymentProvider provider, PaymentProvider.ResultCallback callback) {
    if (callback.test() && !provider.acceptsTestPayments()) {
      return "IsTest=1 while the shop is live (ROBOKASSA_IS_TEST=false)";
    }
    if (!provider.name().equals(invoice.getString("provider"))) {
      return "the invoice is payable through " + invoice.getString("provider") + ", not " + provider.name();
    }
    BigDecimal paid;
    try {
      paid = new BigDecimal(callback.outSum());
    } catch (NumberFormatException e) {
      return "OutSum is not a number";
    }
    if (paid.compareTo(invoice.getBigDecimal("amount")) != 0) {
      return "OutSum " + callback.outSum() + " is not the invoice amount " + invoice.getBigDecimal("amount").toPlainString();
    }
    if (!Long.toString(invoice.getLong("user_id")).equals(callback.shp().get("Shp_user"))) {
      return "Shp_user does not match the invoice";
    }
    return null;
  }

  private Future<PostingResult> credit(SqlConnection tx, Row invoice, Actor actor, OffsetDateTime now) {
    long userId = invoice.getLong("user_id");
    UUID invoiceId = invoice.getUUID("id");
    String previous = invoice.getString("status");
    return ledger.post(tx, new Posting(userId, TransactionType.TOPUP, invoice.getBigDecimal("tokens"), BalanceRule.CREDIT,
            "invoice:" + invoiceId, invoiceId, "invoice " + invoice.getLong("inv_id"), null))
        .compose(posting -> subscription(tx, invoice, now).compose(end -> tx.preparedQuery(MARK_PAID)
            .execute(Tuple.of(invoiceId, now))
            .compose(v -> countPromoUse(tx, invoice, actor, now))
            .compose(v -> record(tx, invoice, posting, end, previous, actor, now)).map(posting)));
  }

  /** Starts or extends the subscription for a tariff with a period; a top-up only re-arms the low-balance notice. */
  private Future<OffsetDateTime> subscription(SqlConnection tx, Row invoice, OffsetDateTime now) {
    long userId = invoice.getLong("user_id");
    String unit = invoice.getString("period_unit");
    if (unit == null) {
      return tx.preparedQuery(TOPPED_UP).execute(Tuple.of(userId, now))
          .map(v -> invoice.getOffsetDateTime("subscription_end"));
    }
    OffsetDateTime end = Periods.extend(invoice.getOffsetDateTime("subscription_end"), now, unit,
        invoice.getInteger("period_value"), config.displayTimezone());
    return tx.preparedQuery(EXTEND).execute(Tuple.of(userId, end, invoice.getUUID("tariff_id"), now)).map(end);
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

  private Future<Void> record(SqlConnection tx, Row invoice, PostingResult posting, OffsetDateTime end, String previous,
                              Actor actor, OffsetDateTime now) {
    long userId = invoice.getLong("user_id");
    long invId = invoice.getLong("inv_id");
    JsonObject args = new JsonObject().put("inv_id", invId).put("amount", invoice.getBigDecimal("amount").toPlainString())
        .put("tokens", invoice.getBigDecimal("tokens").toPlainString())
        .put("balance", posting.balanceAfter().toPlainString())
        .put("subscription_end", end == null ? null : end.toString());
    List<Future<?>> writes = new ArrayList<>();
    writes.add(AuditLog.record(tx, actor, previous.equals("pending") ? "invoice.paid" : "invoice.paid_late",
        "invoice", Long.toString(invId), userId, new JsonObject().put("status", previous), args.copy().put("status", "paid")));
    writes.add(Outbox.toUserAndAdmins(tx, new Outbox.Notice(userId, "payment", "payment.received", args,
        "invoice:" + invId), config.adminChatIds(), now));
    return Future.all(writes).mapEmpty();
  }
}

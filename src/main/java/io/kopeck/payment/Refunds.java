package io.kopeck.payment;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.InvoiceStates;
import io.kopeck.common.BillingRules;
import io.kopeck.common.Times;
import io.kopeck.events.EventType;
import io.kopeck.events.Events;
import io.kopeck.ledger.BalanceRule;
import io.kopeck.ledger.Ledger;
import io.kopeck.ledger.Posting;
import io.kopeck.ledger.PostingResult;
import io.kopeck.ledger.TransactionType;
import io.kopeck.notify.Outbox;
import io.kopeck.subscription.SubscriptionPeriods;
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
import java.util.function.BiFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refunds (SPEC §4, §12, §13): paid → refunded, a refund row reversing the credited tokens (the
 * balance may go below zero, never below the floor — then the refund is refused and says so), the
 * subscription shortened by the purchased period; audited and announced, in one transaction.
 *
 * <p>For a provider that gives money back on Kopeck's word ({@link MoneyBack}: Stars, YooKassa) the
 * provider is asked first, outside any transaction, and the ledger follows only once it says the
 * money is back (Telegram's CHARGE_ALREADY_REFUNDED counts as back). A return still under way is
 * recorded as {@code refund_pending} and finished by {@link #providerRefunded} when the provider
 * confirms. Money that was never credited (a payment due for return) is given back by
 * {@link #returnDue}. Robokassa and the mock have no refund API: their ledger side is recorded here,
 * the money is returned in the provider's cabinet.
 */
public final class Refunds {
  private static final Logger log = LoggerFactory.getLogger(Refunds.class);

  private static final String PAYMENT_OF_INVOICE = """
      SELECT id, user_id, provider, provider_payment_id, status, refund_id FROM payments
      WHERE invoice_id = $1 AND user_id = $2 AND status IN ('credited', 'refund_pending') ORDER BY id LIMIT 1""";
  private static final String PAYMENT = """
      SELECT p.id, p.user_id, p.provider, p.provider_payment_id, p.status, p.amount, p.currency, p.refund_id,
             i.inv_id
      FROM payments p LEFT JOIN invoices i ON i.user_id = p.user_id AND i.id = p.invoice_id
      WHERE p.provider = $1 AND p.provider_payment_id = $2""";
  private static final String SET_PAYMENT = """
      UPDATE payments SET status = $2, refund_id = coalesce($3, refund_id), updated_at = $4
      WHERE id = $1 AND user_id = $5""";
  private static final String RETURN_DUE = """
      SELECT id, user_id, provider, provider_payment_id, amount, currency, status FROM payments
      WHERE provider = $1 AND status = 'refund_due' AND updated_at <= $2 ORDER BY id LIMIT 100""";

  private final Pool pool;
  private final Clock clock;
  private final BillingRules config;
  private final Ledger ledger;
  private final SubscriptionPeriods periods;
  private final Map<String, MoneyBack> moneyBack;
  private final Events events;

  public Refunds(Pool pool, Clock clock, BillingRules config, Ledger ledger, SubscriptionPeriods periods,
                 Events events, Map<String, MoneyBack> moneyBack) {
    this.events = events;
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.ledger = ledger;
    this.periods = periods;
    this.moneyBack = Map.copyOf(moneyBack);
  }

  /** A refund that may go ahead: the paid invoice, and the payment that paid it (null before payments were recorded). */
  private record Plan(Invoice invoice, Row payment) {
  }

  /** A paid invoice, locked with its user, and the user's balance. */
  private record Locked(Invoice invoice, BigDecimal balance) {
  }

  /** An admin's refund of a paid invoice: the provider first where it can return money, then the ledger. */
  public Future<JsonObject> refund(long invId, String reason, Actor actor) {
    return check(invId).compose(plan -> {
      Row payment = plan.payment();
      MoneyBack provider = payment == null ? null : moneyBack.get(payment.getString("provider"));
      if (provider == null) {
        return reverseInvoice(invId, reason, actor, null, false);
      }
      Invoice invoice = plan.invoice();
      return provider.giveBack(invoice.userId(), payment.getString("provider_payment_id"),
          invoice.amount(), invoice.currency(), "refund:" + invoice.id())
          .compose(step -> switch (step.state()) {
            case DONE -> reverseInvoice(invId, reason, actor, step.refundId(), true);
            case PENDING -> markPending(payment, step, invId, actor);
            case REFUSED -> Future.failedFuture(PaymentRefusal.PROVIDER_REFUSED.because(
                payment.getString("provider") + " refused the refund: " + step.problem()));
          });
    }).onSuccess(result -> log.info("Refund {} {} {} {}", kv("inv_id", invId), kv("status", result.getString("status")),
        kv("user_id", result.getLong("user_id")), kv("transaction_id", result.getLong("transaction_id"))));
  }

  /** The refund is possible: the invoice is paid and the balance stays above the floor. */
  private Future<Plan> check(long invId) {
    return withPaidInvoice(invId, (tx, locked) -> {
      Invoice invoice = locked.invoice();
      if (locked.balance().subtract(invoice.tokens()).compareTo(config.balanceFloor()) < 0) {
        return Future.failedFuture(belowFloor(invoice, locked.balance()));
      }
      return tx.preparedQuery(PAYMENT_OF_INVOICE).execute(Tuple.of(invoice.id(), invoice.userId()))
          .map(payments -> new Plan(invoice, payments.size() == 0 ? null : payments.iterator().next()));
    });
  }

  private static Invoice paidInvoice(Invoice invoice, long invId) {
    if (invoice == null) {
      throw PaymentRefusal.INVOICE_NOT_FOUND.because("No invoice " + invId);
    }
    if (!invoice.status().equals("paid")) {
      throw PaymentRefusal.INVOICE_NOT_PAID.because(
          "Invoice " + invId + " is " + invoice.status() + "; only a paid invoice can be refunded");
    }
    return invoice;
  }

  private RuntimeException belowFloor(Invoice invoice, BigDecimal balance) {
    return PaymentRefusal.REFUND_BELOW_FLOOR.because("Refunding " + invoice.tokens().toPlainString()
        + " tokens would take the balance from " + balance.toPlainString() + " below the floor "
        + config.balanceFloor().toPlainString());
  }

  private Future<JsonObject> markPending(Row payment, MoneyBack.Step step, long invId, Actor actor) {
    OffsetDateTime now = Times.utcNow(clock);
    return pool.withTransaction(tx -> tx.preparedQuery(SET_PAYMENT)
        .execute(Tuple.of(payment.getLong("id"), "refund_pending", step.refundId(), now, payment.getLong("user_id")))
        .compose(v -> AuditLog.record(tx, actor, "invoice.refund_requested", "invoice", Long.toString(invId), null,
            null, new JsonObject().put("refund_id", step.refundId())))
        .map(v -> new JsonObject().put("inv_id", invId).put("status", "refund_pending")
            .put("refund_id", step.refundId())));
  }

  /**
   * The provider says it gave back the payment {@code paymentId} (Telegram's refunded_payment, a
   * YooKassa refund that succeeded): a credited payment's invoice is reversed once; a payment due
   * for return is marked returned. A payment already settled changes nothing.
   */
  public Future<JsonObject> providerRefunded(String provider, String paymentId, Actor actor) {
    return pool.preparedQuery(PAYMENT).execute(Tuple.of(provider, paymentId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(PaymentRefusal.UNKNOWN_PAYMENT.because("No " + provider + " payment " + paymentId));
      }
      Row payment = rows.iterator().next();
      String status = payment.getString("status");
      if (status.equals("refund_due")) {
        return returned(payment, payment.getString("refund_id"), actor);
      }
      if (!status.equals("credited") && !status.equals("refund_pending")) {
        return Future.succeededFuture(new JsonObject().put("status", status).put("inv_id", payment.getLong("inv_id"))
            .put("user_id", payment.getLong("user_id")).put("duplicate", true));
      }
      return reverseInvoice(payment.getLong("inv_id"), "refunded at " + provider, actor, payment.getString("refund_id"),
          true);
    });
  }

  /**
   * Gives back the payments of {@code provider} due for return (not credited) that were last tried
   * before {@code triedBefore}; each one that the provider confirms is marked returned and the user told.
   */
  public Future<Integer> returnDue(String provider, OffsetDateTime triedBefore, Actor actor) {
    MoneyBack back = moneyBack.get(provider);
    if (back == null) {
      return Future.succeededFuture(0);
    }
    return pool.preparedQuery(RETURN_DUE).execute(Tuple.of(provider, triedBefore)).compose(rows -> {
      Future<Integer> chain = Future.succeededFuture(0);
      for (Row payment : rows) {
        chain = chain.compose(n -> returnOne(back, payment, actor).map(done -> done ? n + 1 : n));
      }
      return chain;
    });
  }

  /** One payment due for return: asked of the provider; true when the money is back. */
  public Future<Boolean> returnOne(MoneyBack back, Row payment, Actor actor) {
    long id = payment.getLong("id");
    long userId = payment.getLong("user_id");
    return back.giveBack(userId, payment.getString("provider_payment_id"),
            payment.getBigDecimal("amount"), payment.getString("currency"), "return:" + id)
        .compose(step -> switch (step.state()) {
          case DONE -> returned(payment, step.refundId(), actor).map(true);
          case PENDING -> pool.preparedQuery(SET_PAYMENT).execute(Tuple.of(id, "refund_due", step.refundId(),
              Times.utcNow(clock), userId)).map(false);
          case REFUSED -> {
            log.error("Payment due for return was refused by the provider {} {} {}", kv("payment", id),
                kv("provider", payment.getString("provider")), kv("reason", step.problem()));
            yield pool.preparedQuery(SET_PAYMENT).execute(Tuple.of(id, "refund_due", null, Times.utcNow(clock), userId))
                .map(false);
          }
        })
        .recover(e -> {
          log.warn("Payment due for return not returned yet {} {}", kv("payment", id), kv("reason", e.getMessage()));
          return pool.preparedQuery(SET_PAYMENT).execute(Tuple.of(id, "refund_due", null, Times.utcNow(clock), userId))
              .map(false);
        });
  }

  /** Finds one payment due for return by its provider id and gives it back at once. */
  public Future<Boolean> returnNow(String provider, String paymentId, Actor actor) {
    MoneyBack back = moneyBack.get(provider);
    return pool.preparedQuery(PAYMENT).execute(Tuple.of(provider, paymentId)).compose(rows -> {
      Row payment = rows.size() == 0 ? null : rows.iterator().next();
      if (back == null || payment == null || !payment.getString("status").equals("refund_due")) {
        return Future.succeededFuture(false);
      }
      return returnOne(back, payment, actor);
    });
  }

  private Future<JsonObject> returned(Row payment, String refundId, Actor actor) {
    long userId = payment.getLong("user_id");
    OffsetDateTime now = Times.utcNow(clock);
    String key = payment.getString("provider") + ":" + payment.getString("provider_payment_id");
    JsonObject args = new JsonObject().put("amount", payment.getBigDecimal("amount").toPlainString())
        .put("currency", payment.getString("currency")).put("payment_id", payment.getString("provider_payment_id"));
    return pool.withTransaction(tx -> tx.preparedQuery(
            "UPDATE payments SET status = 'returned', refund_id = coalesce($2, refund_id), updated_at = $3 "
                + "WHERE id = $1 AND user_id = $4 AND status = 'refund_due' RETURNING id")
        .execute(Tuple.of(payment.getLong("id"), refundId, now, userId)).compose(rows -> rows.size() == 0
            ? Future.succeededFuture()
            : AuditLog.record(tx, actor, "payment.returned", "payment", key, userId, null, args)
                .compose(v -> Outbox.toUserAndAdmins(tx, new Outbox.Notice(userId, "payment_returned",
                    "payment.returned", args, "returned:" + key), config.adminChatIds(), now))))
        .map(v -> args.copy().put("status", "returned").put("user_id", userId));
  }

  /**
   * The ledger side of a refund, in one transaction; {@code refundId} is the provider's, when it made one.
   * {@code moneyGone}: the provider has given the money back already, so the reversal posts even below
   * the floor (SPEC §17) — refusing it would leave tokens credited for money that is no longer there.
   */
  private Future<JsonObject> reverseInvoice(long invId, String reason, Actor actor, String refundId,
                                            boolean moneyGone) {
    OffsetDateTime now = Times.utcNow(clock);
    return withPaidInvoice(invId, (tx, locked) -> reverse(tx, locked.invoice(), moneyGone).compose(posting -> {
      Invoice invoice = locked.invoice();
      if (!posting.applied()) {
        return Future.failedFuture(belowFloor(invoice, posting.balanceBefore()));
      }
      return periods.shorten(tx, invoice.userId(), invoice.periodUnit(), invoice.periodValue(), now)
          .compose(change -> InvoiceStates.markRefunded(tx, invoice, now)
              .compose(v -> tx.preparedQuery("UPDATE payments SET status = 'refunded', refund_id = coalesce($2, "
                  + "refund_id), updated_at = $3 WHERE invoice_id = $1 AND user_id = $4 "
                  + "AND status IN ('credited', 'refund_pending')")
                  .execute(Tuple.of(invoice.id(), refundId, now, invoice.userId())))
              .compose(v -> record(tx, invoice, posting, change, reason, actor, now)));
    }));
  }

  /**
   * {@code work} in one transaction with the invoice and its user locked, once the invoice is known to
   * be paid. The owner is read before the transaction (it never changes), so the transaction itself
   * reads one shard on Citus.
   */
  private <T> Future<T> withPaidInvoice(long invId, BiFunction<SqlConnection, Locked, Future<T>> work) {
    return InvoiceStates.owner(pool, invId).compose(owner -> pool.withTransaction(tx ->
        InvoiceStates.lock(tx, invId, owner).compose(found -> {
          Invoice invoice = paidInvoice(found, invId);
          return ledger.lockUser(tx, invoice.userId()).compose(balance -> work.apply(tx, new Locked(invoice, balance)));
        })));
  }

  private Future<PostingResult> reverse(SqlConnection tx, Invoice invoice, boolean moneyGone) {
    UUID id = invoice.id();
    return ledger.post(tx, new Posting(invoice.userId(), TransactionType.REFUND,
        invoice.tokens().negate(), moneyGone ? BalanceRule.PROVIDER_REFUND : BalanceRule.DOWN_TO_FLOOR,
        "refund:" + id, id, "refund of invoice " + invoice.invId(),
        moneyGone ? BalanceRule.PROVIDER_REFUND_METADATA : null));
  }

  private Future<JsonObject> record(SqlConnection tx, Invoice invoice, PostingResult posting,
                                    SubscriptionPeriods.Change period, String reason, Actor actor, OffsetDateTime now) {
    long userId = invoice.userId();
    long invId = invoice.invId();
    OffsetDateTime end = period.after();
    JsonObject result = new JsonObject().put("inv_id", invId).put("user_id", userId).put("status", "refunded")
        .put("tokens_reversed", invoice.tokens().toPlainString())
        .put("balance_after", posting.balanceAfter().toPlainString()).put("transaction_id", posting.transactionId())
        .put("subscription_end", end == null ? null : end.toInstant().toString()).put("reason", reason)
        .put("below_floor", posting.balanceAfter().compareTo(config.balanceFloor()) < 0);
    List<Future<?>> writes = new ArrayList<>();
    writes.add(AuditLog.record(tx, actor, "invoice.refund", "invoice", Long.toString(invId), userId,
        new JsonObject().put("status", "paid").put("subscription_end",
            period.before() == null ? null : period.before().toInstant().toString()), result));
    writes.add(Outbox.toUserAndAdmins(tx, new Outbox.Notice(userId, "refund", "refund.done", result, "refund:" + invId),
        config.adminChatIds(), now));
    writes.add(events.emit(tx, userId, EventType.PAYMENT_REFUNDED, "invoice:" + invId, result.copy()
        .put("amount", invoice.amount().toPlainString()).put("currency", invoice.currency())
        .put("provider", invoice.provider())));
    return Future.all(writes).map(result);
  }
}

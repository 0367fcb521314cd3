package io.kopeck.payment;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.InvoiceStates;
import io.kopeck.catalog.PromoCodes;
import io.kopeck.common.BillingRules;
import io.kopeck.common.Times;
import io.kopeck.events.EventType;
import io.kopeck.events.Events;
import io.kopeck.ledger.BalanceRule;
import io.kopeck.ledger.Grants;
import io.kopeck.ledger.Ledger;
import io.kopeck.ledger.Posting;
import io.kopeck.ledger.PostingResult;
import io.kopeck.ledger.TransactionType;
import io.kopeck.notify.Outbox;
import io.kopeck.subscription.SubscriptionPeriods;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The one receiver of payments (SPEC §5, §12, §13). Each provider's protocol adapter — the
 * Robokassa-protocol callbacks ({@link RobokassaCallbacks}), Telegram Stars ({@link StarsPayments}),
 * YooKassa ({@link YooKassaPayments}) — turns its message into a {@link Receipt}, and
 * {@link #receive} applies it, in one transaction under the invoice's row lock: a payment already
 * recorded under (provider, payment id) changes nothing; one that does not fit its invoice is refused
 * and audited (or, when the provider can give money back, recorded as due for return); a second
 * payment of a paid invoice is due for return, unless it is a Stars subscription's renewal, which
 * becomes a new paid invoice linked to the first; otherwise the tokens are credited, the subscription
 * started or extended ({@link SubscriptionPeriods}), the invoice marked paid, the promo use counted
 * ({@link PromoCodes}), the payment recorded, audited, and the user's and admins' notices queued.
 */
public final class Payments {
  private static final Logger log = LoggerFactory.getLogger(Payments.class);

  private static final String PAYMENT = """
      SELECT id, user_id, status FROM payments WHERE provider = $1 AND provider_payment_id = $2 AND user_id = $3""";
  private static final String RECORD_PAYMENT = """
      INSERT INTO payments (user_id, provider, provider_payment_id, invoice_id, amount, currency, status, recurring,
                            problem, created_at, updated_at)
      VALUES ($1, $2, $3, $4, $5::text::numeric, $6, $7, $8, $9, $10, $10)
      ON CONFLICT DO NOTHING RETURNING id""";

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

  private final Pool pool;
  private final Clock clock;
  private final BillingRules config;
  private final PaymentProviders providers;
  private final Ledger ledger;
  private final PromoCodes promoCodes;
  private final SubscriptionPeriods periods;
  private final Events events;
  private final Grants grants;

  public Payments(Pool pool, Clock clock, BillingRules config, PaymentProviders providers, Ledger ledger,
                  PromoCodes promoCodes, SubscriptionPeriods periods, Events events) {
    this.events = events;
    this.grants = new Grants(ledger);
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.providers = providers;
    this.ledger = ledger;
    this.promoCodes = promoCodes;
    this.periods = periods;
  }

  /** Applies a receipt exactly once (see the class comment); refused as UNKNOWN_INVOICE when nothing can record it. */
  public Future<Received> receive(Receipt receipt, Actor actor) {
    OffsetDateTime now = Times.utcNow(clock);
    // The owner is read before the transaction (InvoiceStates.owner says why).
    Future<Long> owner = receipt.invId() == null ? Future.succeededFuture() : InvoiceStates.owner(pool, receipt.invId());
    return owner.compose(userId -> pool.withTransaction(tx -> InvoiceStates.lock(tx, receipt.invId(), userId)
        .compose(invoice -> {
          if (invoice == null) {
            return receipt.returnable() && receipt.payerId() != null
                ? returnDue(tx, receipt, null, receipt.payerId(), "no_invoice", "the payment names no invoice", actor, now)
                : Future.failedFuture(PaymentRefusal.UNKNOWN_INVOICE.because("No invoice " + receipt.invId()));
          }
          // Looked up under the invoice's user, where a credit records it (one shard on Citus). Money returned
          // to another payer is recorded under the payer; a repeat of it meets that row's unique key in returnDue.
          Tuple payment = Tuple.of(receipt.provider(), receipt.paymentId(), invoice.userId());
          return tx.preparedQuery(PAYMENT).execute(payment).compose(rows -> rows.size() > 0
              ? Future.succeededFuture(new Received(Outcome.DUPLICATE, rows.iterator().next().getLong("user_id"),
                  invoice.invId(), null, null))
              : apply(tx, invoice, receipt, actor, now));
        }))).onSuccess(received -> {
          if (received.outcome() != Outcome.DUPLICATE && received.outcome() != Outcome.CREDITED) {
            log.warn("Payment not credited {} {} {} {} {}", kv("outcome", received.outcome()),
                kv("provider", receipt.provider()), kv("payment_id", receipt.paymentId()), kv("inv_id", receipt.invId()),
                kv("reason", received.problem()));
          }
        });
  }

  private Future<Received> apply(SqlConnection tx, Invoice invoice, Receipt receipt, Actor actor, OffsetDateTime now) {
    String problem = mismatch(invoice, receipt);
    if (problem != null) {
      // Money goes back to whoever paid it, which a mismatch may make someone else than the invoice's user.
      long payer = receipt.payerId() != null ? receipt.payerId() : invoice.userId();
      return receipt.returnable() ? returnDue(tx, receipt, invoice, payer, "mismatch", problem, actor, now)
          : refuse(tx, invoice, receipt, problem, actor, now);
    }
    String status = invoice.status();
    if (status.equals("paid") || status.equals("refunded")) {
      if (receipt.recurring() && invoice.starSubscription()) {
        return InvoiceStates.renewal(tx, invoice, receipt.amount(), "renewal:" + receipt.provider() + ":"
            + receipt.paymentId(), now).compose(renewal -> credit(tx, renewal, receipt, actor, now));
      }
      String why = "a second payment of invoice " + invoice.invId() + ", already " + status;
      return receipt.returnable() ? returnDue(tx, receipt, invoice, invoice.userId(), "already_paid", why, actor, now)
          : refuse(tx, invoice, receipt, why, actor, now);
    }
    return credit(tx, invoice, receipt, actor, now);
  }

  /** Why the receipt does not fit the invoice, or null if it does. */
  private String mismatch(Invoice invoice, Receipt receipt) {
    if (receipt.test() && !providers.get(receipt.provider()).map(PaymentProvider::acceptsTestPayments).orElse(false)) {
      return "IsTest=1 while the shop is live (ROBOKASSA_IS_TEST=false)";
    }
    if (!receipt.provider().equals(invoice.provider())) {
      return "the invoice is payable through " + invoice.provider() + ", not " + receipt.provider();
    }
    if (!receipt.currency().equals(invoice.currency())) {
      return "currency " + receipt.currency() + " is not the invoice's " + invoice.currency();
    }
    if (receipt.amount() == null) {
      return "the amount is not a number";
    }
    if (receipt.amount().compareTo(invoice.amount()) != 0) {
      return "the amount " + receipt.amount().toPlainString() + " is not the invoice amount "
          + invoice.amount().toPlainString();
    }
    if (receipt.payerId() == null || receipt.payerId() != invoice.userId()) {
      return "the payer does not match the invoice's user";
    }
    return null;
  }

  /** A callback that does not fit: the audit row and the admins' alert are the only changes; the provider hears 400. */
  private Future<Received> refuse(SqlConnection tx, Invoice invoice, Receipt receipt, String problem, Actor actor,
                                  OffsetDateTime now) {
    long userId = invoice.userId();
    long invId = invoice.invId();
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
  private Future<Received> returnDue(SqlConnection tx, Receipt receipt, Invoice invoice, long userId, String reason,
                                     String problem, Actor actor, OffsetDateTime now) {
    Long invId = invoice == null ? null : invoice.invId();
    return recordPayment(tx, receipt, userId, invoice == null ? null : invoice.id(), "refund_due", problem, now)
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

  private Future<Received> credit(SqlConnection tx, Invoice invoice, Receipt receipt, Actor actor, OffsetDateTime now) {
    long userId = invoice.userId();
    return recordPayment(tx, receipt, userId, invoice.id(), "credited", null, now).compose(id -> id == null
        ? Future.succeededFuture(new Received(Outcome.DUPLICATE, userId, invoice.invId(), null, null))
        : ledger.post(tx, new Posting(userId, TransactionType.TOPUP, invoice.tokens().subtract(bonusGrant(invoice)),
                BalanceRule.CREDIT, "invoice:" + invoice.id(), invoice.id(), "invoice " + invoice.invId(), null))
            .compose(posting -> bonusAsGrant(tx, invoice, posting, now))
            .compose(posting -> periods.paid(tx, invoice, receipt.paidUntil(), now)
                .compose(extension -> InvoiceStates.markPaid(tx, invoice, receipt.paymentId(), now)
                    .compose(v -> receipt.firstOfSubscription() && invoice.starSubscription()
                        ? periods.starsSubscriber(tx, userId, receipt.paymentId()) : Future.<Void>succeededFuture())
                    .compose(v -> promoCodes.redeemForInvoice(tx, invoice, actor, now))
                    .compose(v -> record(tx, invoice, posting, extension, actor, now))
                    .map(v -> new Received(Outcome.CREDITED, userId, invoice.invId(), posting.transactionId(), null)))));
  }

  /**
   * The part of a purchase given as an expiring grant: a promo's bonus tokens when BONUS_TOKENS_TTL_DAYS
   * is set (SPEC §21) and the purchase has tokens of its own besides; else nothing.
   */
  private BigDecimal bonusGrant(Invoice invoice) {
    BigDecimal bonus = invoice.bonusTokens();
    return config.bonusTokensTtl() == null || bonus.signum() <= 0 || invoice.tokens().compareTo(bonus) <= 0
        ? BigDecimal.ZERO : bonus;
  }

  /** The bonus grant next to the purchase's own tokens; the answer's balance counts both. */
  private Future<PostingResult> bonusAsGrant(SqlConnection tx, Invoice invoice, PostingResult posting,
                                            OffsetDateTime now) {
    BigDecimal bonus = bonusGrant(invoice);
    if (bonus.signum() == 0) {
      return Future.succeededFuture(posting);
    }
    return grants.give(tx, invoice.userId(), "promo-bonus:" + invoice.invId(), bonus, now.plus(config.bonusTokensTtl()),
            "promo bonus of invoice " + invoice.invId(), "promo", now)
        .map(given -> new PostingResult(posting.status(), posting.refusal(), posting.duplicate(), posting.transactionId(),
            posting.delta().add(bonus), posting.balanceBefore(), given.balanceAfter()));
  }

  private Future<Void> record(SqlConnection tx, Invoice invoice, PostingResult posting,
                              SubscriptionPeriods.Extension extension, Actor actor, OffsetDateTime now) {
    OffsetDateTime end = extension.end();
    long userId = invoice.userId();
    long invId = invoice.invId();
    JsonObject args = new JsonObject().put("inv_id", invId).put("amount", invoice.amount().toPlainString())
        .put("currency", invoice.currency())
        .put("tokens", invoice.tokens().toPlainString())
        .put("balance", (extension.activationFee() == null ? posting.balanceAfter()
            : posting.balanceAfter().subtract(extension.activationFee())).toPlainString())
        .put("subscription_end", end == null ? null : end.toString())
        .put("activation_fee", extension.activationFee() == null ? null : extension.activationFee().toPlainString());
    String previous = invoice.status();
    return Future.all(List.of(
        AuditLog.record(tx, actor, previous.equals("pending") ? "invoice.paid" : "invoice.paid_late", "invoice",
            Long.toString(invId), userId, new JsonObject().put("status", previous), args.copy().put("status", "paid")),
        Outbox.toUserAndAdmins(tx, new Outbox.Notice(userId, "payment", "payment.received", args, "invoice:" + invId),
            config.adminChatIds(), now),
        events.emit(tx, userId, EventType.PAYMENT_SUCCEEDED, "invoice:" + invId, args.copy().put("user_id", userId)
            .put("provider", invoice.provider())))).mapEmpty();
  }
}

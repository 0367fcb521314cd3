package io.kopeck.payment;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.catalog.Periods;
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
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Refunds (SPEC §4), admin only: paid → refunded, a refund row reversing the credited tokens (the
 * balance may go below zero, never below the floor — then the refund is refused and says so), the
 * subscription shortened by the purchased period; audited and announced, in one transaction.
 */
public final class Refunds {
  private static final Logger log = LoggerFactory.getLogger(Refunds.class);

  private static final String LOCK = """
      SELECT i.id, i.inv_id, i.user_id, i.amount, i.tokens, i.period_unit, i.period_value, i.status, u.subscription_end
      FROM invoices i JOIN users u ON u.id = i.user_id WHERE i.inv_id = $1 FOR UPDATE OF i, u""";
  private static final String MARK = "UPDATE invoices SET status = 'refunded', refunded_at = $2 WHERE id = $1";
  private static final String SHORTEN = "UPDATE users SET subscription_end = $2, updated_at = $3 WHERE id = $1";

  private final Pool pool;
  private final Clock clock;
  private final BillingRules config;
  private final Ledger ledger;

  public Refunds(Pool pool, Clock clock, BillingRules config) {
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.ledger = new Ledger(clock, config.balanceFloor());
  }

  public Future<JsonObject> refund(long invId, String reason, Actor actor) {
    return refundInTransaction(invId, reason, actor).onSuccess(result -> log.info("Refunded {} {} {} {}",
        kv("inv_id", invId), kv("user_id", result.getLong("user_id")), kv("transaction_id", result.getLong("transaction_id")),
        kv("tokens", result.getString("tokens_reversed"))));
  }

  private Future<JsonObject> refundInTransaction(long invId, String reason, Actor actor) {
    OffsetDateTime now = Times.utcNow(clock);
    return pool.withTransaction(tx -> tx.preparedQuery(LOCK).execute(Tuple.of(invId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(PaymentRefusal.INVOICE_NOT_FOUND.because("No invoice " + invId));
      }
      Row invoice = rows.iterator().next();
      if (!invoice.getString("status").equals("paid")) {
        return Future.failedFuture(PaymentRefusal.INVOICE_NOT_PAID.because(
            "Invoice " + invId + " is " + invoice.getString("status") + "; only a paid invoice can be refunded"));
      }
      return reverse(tx, invoice).compose(posting -> {
        if (!posting.applied()) {
          return Future.failedFuture(PaymentRefusal.REFUND_BELOW_FLOOR.because("Refunding "
              + invoice.getBigDecimal("tokens").toPlainString() + " tokens would take the balance from "
              + posting.balanceBefore().toPlainString() + " below the floor " + config.balanceFloor().toPlainString()));
        }
        return shorten(tx, invoice, now).compose(end -> tx.preparedQuery(MARK).execute(Tuple.of(invoice.getUUID("id"), now))
            .compose(v -> record(tx, invoice, posting, end, reason, actor, now)));
      });
    }));
  }

  private Future<PostingResult> reverse(SqlConnection tx, Row invoice) {
    UUID id = invoice.getUUID("id");
    return ledger.post(tx, new Posting(invoice.getLong("user_id"), TransactionType.REFUND,
        invoice.getBigDecimal("tokens").negate(), BalanceRule.DOWN_TO_FLOOR, "refund:" + id, id,
        "refund of invoice " + invoice.getLong("inv_id"), null));
  }

  /** The purchased period comes off the end of the subscription (which may then lie in the past). */
  private Future<OffsetDateTime> shorten(SqlConnection tx, Row invoice, OffsetDateTime now) {
    OffsetDateTime end = invoice.getOffsetDateTime("subscription_end");
    String unit = invoice.getString("period_unit");
    if (unit == null || end == null) {
      return Future.succeededFuture(end);
    }
    OffsetDateTime shorter = Periods.add(end, unit, -invoice.getInteger("period_value"), config.displayTimezone());
    return tx.preparedQuery(SHORTEN).execute(Tuple.of(invoice.getLong("user_id"), shorter, now)).map(shorter);
  }

  private Future<JsonObject> record(SqlConnection tx, Row invoice, PostingResult posting, OffsetDateTime end,
                                    String reason, Actor actor, OffsetDateTime now) {
    long userId = invoice.getLong("user_id");
    long invId = invoice.getLong("inv_id");
    JsonObject result = new JsonObject().put("inv_id", invId).put("user_id", userId).put("status", "refunded")
        .put("tokens_reversed", invoice.getBigDecimal("tokens").toPlainString())
        .put("balance_after", posting.balanceAfter().toPlainString()).put("transaction_id", posting.transactionId())
        .put("subscription_end", end == null ? null : end.toInstant().toString()).put("reason", reason);
    List<Future<?>> writes = new ArrayList<>();
    writes.add(AuditLog.record(tx, actor, "invoice.refund", "invoice", Long.toString(invId), userId,
        new JsonObject().put("status", "paid").put("subscription_end",
            invoice.getOffsetDateTime("subscription_end") == null ? null
                : invoice.getOffsetDateTime("subscription_end").toInstant().toString()), result));
    writes.add(Outbox.toUserAndAdmins(tx, new Outbox.Notice(userId, "refund", "refund.done", result, "refund:" + invId),
        config.adminChatIds(), now));
    return Future.all(writes).map(result);
  }
}

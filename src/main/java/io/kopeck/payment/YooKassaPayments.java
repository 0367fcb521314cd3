package io.kopeck.payment;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.PaymentLinks;
import io.kopeck.common.Decimals;
import io.kopeck.common.JobSummary;
import io.kopeck.common.StrictJson;
import io.kopeck.common.TimerJob;
import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * YooKassa (SPEC §13). A payment is created through the API when the payer chooses YooKassa (the
 * invoice's id is the Idempotence-Key, so a retried or doubled tap makes one payment), and the
 * payer follows its confirmation_url. A notification is never trusted as sent: it only names a
 * payment Kopeck made, which is fetched with Kopeck's credentials, and only that answer is acted on
 * (succeeded, paid, the invoice's amount and metadata → credited once by payment id; canceled → the
 * pending invoice is cancelled). A timer fetches pending payments older than two minutes, so a lost
 * notification still credits, and finishes refunds YooKassa had not confirmed yet.
 */
public final class YooKassaPayments {
  public static final String NAME = "yookassa";
  /** The method invoices are made with: roubles, the link comes from YooKassa's API. */
  public static final PaymentLinks METHOD = PaymentLinks.madeLater(NAME, "RUB");
  private static final Logger log = LoggerFactory.getLogger(YooKassaPayments.class);
  private static final Actor YOOKASSA = new Actor("webhook", NAME);
  private static final Actor TIMER = new Actor("timer", NAME);
  private static final Pattern EMAIL = Pattern.compile("[^@\\s]{1,64}@[^@\\s]{1,189}\\.[^@\\s]{1,60}");
  private static final int DESCRIPTION_MAX = 128;
  private static final String ATTACH = """
      UPDATE invoices SET provider_payment_id = $2, payment_url = $3
      WHERE id = $1 AND (provider_payment_id IS NULL OR provider_payment_id = $2) RETURNING inv_id""";
  private static final String BY_PAYMENT = """
      SELECT inv_id, status FROM invoices WHERE provider = 'yookassa' AND provider_payment_id = $1""";
  private static final String CANCEL = """
      UPDATE invoices SET status = 'cancelled' WHERE provider = 'yookassa' AND provider_payment_id = $1
        AND status = 'pending' RETURNING inv_id, user_id""";
  /** A page of the pending invoices to re-check, after the cursor ({@link #recheckFrom}): every one gets its turn. */
  private static final String DUE_FOR_CHECK = """
      SELECT provider_payment_id, created_at FROM invoices
      WHERE provider = 'yookassa' AND status = 'pending' AND provider_payment_id IS NOT NULL AND created_at <= $1
        AND (created_at, provider_payment_id) > ($2, $3)
      ORDER BY created_at, provider_payment_id LIMIT 200""";
  private static final OffsetDateTime BEFORE_ALL = OffsetDateTime.parse("1970-01-01T00:00:00Z");
  private static final String REFUNDS_UNDER_WAY = """
      SELECT provider_payment_id, refund_id FROM payments
      WHERE provider = 'yookassa' AND status = 'refund_pending' AND refund_id IS NOT NULL ORDER BY id LIMIT 200""";
  private static final String BY_REFUND = """
      SELECT provider_payment_id FROM payments WHERE provider = 'yookassa' AND refund_id = $1""";
  private static final String REFUND_FAILED = """
      UPDATE payments SET status = 'credited', updated_at = now() WHERE provider = 'yookassa' AND refund_id = $1
        AND status = 'refund_pending' RETURNING user_id""";

  /** What a notification or a re-check came to. */
  public enum Settled { CREDITED, DUPLICATE, PENDING, CANCELLED, MISMATCH, REFUNDED }

  private final Pool pool;
  private final Clock clock;
  private final YooKassaClient client;
  private final YooKassaSettings settings;
  private final Payments payments;
  private final Refunds refunds;
  /**
   * Where the next re-check page starts: the last invoice the previous page checked, back to the start
   * when a page was not full. Without it the re-check would poll the same oldest 200 forever.
   */
  private OffsetDateTime recheckFrom = BEFORE_ALL;
  private String recheckFromId = "";

  YooKassaPayments(Pool pool, Clock clock, YooKassaClient client, YooKassaSettings settings, Payments payments,
                   Refunds refunds) {
    this.pool = pool;
    this.clock = clock;
    this.settings = settings;
    this.client = client;
    this.payments = payments;
    this.refunds = refunds;
  }

  /** Whether a receipt (54-FZ) is sent, and so an e-mail must be asked first. */
  public boolean needsEmail() {
    return !settings.vatCode().isEmpty();
  }

  public static boolean validEmail(String email) {
    return email != null && email.length() <= 254 && EMAIL.matcher(email).matches();
  }

  /**
   * The confirmation URL of the invoice's YooKassa payment, creating the payment the first time
   * (Idempotence-Key = the invoice's id: a repeat answers the same payment).
   */
  public Future<String> checkout(Invoice invoice, String description, String email) {
    if (invoice.providerPaymentId() != null && invoice.paymentUrl() != null) {
      return Future.succeededFuture(invoice.paymentUrl());
    }
    ObjectNode body = paymentBody(invoice, description, email);
    return client.createPayment(body, invoice.id().toString()).compose(payment -> {
      String id = payment.path("id").asText("");
      String url = payment.path("confirmation").path("confirmation_url").asText("");
      if (!YooKassaClient.ID.matcher(id).matches() || !url.startsWith("https://") && !url.startsWith("http://")) {
        return Future.failedFuture(PaymentRefusal.PROVIDER_UNAVAILABLE.because("YooKassa's answer has no payment link"));
      }
      log.info("YooKassa payment created {} {}", kv("inv_id", invoice.invId()), kv("payment_id", id));
      return pool.preparedQuery(ATTACH).execute(Tuple.of(invoice.id(), id, url)).compose(rows -> rows.size() > 0
          ? Future.succeededFuture(url)
          : Future.failedFuture(PaymentRefusal.PROVIDER_UNAVAILABLE.because("The invoice has another YooKassa payment")));
    });
  }

  private ObjectNode paymentBody(Invoice invoice, String description, String email) {
    ObjectNode body = StrictJson.newObject();
    String text = description.length() > DESCRIPTION_MAX ? description.substring(0, DESCRIPTION_MAX) : description;
    body.set("amount", amount(invoice.amount()));
    body.put("capture", true);
    body.putObject("confirmation").put("type", "redirect")
        .put("return_url", settings.returnUrl() + "?inv_id=" + invoice.invId());
    body.put("description", text);
    body.putObject("metadata").put("inv_id", Long.toString(invoice.invId())).put("user_id", Long.toString(invoice.userId()));
    if (needsEmail() && validEmail(email)) {
      ObjectNode receipt = body.putObject("receipt");
      receipt.putObject("customer").put("email", email);
      ObjectNode item = receipt.putArray("items").addObject();
      item.put("description", text).put("quantity", "1.00").put("vat_code", Integer.parseInt(settings.vatCode()))
          .put("payment_mode", "full_payment").put("payment_subject", "service");
      item.set("amount", amount(invoice.amount()));
    }
    return body;
  }

  static ObjectNode amount(BigDecimal value) {
    ObjectNode amount = StrictJson.newObject();
    return amount.put("value", value.setScale(2).toPlainString()).put("currency", "RUB");
  }

  /**
   * A notification {@code {type, event, object}}: only the payment (or refund) id it names is used.
   * Refused as invalid when out of shape, as unknown when it names nothing of Kopeck's.
   */
  public Future<Settled> notified(ObjectNode notification) {
    String event = notification.path("event").asText("");
    JsonNode idNode = notification.path("object").path("id");
    String id = idNode.isTextual() ? idNode.textValue() : "";
    if (!"notification".equals(notification.path("type").asText()) || !YooKassaClient.ID.matcher(id).matches()) {
      return Future.failedFuture(PaymentRefusal.BAD_NOTIFICATION.because(
          "A notification is {type: notification, event, object: {id}}"));
    }
    return switch (event) {
      case "payment.succeeded", "payment.canceled", "payment.waiting_for_capture" -> settleKnown(id, YOOKASSA);
      case "refund.succeeded" -> refundKnown(id);
      default -> Future.failedFuture(PaymentRefusal.BAD_NOTIFICATION.because("Unknown event " + event));
    };
  }

  /**
   * A payment of one of Kopeck's invoices, settled by YooKassa's own answer — unless the invoice is
   * already final here (paid or refunded): a repeated notification then costs no API call (SPEC §17).
   */
  private Future<Settled> settleKnown(String paymentId, Actor actor) {
    return pool.preparedQuery(BY_PAYMENT).execute(Tuple.of(paymentId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(PaymentRefusal.UNKNOWN_PAYMENT.because("No invoice has YooKassa payment " + paymentId));
      }
      Row invoice = rows.iterator().next();
      String status = invoice.getString("status");
      return status.equals("paid") || status.equals("refunded") ? Future.succeededFuture(Settled.DUPLICATE)
          : settle(invoice.getLong("inv_id"), paymentId, actor);
    });
  }

  private void advanceRecheck(io.vertx.sqlclient.RowSet<Row> page) {
    Row last = null;
    for (Row row : page) {
      last = row;
    }
    boolean full = page.size() == 200;
    recheckFrom = full ? last.getOffsetDateTime("created_at") : BEFORE_ALL;
    recheckFromId = full ? last.getString("provider_payment_id") : "";
  }

  /** Fetches the payment and acts on YooKassa's own answer only. */
  private Future<Settled> settle(long invId, String paymentId, Actor actor) {
    return client.payment(paymentId).compose(payment -> {
      String status = payment.path("status").asText("");
      if (!paymentId.equals(payment.path("id").asText())) {
        return Future.succeededFuture(Settled.MISMATCH);
      }
      if (status.equals("canceled")) {
        return cancel(paymentId, payment, actor);
      }
      if (!status.equals("succeeded") || !payment.path("paid").asBoolean(false)) {
        return Future.succeededFuture(Settled.PENDING);
      }
      // YooKassa's "test" flag only says the shop is a test shop: the credentials decide that, not the payment.
      if (!Long.toString(invId).equals(payment.path("metadata").path("inv_id").asText())) {
        log.warn("YooKassa payment names another invoice {} {}", kv("payment_id", paymentId), kv("inv_id", invId));
        return Future.succeededFuture(Settled.MISMATCH);
      }
      Receipt receipt = new Receipt(NAME, paymentId, invId, decimal(payment.path("amount").path("value")),
          payment.path("amount").path("currency").asText(""), userOf(payment), false, false, false, false, null);
      return payments.receive(receipt, actor).map(received -> switch (received.outcome()) {
        case CREDITED -> Settled.CREDITED;
        case DUPLICATE -> Settled.DUPLICATE;
        default -> Settled.MISMATCH;
      });
    });
  }

  private static BigDecimal decimal(JsonNode value) {
    try {
      return value.isTextual() || value.isNumber() ? Decimals.parse("amount", value.asText()) : null;
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  private static Long userOf(ObjectNode payment) {
    String user = payment.path("metadata").path("user_id").asText("");
    return user.matches("[0-9]{1,18}") ? Long.valueOf(user) : null;
  }

  private Future<Settled> cancel(String paymentId, ObjectNode payment, Actor actor) {
    return pool.withTransaction(tx -> tx.preparedQuery(CANCEL).execute(Tuple.of(paymentId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(Settled.DUPLICATE);
      }
      Row invoice = rows.iterator().next();
      return AuditLog.record(tx, actor, "invoice.cancel", "invoice", Long.toString(invoice.getLong("inv_id")),
          invoice.getLong("user_id"), new JsonObject().put("status", "pending"), new JsonObject().put("status", "cancelled")
              .put("payment_id", paymentId).put("reason", payment.path("cancellation_details").path("reason").asText("")))
          .map(Settled.CANCELLED);
    }));
  }

  private Future<Settled> refundKnown(String refundId) {
    return pool.preparedQuery(BY_REFUND).execute(Tuple.of(refundId)).compose(rows -> rows.size() == 0
        ? Future.failedFuture(PaymentRefusal.UNKNOWN_PAYMENT.because("No YooKassa refund " + refundId))
        : settleRefund(rows.iterator().next().getString("provider_payment_id"), refundId, YOOKASSA));
  }

  private Future<Settled> settleRefund(String paymentId, String refundId, Actor actor) {
    return client.refund(refundId).compose(refund -> switch (refund.path("status").asText("")) {
      case "succeeded" -> refunds.providerRefunded(NAME, paymentId, actor).map(Settled.REFUNDED);
      case "canceled" -> pool.preparedQuery(REFUND_FAILED).execute(Tuple.of(refundId)).map(rows -> {
        if (rows.size() > 0) {
          log.error("YooKassa refused a refund {} {} {}", kv("payment_id", paymentId), kv("refund_id", refundId),
              kv("reason", refund.path("cancellation_details").path("reason").asText("")));
        }
        return Settled.MISMATCH;
      });
      default -> Future.succeededFuture(Settled.PENDING);
    });
  }

  /**
   * The re-check (every timer tick): pending YooKassa invoices older than two minutes are fetched
   * and settled like a notification; refunds under way are fetched and finished.
   */
  public TimerJob recheckJob() {
    return new TimerJob("yookassa-recheck", () -> {
      long started = System.nanoTime();
      OffsetDateTime cutoff = Times.utcNow(clock).minusMinutes(2);
      return pool.preparedQuery(DUE_FOR_CHECK).execute(Tuple.of(cutoff, recheckFrom, recheckFromId)).compose(rows -> {
        advanceRecheck(rows);
        Future<Integer> chain = Future.succeededFuture(0);
        for (Row row : rows) {
          String paymentId = row.getString("provider_payment_id");
          chain = chain.compose(n -> settleKnown(paymentId, TIMER)
              .map(settled -> settled == Settled.CREDITED || settled == Settled.CANCELLED ? n + 1 : n)
              .recover(e -> {
                log.warn("YooKassa re-check failed {} {}", kv("payment_id", paymentId), kv("reason", e.getMessage()));
                return Future.succeededFuture(n);
              }));
        }
        return chain;
      }).compose(settled -> pool.preparedQuery(REFUNDS_UNDER_WAY).execute().compose(rows -> {
        Future<Integer> chain = Future.succeededFuture(settled);
        for (Row row : rows) {
          chain = chain.compose(n -> settleRefund(row.getString("provider_payment_id"), row.getString("refund_id"), TIMER)
              .map(done -> done == Settled.REFUNDED ? n + 1 : n)
              .recover(e -> Future.succeededFuture(n)));
        }
        return chain;
      })).map(n -> JobSummary.counted("yookassa-recheck", "settled", n, started));
    });
  }
}

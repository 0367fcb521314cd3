package io.kopeck.payment;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.pengrad.telegrambot.model.RefundedPayment;
import com.pengrad.telegrambot.model.SuccessfulPayment;
import com.pengrad.telegrambot.model.request.LabeledPrice;
import com.pengrad.telegrambot.request.CreateInvoiceLink;
import com.pengrad.telegrambot.request.EditUserStarSubscription;
import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.botapi.BotApi;
import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.PaymentLinks;
import io.kopeck.subscription.SubscriptionPeriods;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Telegram Stars (SPEC §12): invoices in XTR paid inside Telegram. A {@code successful_payment}
 * becomes a {@link Receipt} keyed by its telegram_payment_charge_id; money that cannot be credited
 * (a second payment of a paid invoice, a payment that does not fit) goes back at once through
 * {@code refundStarPayment}; {@code refunded_payment} reverses the invoice once; the bot's auto-renew
 * toggle cancels or resumes the Stars subscription through {@code editUserStarSubscription}.
 */
public final class StarsPayments {
  public static final String NAME = "stars";
  /** The method invoices are made with: priced in Stars, paid inside Telegram (no URL of ours). */
  public static final PaymentLinks METHOD = PaymentLinks.madeLater(NAME, Invoice.STARS);
  /** Telegram's only subscription period: 30 days. */
  public static final int SUBSCRIPTION_PERIOD_SECONDS = 2_592_000;
  private static final Pattern CHARGE_ID = Pattern.compile("[A-Za-z0-9_.:-]{1,200}");
  private static final Pattern PAYLOAD = Pattern.compile("inv:([1-9][0-9]{0,17})");
  private static final Logger log = LoggerFactory.getLogger(StarsPayments.class);
  private static final Actor TELEGRAM = new Actor("webhook", NAME);
  private static final String SUBSCRIBER = """
      SELECT stars_subscription_charge_id FROM users WHERE id = $1 AND stars_subscription_charge_id IS NOT NULL""";

  private final Pool pool;
  private final BotApi api;
  private final Payments payments;
  private final Refunds refunds;
  private final SubscriptionPeriods periods;

  public StarsPayments(Pool pool, BotApi api, Payments payments, Refunds refunds, SubscriptionPeriods periods) {
    this.periods = periods;
    this.pool = pool;
    this.api = api;
    this.payments = payments;
    this.refunds = refunds;
  }

  /**
   * The link Telegram makes for paying {@code invoice} in Stars ({@code createInvoiceLink}), a monthly
   * subscription's when the invoice is one; anyone who opens it in Telegram pays this invoice.
   */
  public Future<String> invoiceLink(Invoice invoice, String title, String description) {
    LabeledPrice price = new LabeledPrice(title, invoice.stars());
    CreateInvoiceLink request = new CreateInvoiceLink(title, description, payload(invoice), Invoice.STARS, price)
        .providerToken("");
    if (invoice.starSubscription()) {
      request.subscriptionPeriod(SUBSCRIPTION_PERIOD_SECONDS);
    }
    return api.call(request).map(answer -> {
      if (!answer.isOk() || answer.result() == null) {
        throw PaymentRefusal.PROVIDER_UNAVAILABLE.because("Telegram made no invoice link: " + answer.description());
      }
      return answer.result();
    });
  }

  /** A charge id as Telegram makes them; anything else is not a payment of Telegram's. */
  private static boolean validChargeId(String chargeId) {
    return chargeId != null && CHARGE_ID.matcher(chargeId).matches();
  }

  /** The invoice payload of an invoice: {@code inv:<inv_id>}. */
  public static String payload(Invoice invoice) {
    return "inv:" + invoice.invId();
  }

  /** The inv_id a payload names, or null when it is not a payload of ours. */
  public static Long invIdOf(String payload) {
    var match = payload == null ? null : PAYLOAD.matcher(payload);
    return match != null && match.matches() ? Long.valueOf(match.group(1)) : null;
  }

  /**
   * A {@code successful_payment} from {@code userId}: credited once; money that cannot be credited is
   * given back at once (and again by the timer if Telegram could not be reached).
   */
  public Future<Payments.Received> paid(long userId, SuccessfulPayment payment) {
    if (!validChargeId(payment.telegramPaymentChargeId())) {
      log.warn("successful_payment without a usable charge id ignored {}", kv("user_id", userId));
      return Future.failedFuture(PaymentRefusal.BAD_NOTIFICATION.because("No telegram_payment_charge_id"));
    }
    Receipt receipt = receipt(userId, payment.telegramPaymentChargeId(), payment.invoicePayload(),
        payment.totalAmount(), payment.currency(), Boolean.TRUE.equals(payment.isRecurring())
            && !Boolean.TRUE.equals(payment.isFirstRecurring()),
        Boolean.TRUE.equals(payment.isFirstRecurring()), payment.subscriptionExpirationDate());
    return receive(receipt);
  }

  /** A Stars payment as a receipt (a successful_payment, or a transaction found by reconciliation). */
  static Receipt receipt(long userId, String chargeId, String payload, long total, String currency, boolean recurring,
                         boolean first, Integer expiresAt) {
    OffsetDateTime paidUntil = expiresAt == null ? null
        : OffsetDateTime.ofInstant(Instant.ofEpochSecond(expiresAt), ZoneOffset.UTC);
    return new Receipt(NAME, chargeId, invIdOf(payload), new BigDecimal(total).setScale(2),
        currency == null ? "" : currency, userId, false, true, recurring, first, paidUntil);
  }

  Future<Payments.Received> receive(Receipt receipt) {
    return payments.receive(receipt, TELEGRAM).compose(received -> {
      log.info("Stars payment {} {} {} {} {}", kv("outcome", received.outcome()), kv("charge_id", receipt.paymentId()),
          kv("inv_id", received.invId()), kv("user_id", received.userId()), kv("transaction_id", received.transactionId()));
      if (received.outcome() != Payments.Outcome.RETURN_DUE) {
        return Future.succeededFuture(received);
      }
      return refunds.returnNow(NAME, receipt.paymentId(), TELEGRAM).map(received);
    });
  }

  /** A {@code refunded_payment}: a refund made outside Kopeck (or the echo of one Kopeck made) reverses once. */
  public Future<JsonObject> refunded(RefundedPayment refund) {
    if (!validChargeId(refund.telegramPaymentChargeId())) {
      return Future.failedFuture(PaymentRefusal.BAD_NOTIFICATION.because("No telegram_payment_charge_id"));
    }
    return refunds.providerRefunded(NAME, refund.telegramPaymentChargeId(), TELEGRAM);
  }

  /**
   * The bot's auto-renew toggle for a user whose subscription Telegram renews in Stars: cancels or
   * resumes it there ({@code editUserStarSubscription}). False when the user has no Stars subscription.
   */
  public Future<Boolean> setAutoRenew(long userId, boolean on) {
    return pool.preparedQuery(SUBSCRIBER).execute(Tuple.of(userId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.succeededFuture(false);
      }
      String chargeId = rows.iterator().next().getString("stars_subscription_charge_id");
      return api.call(new EditUserStarSubscription(userId, chargeId, !on)).compose(answer -> {
        if (!answer.isOk()) {
          return Future.failedFuture(PaymentRefusal.PROVIDER_REFUSED.because(
              "editUserStarSubscription: " + answer.errorCode() + " " + answer.description()));
        }
        return pool.withTransaction(tx -> periods.starsCanceled(tx, userId, !on)
            .compose(v -> AuditLog.record(tx, new Actor("user", Long.toString(userId)), "stars.subscription",
                "user", Long.toString(userId), userId, null,
                new JsonObject().put("canceled", !on).put("charge_id", chargeId))))
            .map(true);
      });
    });
  }
}

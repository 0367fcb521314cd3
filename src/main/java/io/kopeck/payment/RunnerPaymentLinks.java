package io.kopeck.payment;

import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.Invoices;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.Optional;

/**
 * Payment links made for the owner's systems (SPEC §21): the same invoice the bot would make — the
 * window, the TTL, the pending limit and the promo reservation are {@link Invoices}' — and the URL its
 * provider pays it at: our signed page (mock, Robokassa), YooKassa's confirmation page, or the link
 * Telegram makes for a Stars invoice.
 */
public final class RunnerPaymentLinks {
  private static final String TARIFF_NAME = "SELECT name FROM tariffs WHERE id = $1";
  private static final String EMAIL = "SELECT email FROM users WHERE id = $1";
  private static final int STARS_TITLE_MAX = 32;

  /** A tariff by slug, or a custom amount (roubles; whole Stars with the stars provider); provider and promo optional. */
  public record Request(String tariff, BigDecimal amount, String provider, String promoCode) {
  }

  private final Pool pool;
  private final Invoices invoices;
  private final Optional<StarsPayments> stars;
  private final Optional<YooKassaPayments> yooKassa;

  public RunnerPaymentLinks(Pool pool, Invoices invoices, PaymentServices payment) {
    this.pool = pool;
    this.invoices = invoices;
    this.stars = payment.stars();
    this.yooKassa = payment.yooKassa();
  }

  /** The invoice made (or the same pending one, within the window) and where to pay it. */
  public Future<JsonObject> create(long userId, Request request) {
    String provider = request.provider() == null ? invoices.defaultProvider() : request.provider();
    Future<Invoice> invoice;
    if (request.tariff() != null) {
      invoice = invoices.forTariff(userId, request.tariff(), request.promoCode(), provider);
    } else if (provider.equals(StarsPayments.NAME)) {
      invoice = wholeStars(request.amount()).compose(count -> invoices.forStars(userId, count, provider));
    } else {
      invoice = invoices.forAmount(userId, request.amount(), request.promoCode(), provider);
    }
    return invoice.compose(made -> url(made).map(url -> new JsonObject().put("inv_id", made.invId()).put("url", url)
        .put("amount", made.amount().toPlainString()).put("currency", made.currency())
        .put("tokens", made.tokens().add(made.bonusTokens()).toPlainString()).put("provider", made.provider())
        .put("expires_at", made.expiresAt().toInstant().toString())));
  }

  private static Future<Integer> wholeStars(BigDecimal amount) {
    try {
      return Future.succeededFuture(amount.intValueExact());
    } catch (ArithmeticException e) {
      return Future.failedFuture(PaymentRefusal.INVALID_LINK_REQUEST.because(
          "With the stars provider, amount is a whole number of Stars"));
    }
  }

  private Future<String> url(Invoice invoice) {
    if (invoice.paymentUrl() != null) {
      return Future.succeededFuture(invoice.paymentUrl());
    }
    return title(invoice).compose(title -> switch (invoice.provider()) {
      case StarsPayments.NAME -> stars.orElseThrow().invoiceLink(invoice, clip(title),
          invoice.tokens().add(invoice.bonusTokens()).stripTrailingZeros().toPlainString() + " tokens");
      case YooKassaPayments.NAME -> email(invoice.userId()).compose(email -> {
        if (yooKassa.orElseThrow().needsEmail() && email == null) {
          return Future.failedFuture(PaymentRefusal.EMAIL_REQUIRED.because("YooKassa sends a receipt by e-mail and user "
              + invoice.userId() + " has none: the bot asks for it when they pay there"));
        }
        return yooKassa.orElseThrow().checkout(invoice, title, email);
      });
      default -> Future.failedFuture(new IllegalStateException("provider " + invoice.provider() + " made no URL"));
    });
  }

  /** What the payer sees as the purchase. */
  private Future<String> title(Invoice invoice) {
    return pool.preparedQuery(TARIFF_NAME).execute(Tuple.of(invoice.tariffId())).map(rows -> {
      String name = rows.size() == 0 ? "" : rows.iterator().next().getString("name");
      return Invoices.description(name, invoice.periodUnit());
    });
  }

  private Future<String> email(long userId) {
    return pool.preparedQuery(EMAIL).execute(Tuple.of(userId)).map(rows -> {
      Row row = rows.size() == 0 ? null : rows.iterator().next();
      return row == null ? null : row.getString("email");
    });
  }

  private static String clip(String text) {
    return text.length() <= STARS_TITLE_MAX ? text : text.substring(0, STARS_TITLE_MAX - 1) + "…";
  }
}

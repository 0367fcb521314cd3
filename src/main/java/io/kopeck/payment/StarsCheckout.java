package io.kopeck.payment;

import io.kopeck.catalog.Invoice;
import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.OffsetDateTime;

/**
 * The answer to Telegram's {@code pre_checkout_query} (SPEC §12): yes only when the payload names an
 * open invoice of that user, payable in Stars, with the same total and currency. It reads through
 * its own small pool, so a queue of other work on the main pool never delays the answer Telegram
 * needs within 10 seconds.
 */
public final class StarsCheckout {
  private static final String INVOICE = """
      SELECT user_id, status, provider, currency, amount, expires_at FROM invoices WHERE inv_id = $1""";

  /** Why a checkout is refused; the bot words each one in the user's language. */
  public enum Problem { NO_INVOICE, NOT_YOURS, EXPIRED, CANCELLED, PAID, PRICE_CHANGED }

  private final Pool pool;
  private final Clock clock;

  public StarsCheckout(Pool pool, Clock clock) {
    this.pool = pool;
    this.clock = clock;
  }

  /** Null when the payment may go ahead, else why not. */
  public Future<Problem> check(long userId, String payload, long total, String currency) {
    Long invId = StarsPayments.invIdOf(payload);
    if (invId == null) {
      return Future.succeededFuture(Problem.NO_INVOICE);
    }
    return pool.preparedQuery(INVOICE).execute(Tuple.of(invId))
        .map(rows -> rows.size() == 0 ? Problem.NO_INVOICE : problem(rows.iterator().next(), userId, total, currency));
  }

  private Problem problem(Row invoice, long userId, long total, String currency) {
    if (invoice.getLong("user_id") != userId) {
      return Problem.NOT_YOURS;
    }
    String status = invoice.getString("status");
    OffsetDateTime now = Times.utcNow(clock);
    if (status.equals("paid") || status.equals("refunded")) {
      return Problem.PAID;
    }
    if (status.equals("cancelled")) {
      return Problem.CANCELLED;
    }
    if (status.equals("expired") || !invoice.getOffsetDateTime("expires_at").isAfter(now)) {
      return Problem.EXPIRED;
    }
    boolean sameTotal = invoice.getBigDecimal("amount").compareTo(new BigDecimal(total)) == 0;
    if (!StarsPayments.NAME.equals(invoice.getString("provider")) || !Invoice.STARS.equals(currency)
        || !Invoice.STARS.equals(invoice.getString("currency")) || !sameTotal) {
      return Problem.PRICE_CHANGED;
    }
    return null;
  }
}

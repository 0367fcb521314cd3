package io.kopeck.catalog;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.OffsetDateTime;

/**
 * An invoice's life after it is made, as payments and refunds move it (SPEC §3): locked for the
 * payment that arrives, paid, refunded, and the new invoice a Stars subscription's renewal charge
 * makes. Every statement names the invoice's user, so on Citus it runs on that user's shard.
 */
public final class InvoiceStates {
  private static final String OWNER = "SELECT user_id FROM invoices WHERE inv_id = $1";
  private static final String LOCK = "SELECT " + Invoice.COLUMNS
      + " FROM invoices WHERE inv_id = $1 AND user_id = $2 FOR UPDATE";
  private static final String PAID = """
      UPDATE invoices SET status = 'paid', paid_at = $2, provider_payment_id = $3 WHERE id = $1 AND user_id = $4""";
  private static final String REFUNDED =
      "UPDATE invoices SET status = 'refunded', refunded_at = $2 WHERE id = $1 AND user_id = $3";
  // VALUES, not INSERT … SELECT: the InvId then comes from the coordinator's sequence on Citus too.
  private static final String RENEWAL = """
      INSERT INTO invoices (user_id, tariff_id, amount, original_amount, tokens, bonus_tokens, period_unit, period_value,
                            idempotency_key, provider, currency, star_subscription, renews_invoice_id, expires_at,
                            created_at, updated_at)
      VALUES ($1, $2, $3::text::numeric, $3::text::numeric, $4::text::numeric, 0, $5, $6, $7, $8, $9, true, $10,
              $11, $11, $11)
      RETURNING\s""" + Invoice.COLUMNS;

  private InvoiceStates() {
  }

  /**
   * Whose invoice an InvId is, or null when there is none. Providers name invoices by InvId alone;
   * reading the owner first lets the lock that follows name the user (one shard on Citus). Read
   * before the transaction: a read of every shard inside it would keep Citus from writing a reference
   * table (promo codes) later in it. The owner never changes, so reading it without a lock is safe.
   */
  public static Future<Long> owner(SqlClient client, long invId) {
    return client.preparedQuery(OWNER).execute(Tuple.of(invId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("user_id"));
  }

  /** The invoice, locked for the rest of {@code tx}; null when there is none (or {@code userId} is null). */
  public static Future<Invoice> lock(SqlConnection tx, Long invId, Long userId) {
    if (invId == null || userId == null) {
      return Future.succeededFuture();
    }
    return tx.preparedQuery(LOCK).execute(Tuple.of(invId, userId))
        .map(rows -> rows.size() == 0 ? null : Invoice.of(rows.iterator().next()));
  }

  /** Paid (from pending, expired or cancelled alike: money was received) by the provider's payment {@code paymentId}. */
  public static Future<Void> markPaid(SqlConnection tx, Invoice invoice, String paymentId, OffsetDateTime now) {
    return tx.preparedQuery(PAID).execute(Tuple.of(invoice.id(), now, paymentId, invoice.userId())).mapEmpty();
  }

  public static Future<Void> markRefunded(SqlConnection tx, Invoice invoice, OffsetDateTime now) {
    return tx.preparedQuery(REFUNDED).execute(Tuple.of(invoice.id(), now, invoice.userId())).mapEmpty();
  }

  /**
   * A Stars subscription's monthly charge: a new invoice for the same purchase as {@code first}, linked
   * to it and locked with the transaction's insert; it is then credited like any other.
   */
  public static Future<Invoice> renewal(SqlConnection tx, Invoice first, BigDecimal amount, String key,
                                        OffsetDateTime now) {
    Tuple values = Tuple.tuple().addValue(first.userId()).addValue(first.tariffId()).addValue(amount.toPlainString())
        .addValue(first.tokens().subtract(first.bonusTokens()).toPlainString())
        .addValue(first.periodUnit()).addValue(first.periodValue()).addValue(key).addValue(first.provider())
        .addValue(first.currency()).addValue(first.id()).addValue(now);
    return tx.preparedQuery(RENEWAL).execute(values).map(rows -> Invoice.of(rows.iterator().next()));
  }
}

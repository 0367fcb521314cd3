package io.kopeck.payment;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/**
 * Whose invoice an InvId is. Providers name invoices by InvId alone; reading the owner first lets
 * the lock that follows name the user, so on Citus it runs on that user's shard only (SPEC §16).
 * Callers read it before their transaction: a read of every shard inside it would keep Citus from
 * writing a reference table (promo codes) later in that transaction.
 * The owner of an invoice never changes, so reading it without a lock is safe.
 */
final class InvoiceOwner {
  private static final String OWNER = "SELECT user_id FROM invoices WHERE inv_id = $1";

  private InvoiceOwner() {
  }

  /** The user id, or null when there is no such invoice. */
  static Future<Long> of(SqlClient client, long invId) {
    return client.preparedQuery(OWNER).execute(Tuple.of(invId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("user_id"));
  }
}

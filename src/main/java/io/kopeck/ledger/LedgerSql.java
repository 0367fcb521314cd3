package io.kopeck.ledger;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The set-based statements every ledger write goes through, for one posting or a batch of
 * thousands alike. Arrays travel as text and are cast in SQL, so NUMERIC values arrive exactly.
 */
final class LedgerSql {
  private static final String ACCOUNT_COLUMNS =
      "id, token_balance, held, balance_seq, is_blocked, subscription_end, spent_day, spent_today, daily_spend_limit";

  /** Locks users in id order: two writers locking overlapping sets can wait, never deadlock. */
  static final String LOCK_USERS = "SELECT " + ACCOUNT_COLUMNS
      + " FROM users WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE";

  /**
   * The same lock on Citus, taken by a write (SPEC §17). Citus lets a read — SELECT … FOR UPDATE
   * included — run on a shard that is being moved, and blocks only writes while a move finishes: a
   * transaction that had locked a user's row on the old placement then wrote to the new one, where
   * a batch of another instance had locked the same user afresh; both read the same sequence number
   * (seen at the end of shard moves as a duplicate key on (user_id, seq), and as deadlocks). As a
   * write, the lock takes Citus's shard lock with it and holds it to the commit, so a move waits for
   * the transaction, and every statement of it meets the same placement. The rows are locked by the
   * ordered sub-select, in id order (an UPDATE alone visits them in whatever order its scan finds
   * them, and two batches then deadlocked); the pointless assignment costs a heap-only tuple per user
   * and batch, on Citus only.
   */
  static final String LOCK_USERS_BY_WRITE = "UPDATE users SET balance_seq = balance_seq WHERE id = ANY($1::bigint[]) "
      + "AND id IN (SELECT id FROM users WHERE id = ANY($1::bigint[]) ORDER BY id FOR NO KEY UPDATE) "
      + "RETURNING " + ACCOUNT_COLUMNS;

  /** Rows already posted under the given (user, key) pairs: one index probe per pair. */
  static final String FIND_BY_KEYS = findByKeys("");

  /**
   * {@link #FIND_BY_KEYS} for Citus: the filter on the distribution column names the batch's one
   * shard, so Citus sends the whole statement there (without it the lateral LIMIT is refused).
   * Kept off the single-node path, where an array in the index condition would probe once per element.
   */
  static final String FIND_BY_KEYS_ROUTED = findByKeys(" AND x.user_id = ANY($1::bigint[])");


  /** The extra {@code u.id = ANY($1)} lets the planner probe the primary key instead of scanning users. */
  static final String UPDATE_ACCOUNTS = """
      UPDATE users u
      SET token_balance = a.balance::numeric, balance_seq = a.seq, spent_day = a.spent_day,
          spent_today = a.spent_today::numeric, updated_at = $6
      FROM unnest($1::bigint[], $2::text[], $3::bigint[], $4::date[], $5::text[])
           AS a(id, balance, seq, spent_day, spent_today)
      WHERE u.id = a.id AND u.id = ANY($1::bigint[])""";

  private LedgerSql() {
  }

  private static String findByKeys(String routing) {
    return """
        SELECT t.user_id, t.idempotency_key, t.id, t.tokens_delta, t.balance_after
        FROM unnest($1::bigint[], $2::text[]) AS k(user_id, idempotency_key)
        CROSS JOIN LATERAL (SELECT * FROM transactions x
                            WHERE x.user_id = k.user_id AND x.idempotency_key = k.idempotency_key%s LIMIT 1) t"""
        .formatted(routing);
  }

  static Future<Map<Long, Account>> lockAccounts(SqlClient client, Collection<Long> userIds, boolean distributed) {
    return client.preparedQuery(distributed ? LOCK_USERS_BY_WRITE : LOCK_USERS)
        .execute(Tuple.of(userIds.toArray(Long[]::new)))
        .map(rows -> {
          Map<Long, Account> accounts = new HashMap<>();
          rows.forEach(row -> accounts.put(row.getLong("id"), Account.of(row)));
          return accounts;
        });
  }



  static Map<Long, Map<Long, Long>> idsByUserAndSeq(RowSet<Row> rows) {
    Map<Long, Map<Long, Long>> ids = new HashMap<>();
    for (Row row : rows) {
      ids.computeIfAbsent(row.getLong("user_id"), u -> new HashMap<>()).put(row.getLong("seq"), row.getLong("id"));
    }
    return ids;
  }

  static Future<RowSet<Row>> updateAccounts(SqlClient client, Collection<Account> accounts, OffsetDateTime now) {
    List<Account> dirty = accounts.stream().filter(a -> a.dirty).toList();
    if (dirty.isEmpty()) {
      return Future.succeededFuture();
    }
    Tuple tuple = Tuple.of(
        dirty.stream().map(a -> a.userId).toArray(Long[]::new),
        dirty.stream().map(a -> a.balance.toPlainString()).toArray(String[]::new),
        dirty.stream().map(a -> a.seq).toArray(Long[]::new),
        // A date, not text: text-to-date depends on DateStyle (STABLE), which Citus refuses in an UPDATE.
        dirty.stream().map(a -> a.spentDay).toArray(LocalDate[]::new),
        dirty.stream().map(a -> a.spentToday.toPlainString()).toArray(String[]::new),
        now);
    return client.preparedQuery(UPDATE_ACCOUNTS).execute(tuple);
  }

  /** A row found by {@link #FIND_BY_KEYS}: the answer to a repeat of the posting that wrote it. */
  static PostingResult earlierPosting(Row row) {
    return PostingResult.duplicateOf(row.getLong("id"), row.getBigDecimal("tokens_delta"),
        row.getBigDecimal("balance_after"));
  }
}

package io.kopeck.ledger;

import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;

/**
 * The ledger API for writes that must share a transaction with other changes (a payment marks its
 * invoice paid and credits tokens atomically; a refund, a renewal, an admin adjustment likewise).
 * Usage and spends take the batched path of {@link BillingEngineVerticle} instead; both write
 * through the same {@link LedgerSql} statements and the same {@link BalanceRule}s.
 */
public final class Ledger {
  private final Clock clock;
  private final BigDecimal floor;
  private final boolean distributed;
  private final ZoneId displayZone;

  /** A ledger on one PostgreSQL, days counted in UTC. */
  public Ledger(Clock clock, BigDecimal floor) {
    this(clock, floor, false, ZoneOffset.UTC);
  }

  /**
   * {@code distributed}: the database is Citus (user rows are then locked by a write, see {@link LedgerSql});
   * {@code displayZone}: where a day of spending (the daily limit) begins and ends.
   */
  public Ledger(Clock clock, BigDecimal floor, boolean distributed, ZoneId displayZone) {
    this.clock = clock;
    this.floor = floor;
    this.distributed = distributed;
    this.displayZone = displayZone;
  }

  /** Whether user rows are locked by a write (Citus). */
  boolean distributed() {
    return distributed;
  }

  /**
   * Locks a user's row for the rest of {@code tx} — the lock every writer of a user's rows takes first,
   * so that writes of one user never interleave, on Citus across a shard move too. The user's balance,
   * or null when there is no such user.
   */
  public Future<BigDecimal> lockUser(SqlClient tx, long userId) {
    return LedgerSql.lockAccounts(tx, List.of(userId), distributed).map(accounts -> {
      Account account = accounts.get(userId);
      return account == null ? null : account.balance;
    });
  }

  /**
   * Posts inside the caller's transaction: locks the user, answers a duplicate if the idempotency
   * key was used before, refuses what the rule forbids, else appends the row and moves the balance.
   */
  public Future<PostingResult> post(SqlConnection tx, Posting posting) {
    return LedgerSql.lockAccounts(tx, List.of(posting.userId()), distributed).compose(accounts -> {
      Account account = accounts.get(posting.userId());
      if (account == null) {
        return Future.succeededFuture(PostingResult.refused(LedgerRefusal.USER_NOT_FOUND, BigDecimal.ZERO));
      }
      return findEarlier(tx, posting).compose(earlier -> earlier != null ? Future.succeededFuture(earlier)
          : apply(tx, account, posting));
    });
  }

  private Future<PostingResult> findEarlier(SqlConnection tx, Posting posting) {
    if (posting.idempotencyKey() == null) {
      return Future.succeededFuture();
    }
    // One user: the routed form costs nothing here and serves a single PostgreSQL and Citus alike.
    return tx.preparedQuery(LedgerSql.FIND_BY_KEYS_ROUTED)
        .execute(Tuple.tuple().addValue(new Long[] {posting.userId()}).addValue(new String[] {posting.idempotencyKey()}))
        .map(rows -> rows.size() == 0 ? null : LedgerSql.earlierPosting(rows.iterator().next()));
  }

  private Future<PostingResult> apply(SqlConnection tx, Account account, Posting posting) {
    BigDecimal before = account.balance;
    BigDecimal after = before.add(posting.delta());
    if (!posting.rule().allows(after, floor)) {
      LedgerRefusal reason = posting.rule() == BalanceRule.DOWN_TO_FLOOR ? LedgerRefusal.BALANCE_FLOOR
          : LedgerRefusal.INSUFFICIENT_BALANCE;
      return Future.succeededFuture(PostingResult.refused(reason, before));
    }
    OffsetDateTime now = Times.utcNow(clock);
    long seq = account.post(posting.delta());
    // What a user spends counts toward the daily limit, whichever path posts it (a run's settlement, a hold's).
    if (posting.type() == TransactionType.USAGE || posting.type() == TransactionType.SPEND) {
      account.countSpent(now.atZoneSameInstant(displayZone).toLocalDate(), posting.delta().negate());
    }
    BatchStatement.LedgerRows rows = new BatchStatement.LedgerRows();
    rows.add(account, seq, posting);
    return BatchStatement.insert(tx, rows, now)
        .compose(ids -> LedgerSql.updateAccounts(tx, List.of(account), now)
            .map(v -> new PostingResult(PostingResult.Status.APPLIED, null, false, ids.get(account.userId).get(seq),
                posting.delta(), before, after)));
  }
}

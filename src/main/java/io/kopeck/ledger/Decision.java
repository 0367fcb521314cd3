package io.kopeck.ledger;

import io.vertx.sqlclient.Row;
import java.math.BigDecimal;
import java.util.Map;

/**
 * The engine's verdict on one charge while its batch is being built. A repeat points at the
 * verdict it repeats, whose transaction id is only known once the batch's rows are inserted.
 */
final class Decision {
  PostingResult.Status status;
  LedgerRefusal refusal;
  BigDecimal tokens = BigDecimal.ZERO;
  BigDecimal before;
  BigDecimal after;
  Long transactionId;
  long userId;
  Long txSeq;
  private Decision original;

  private Decision() {
  }

  static Decision charged(BigDecimal tokens, BigDecimal before, BigDecimal after) {
    Decision d = new Decision();
    d.status = PostingResult.Status.APPLIED;
    d.tokens = tokens;
    d.before = before;
    d.after = after;
    return d;
  }

  static Decision rejected(LedgerRefusal refusal, BigDecimal balance) {
    Decision d = new Decision();
    d.status = PostingResult.Status.REFUSED;
    d.refusal = refusal;
    d.before = balance;
    d.after = balance;
    return d;
  }

  /** A usage event recorded by an earlier batch. */
  static Decision recorded(Row row) {
    boolean charged = "charged".equals(row.getString("status"));
    BigDecimal after = row.getBigDecimal("balance_after");
    Decision d = charged ? charged(row.getBigDecimal("tokens_charged"), null, after)
        : rejected(LedgerRefusal.ofCode(row.getString("reject_reason")), after);
    d.before = charged ? after.add(d.tokens) : after;
    d.transactionId = row.getLong("transaction_id");
    return d;
  }

  /** A ledger row posted by an earlier batch under the same idempotency key (read as {@link Ledger#post} reads it). */
  static Decision posted(Row row) {
    PostingResult earlier = LedgerSql.earlierPosting(row);
    Decision d = charged(earlier.debited(), earlier.balanceBefore(), earlier.balanceAfter());
    d.transactionId = earlier.transactionId();
    return d;
  }

  /** The answer to a repeat of this charge: the same figures, flagged as a duplicate. */
  Decision repeated() {
    Decision d = new Decision();
    d.original = this;
    return d;
  }

  void resolveTransaction(Map<Long, Map<Long, Long>> ids) {
    if (txSeq != null && transactionId == null) {
      transactionId = ids.get(userId).get(txSeq);
    }
  }

  PostingResult result() {
    Decision source = original == null ? this : original;
    return new PostingResult(source.status, source.refusal, original != null, source.transactionId,
        source.tokens.negate(), source.before, source.after);
  }
}

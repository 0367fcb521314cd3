package io.kopeck.ledger;

import io.kopeck.common.RowClaim;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.List;

/**
 * Credit grants (SPEC §21), the ledger's half: a grant is a {@code grant} ledger row keyed
 * {@code grant:<id>} plus its {@code grants} row (when it ends); at its end the rest the consumption order
 * left ({@link GrantReplay}) is taken back by one {@code expiry} row keyed {@code grant-expiry:<id>}. Both
 * happen under the user-row lock every money write takes first, in the caller's transaction.
 */
public final class Grants {
  /** What giving a grant did: {@code GIVEN}, {@code SAME} (given before with the same terms), {@code CONFLICT} (other terms), {@code NO_USER}. */
  public enum Outcome { GIVEN, SAME, CONFLICT, NO_USER }

  /** A grant's row, and what giving it did. */
  public record Given(Outcome outcome, GrantReplay.Grant grant, String reason, BigDecimal balanceAfter) {
  }

  /** A grant's end: the rest taken back (zero when nothing was left) and the balance after. */
  public record Ended(String grantId, BigDecimal amount, BigDecimal taken, OffsetDateTime expiresAt,
                      BigDecimal balanceAfter) {
  }

  private static final String FIND = """
      SELECT grant_id, amount, granted_seq, expires_at, expired_seq, expired_amount, reason FROM grants
      WHERE user_id = $1 AND grant_id = $2""";
  private static final String INSERT = """
      INSERT INTO grants (user_id, grant_id, amount, granted_seq, expires_at, reason, source, created_at)
      VALUES ($1, $2, $3::text::numeric, $4, $5, $6, $7, $8)""";
  private static final String SEQ = "SELECT balance_seq, token_balance FROM users WHERE id = $1";
  private static final String ENDED = """
      UPDATE grants SET expired_at = $3, expired_seq = $4, expired_amount = $5::text::numeric
      WHERE user_id = $1 AND grant_id = $2 AND expired_at IS NULL""";

  private final Ledger ledger;
  private final RowClaim due = new RowClaim(
      "SELECT user_id, grant_id FROM grants WHERE expired_at IS NULL AND expires_at <= $1",
      "ORDER BY expires_at LIMIT $2", "FOR UPDATE SKIP LOCKED", 2, "user_id", "user_id", "grant_id", "grant_id");

  public Grants(Ledger ledger) {
    this.ledger = ledger;
  }

  /**
   * Gives {@code amount} tokens to {@code userId} until {@code expiresAt}, once per grant id: the same id with
   * the same amount and end again is {@code SAME}, with other terms {@code CONFLICT}, and changes nothing.
   * {@code source}: admin, promo or trial.
   */
  public Future<Given> give(SqlConnection tx, long userId, String grantId, BigDecimal amount, OffsetDateTime expiresAt,
                            String reason, String source, OffsetDateTime now) {
    return ledger.lockUser(tx, userId).compose(balance -> balance == null
        ? Future.succeededFuture(new Given(Outcome.NO_USER, null, null, null))
        : tx.preparedQuery(FIND).execute(Tuple.of(userId, grantId)).compose(found -> {
          if (found.size() > 0) {
            Row row = found.iterator().next();
            GrantReplay.Grant earlier = GrantReplay.Grant.of(row);
            boolean same = earlier.amount().compareTo(amount) == 0 && earlier.expiresAt().isEqual(expiresAt);
            return Future.succeededFuture(new Given(same ? Outcome.SAME : Outcome.CONFLICT, earlier,
                row.getString("reason"), balance));
          }
          String metadata = new JsonObject().put("grant_id", grantId).put("expires_at", expiresAt.toInstant().toString())
              .put("source", source).encode();
          return ledger.post(tx, new Posting(userId, TransactionType.GRANT, amount, BalanceRule.CREDIT, "grant:" + grantId,
                  null, reason == null ? "grant " + grantId : reason, metadata))
              .compose(posting -> seq(tx, userId)).compose(seq -> tx.preparedQuery(INSERT)
                  .execute(Tuple.of(userId, grantId, amount.toPlainString(), seq, expiresAt, reason, source, now))
                  .map(v -> new Given(Outcome.GIVEN, new GrantReplay.Grant(grantId, amount, seq, expiresAt, null, null),
                      reason, balance.add(amount))));
        }));
  }

  /** The grants past their end, locked for the caller's transaction (instances running the job at once skip them). */
  public Future<List<Row>> claimDue(SqlConnection tx, OffsetDateTime now, int limit) {
    return due.claim(tx, Tuple.of(now, limit));
  }

  /**
   * Ends a claimed grant: its rest (replayed from the ledger under the user's lock) taken back by one
   * {@code expiry} row when there is any, and the grant marked ended after the user's last row.
   */
  public Future<Ended> end(SqlConnection tx, long userId, String grantId, OffsetDateTime now) {
    return ledger.lockUser(tx, userId).compose(balance -> GrantReplay.load(tx, userId).compose(replay -> {
      GrantReplay.Grant grant = replay.grants().stream().filter(g -> g.grantId().equals(grantId)).findFirst()
          .orElseThrow(() -> new IllegalStateException("grant " + grantId + " of user " + userId + " is gone"));
      BigDecimal rest = replay.remaining().getOrDefault(grantId, BigDecimal.ZERO).setScale(4);
      Future<BigDecimal> taken = rest.signum() == 0 ? Future.succeededFuture(balance)
          : ledger.post(tx, new Posting(userId, TransactionType.EXPIRY, rest.negate(), BalanceRule.GRANT_EXPIRY,
              "grant-expiry:" + grantId, null, "grant " + grantId + " ended",
              new JsonObject().put("grant_id", grantId).encode())).map(PostingResult::balanceAfter);
      return taken.compose(after -> seq(tx, userId).compose(seq -> tx.preparedQuery(ENDED)
          .execute(Tuple.of(userId, grantId, now, seq, rest.toPlainString()))
          .map(v -> new Ended(grantId, grant.amount(), rest, grant.expiresAt(), after))));
    }));
  }

  private static Future<Long> seq(SqlConnection tx, long userId) {
    return tx.preparedQuery(SEQ).execute(Tuple.of(userId)).map(rows -> rows.iterator().next().getLong("balance_seq"));
  }
}

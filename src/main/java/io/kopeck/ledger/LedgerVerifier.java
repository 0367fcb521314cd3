package io.kopeck.ledger;

import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Checks the invariants of SPEC §2 over the whole database, each as one set-based query that
 * returns only the violating rows (at most 1000 per check).
 */
public final class LedgerVerifier {

  /** What a check's one parameter is: none, the balance floor, or the latest expiry an active hold may have. */
  private enum Param { NONE, FLOOR, EXPIRY_CUTOFF }

  private record Check(int invariant, String name, String sql, Function<Row, String> detail, Param param) {
  }

  private static final List<Check> CHECKS = List.of(
      new Check(1, "balance_equals_sum", """
          SELECT u.id AS user_id, u.token_balance, coalesce(s.total, 0) AS total
          FROM users u LEFT JOIN (SELECT user_id, sum(tokens_delta) AS total FROM transactions GROUP BY user_id) s
            ON s.user_id = u.id
          WHERE u.token_balance <> coalesce(s.total, 0) ORDER BY u.id LIMIT 1000""",
          row -> "token_balance " + plain(row, "token_balance") + " but ledger sum " + plain(row, "total"), Param.NONE),
      new Check(1, "balance_seq_matches_rows", """
          SELECT u.id AS user_id, u.balance_seq, coalesce(s.n, 0) AS n, coalesce(s.max_seq, 0) AS max_seq
          FROM users u LEFT JOIN (SELECT user_id, count(*) AS n, max(seq) AS max_seq FROM transactions GROUP BY user_id) s
            ON s.user_id = u.id
          WHERE u.balance_seq <> coalesce(s.n, 0) OR u.balance_seq <> coalesce(s.max_seq, 0) ORDER BY u.id LIMIT 1000""",
          row -> "balance_seq " + row.getLong("balance_seq") + " but " + row.getLong("n") + " rows, max seq "
              + row.getLong("max_seq"), Param.NONE),
      new Check(1, "rows_have_user", """
          SELECT r.user_id, r.kind, r.n FROM (
            SELECT user_id, 'transactions' AS kind, count(*) AS n FROM transactions GROUP BY user_id
            UNION ALL
            SELECT user_id, 'usage_charges', count(*) FROM usage_charges GROUP BY user_id) r
          WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.id = r.user_id) LIMIT 1000""",
          row -> row.getLong("n") + " " + row.getString("kind") + " rows of a user that does not exist", Param.NONE),
      new Check(2, "balance_after_chain", """
          SELECT user_id, seq, balance_after, tokens_delta, prev_balance, prev_seq FROM (
            SELECT user_id, seq, balance_after, tokens_delta,
                   lag(balance_after) OVER w AS prev_balance, lag(seq) OVER w AS prev_seq
            FROM transactions WINDOW w AS (PARTITION BY user_id ORDER BY seq)) t
          WHERE balance_after <> coalesce(prev_balance, 0) + tokens_delta OR seq <> coalesce(prev_seq, 0) + 1
          ORDER BY user_id, seq LIMIT 1000""",
          row -> "row seq " + row.getLong("seq") + ": balance_after " + plain(row, "balance_after") + " after "
              + (row.getValue("prev_balance") == null ? "nothing" : plain(row, "prev_balance")) + " + "
              + plain(row, "tokens_delta") + " (previous seq " + row.getValue("prev_seq") + ")", Param.NONE),
      new Check(3, "idempotency_key_once", """
          SELECT user_id, idempotency_key, count(*) AS n FROM transactions WHERE idempotency_key IS NOT NULL
          GROUP BY user_id, idempotency_key HAVING count(*) > 1 LIMIT 1000""",
          row -> "key " + row.getString("idempotency_key") + " applied " + row.getLong("n") + " times", Param.NONE),
      new Check(3, "invoice_credited_once", """
          SELECT user_id, invoice_id, count(*) AS n FROM transactions WHERE type = 'topup' AND invoice_id IS NOT NULL
          GROUP BY user_id, invoice_id HAVING count(*) > 1 LIMIT 1000""",
          row -> "invoice " + row.getValue("invoice_id") + " credited " + row.getLong("n") + " times", Param.NONE),
      new Check(3, "usage_matches_ledger", """
          SELECT c.user_id, c.event_id, c.tokens_charged, t.tokens_delta
          FROM usage_charges c LEFT JOIN transactions t ON t.user_id = c.user_id AND t.id = c.transaction_id
          WHERE c.status = 'charged' AND c.tokens_charged > 0
            AND (t.id IS NULL OR t.type <> 'usage' OR t.tokens_delta <> -c.tokens_charged)
          LIMIT 1000""",
          row -> "event " + row.getString("event_id") + " charged " + plain(row, "tokens_charged")
              + " but its ledger row is " + (row.getValue("tokens_delta") == null ? "missing" : plain(row, "tokens_delta")),
          Param.NONE),
      new Check(3, "usage_row_charged_once", """
          SELECT t.user_id, t.id, count(c.event_id) AS n
          FROM transactions t LEFT JOIN usage_charges c ON c.user_id = t.user_id AND c.transaction_id = t.id
          WHERE t.type = 'usage' AND t.idempotency_key IS NULL
          GROUP BY t.user_id, t.id HAVING count(c.event_id) <> 1 LIMIT 1000""",
          row -> "usage ledger row " + row.getLong("id") + " belongs to " + row.getLong("n") + " events", Param.NONE),
      // Below the floor only through the reversal of money a provider had given back (BalanceRule.PROVIDER_REFUND):
      // any other debit that landed there breaks the invariant.
      new Check(4, "balance_above_floor", """
          SELECT u.id AS user_id, u.token_balance FROM users u
          WHERE u.token_balance < $1::text::numeric
            AND EXISTS (SELECT 1 FROM transactions t WHERE t.user_id = u.id AND t.tokens_delta < 0
                          AND t.balance_after < $1::text::numeric
                          AND t.type <> 'expiry'
                          AND (t.type <> 'refund' OR t.metadata->>'provider_refund' IS DISTINCT FROM 'true'))
          ORDER BY u.id LIMIT 1000""",
          row -> "token_balance " + plain(row, "token_balance") + " below the floor", Param.FLOOR),
      // Holds (SPEC §19): a settled hold is exactly one ledger row, held is what the active holds reserve,
      // and the timer releases holds that expired (within two of its intervals).
      new Check(5, "hold_settled_once", """
          SELECT h.user_id, h.hold_id, count(t.id) AS n FROM holds h
          LEFT JOIN transactions t ON t.user_id = h.user_id AND t.idempotency_key = h.ledger_key
          WHERE h.status = 'settled' GROUP BY h.user_id, h.hold_id HAVING count(t.id) <> 1
          LIMIT 1000""",
          row -> "settled hold " + row.getString("hold_id") + " has " + row.getLong("n") + " ledger rows", Param.NONE),
      new Check(5, "held_equals_active_holds", """
          SELECT u.id AS user_id, u.held, coalesce(h.total, 0) AS total FROM users u
          LEFT JOIN (SELECT user_id, sum(amount) AS total FROM holds WHERE status = 'active' GROUP BY user_id) h
            ON h.user_id = u.id
          WHERE u.held <> coalesce(h.total, 0) ORDER BY u.id LIMIT 1000""",
          row -> "held " + plain(row, "held") + " but active holds sum to " + plain(row, "total"), Param.NONE),
      new Check(5, "holds_expire_on_time", """
          SELECT user_id, hold_id, expires_at FROM holds WHERE status = 'active' AND expires_at < $1
          ORDER BY expires_at LIMIT 1000""",
          row -> "hold " + row.getString("hold_id") + " still active, expired at " + row.getValue("expires_at"),
          Param.EXPIRY_CUTOFF),
      // Grants (SPEC §21): credited once by their own row, their rest taken back once at their end by theirs
      // (none when nothing was left), and ended by the timer on time. That the rest taken was the rest the
      // consumption order leaves is checked by replaying each user's ledger (grantReplays below).
      new Check(6, "grant_credited_once", """
          SELECT g.user_id, g.grant_id, count(t.seq) AS n FROM grants g
          LEFT JOIN transactions t ON t.user_id = g.user_id AND t.idempotency_key = 'grant:' || g.grant_id
            AND t.type = 'grant' AND t.tokens_delta = g.amount AND t.seq = g.granted_seq
          GROUP BY g.user_id, g.grant_id HAVING count(t.seq) <> 1 LIMIT 1000""",
          row -> "grant " + row.getString("grant_id") + " has " + row.getLong("n") + " matching ledger rows", Param.NONE),
      new Check(6, "grant_expired_once", """
          SELECT g.user_id, g.grant_id, count(t.seq) AS n FROM grants g
          LEFT JOIN transactions t ON t.user_id = g.user_id AND t.idempotency_key = 'grant-expiry:' || g.grant_id
          GROUP BY g.user_id, g.grant_id, g.expired_amount, g.expired_seq
          HAVING count(t.seq) <> CASE WHEN g.expired_amount > 0 THEN 1 ELSE 0 END
            OR bool_or(t.type <> 'expiry' OR t.tokens_delta <> -g.expired_amount OR t.seq <> g.expired_seq)
          LIMIT 1000""",
          row -> "grant " + row.getString("grant_id") + " has " + row.getLong("n")
              + " expiry rows that do not match its end", Param.NONE),
      new Check(6, "grants_expire_on_time", """
          SELECT user_id, grant_id, expires_at FROM grants WHERE expired_at IS NULL AND expires_at < $1
          ORDER BY expires_at LIMIT 1000""",
          row -> "grant " + row.getString("grant_id") + " still running, ended at " + row.getValue("expires_at"),
          Param.EXPIRY_CUTOFF));
  private static final String USERS_WITH_GRANTS = "SELECT DISTINCT user_id FROM grants ORDER BY user_id LIMIT 100000";

  /*
   * Every check reads whole tables, so hash joins are right at any size. Left to itself the planner
   * joined usage rows to their ledger rows by user alone (a nested loop or merge join on the user_id
   * that leads both keys, the LIMIT making it expect violations early) and filtered on the id after:
   * each usage row walked all of its user's ledger rows — 5.5 minutes and 100 million buffer reads
   * for 1.8 million charges. With hash joins on (user_id, id) that check takes 1.6 s.
   */
  private static final String WHOLE_TABLE_PLANS = "SET LOCAL enable_nestloop = off; SET LOCAL enable_mergejoin = off";

  private final Pool pool;
  private final BigDecimal floor;
  private final Clock clock;
  private final Duration timerInterval;

  /** {@code timerInterval}: how often the timer runs (an active hold may be past its expiry by two of them). */
  public LedgerVerifier(Pool pool, BigDecimal floor, Clock clock, Duration timerInterval) {
    this.pool = pool;
    this.floor = floor;
    this.clock = clock;
    this.timerInterval = timerInterval;
  }

  /**
   * Every violation found; empty means the ledger is consistent. The checks run one after another,
   * in one transaction planned for whole tables: each scans whole tables (with parallel workers), so
   * running them all at once saved little (13 s against 16 s for 1.8 million charges on two cores)
   * and took every core from the live service.
   */
  public Future<List<Violation>> verify() {
    return pool.withTransaction(conn -> {
      List<Violation> violations = new ArrayList<>();
      Future<?> chain = conn.query(WHOLE_TABLE_PLANS).execute();
      for (Check check : CHECKS) {
        chain = chain.compose(done -> run(conn, check)).onSuccess(violations::addAll);
      }
      return chain.compose(done -> grantReplays(conn)).map(found -> {
        violations.addAll(found);
        return violations;
      });
    });
  }

  /** Each user's grants replayed over their ledger: what an expiry took is the rest the consumption order left. */
  private static Future<List<Violation>> grantReplays(SqlConnection conn) {
    return conn.query(USERS_WITH_GRANTS).execute().compose(users -> {
      List<Violation> found = new ArrayList<>();
      Future<?> chain = Future.succeededFuture();
      for (Row user : users) {
        long userId = user.getLong("user_id");
        chain = chain.compose(v -> GrantReplay.loadAll(conn, userId).onSuccess(result -> {
          for (GrantReplay.Grant grant : result.grants()) {
            BigDecimal rest = result.restAtExpiry().get(grant.grantId());
            if (grant.expired() && (rest == null || rest.compareTo(grant.expiredAmount()) != 0)) {
              found.add(new Violation(6, "grant_rest_taken_at_expiry", userId, "grant " + grant.grantId()
                  + " took back " + grant.expiredAmount().toPlainString() + " at its end but "
                  + (rest == null ? "no rest" : rest.toPlainString()) + " was left"));
            }
          }
        }));
      }
      return chain.map(v -> found);
    });
  }

  private Future<List<Violation>> run(SqlConnection conn, Check check) {
    Tuple params = switch (check.param()) {
      case NONE -> Tuple.tuple();
      case FLOOR -> Tuple.of(floor.toPlainString());
      case EXPIRY_CUTOFF -> Tuple.of(Times.utcNow(clock).minus(timerInterval.multipliedBy(2)));
    };
    return conn.preparedQuery(check.sql()).execute(params).map(rows -> {
      List<Violation> found = new ArrayList<>();
      rows.forEach(row -> found.add(new Violation(check.invariant(), check.name(), row.getLong("user_id"),
          check.detail().apply(row))));
      return found;
    });
  }

  private static String plain(Row row, String column) {
    BigDecimal value = row.getBigDecimal(column);
    return value == null ? "null" : value.toPlainString();
  }
}

package io.kopeck.ledger;

import io.kopeck.common.PerRow;
import io.kopeck.common.TimerJob;
import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.pgclient.PgException;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Holds (SPEC §19): tokens reserved before work whose price is known only afterwards, then settled
 * by exactly one ledger row, released, or expired by the timer. The ledger keeps {@code users.held}
 * = Σ active holds next to the balance; both change only under the user-row lock every money write
 * takes first ({@link Ledger#lockUser}), so concurrent holds of one user queue on that lock and
 * never reserve more than is available. Spends may use only {@code balance − held}; usage ignores
 * holds (the run happened).
 */
public final class Holds {
  /** A hold as stored; the settle figures are null until it is settled. */
  public record Hold(long userId, String holdId, BigDecimal amount, String status, String description,
                     OffsetDateTime expiresAt, BigDecimal availableAfter, BigDecimal tokensCharged,
                     BigDecimal balanceAfter, Long transactionId) {
    public boolean active() {
      return status.equals("active");
    }

    static Hold of(Row row) {
      return new Hold(row.getLong("user_id"), row.getString("hold_id"), row.getBigDecimal("amount"),
          row.getString("status"), row.getString("description"), row.getOffsetDateTime("expires_at"),
          row.getBigDecimal("available_after"), row.getBigDecimal("tokens_charged"), row.getBigDecimal("balance_after"),
          row.getLong("transaction_id"));
    }
  }

  /** The hold, and whether this request placed it (false: it existed, the answer repeats it). */
  public record Placed(Hold hold, boolean created) {
  }

  /** What closing a run's hold did: the charge's posting (null when nothing was charged). */
  public record Closed(PostingResult charge) {
  }

  public static final Duration DEFAULT_TTL = Duration.ofHours(1);
  public static final Duration MAX_TTL = Duration.ofDays(1);

  private static final String COLUMNS = "user_id, hold_id, amount, status, description, expires_at, available_after, "
      + "tokens_charged, balance_after, transaction_id";
  private static final String OWNER = "SELECT user_id FROM holds WHERE hold_id = $1";
  private static final String FIND = "SELECT " + COLUMNS + " FROM holds WHERE user_id = $1 AND hold_id = $2";
  private static final String LOCK = FIND + " FOR UPDATE";
  private static final String INSERT = """
      INSERT INTO holds (user_id, hold_id, amount, description, expires_at, available_after, created_at)
      VALUES ($1, $2, $3::text::numeric, $4, $5, $6::text::numeric, $7) RETURNING """ + " " + COLUMNS;
  private static final String MOVE_HELD = "UPDATE users SET held = held + $2::text::numeric WHERE id = $1";
  private static final String SETTLED = """
      UPDATE holds SET status = 'settled', ledger_key = $3, tokens_charged = $4::text::numeric,
        balance_after = $5::text::numeric, transaction_id = $6, closed_at = $7
      WHERE user_id = $1 AND hold_id = $2 RETURNING """ + " " + COLUMNS;
  private static final String CLOSED = """
      UPDATE holds SET status = $3, closed_at = $4 WHERE user_id = $1 AND hold_id = $2 RETURNING """ + " " + COLUMNS;
  private static final String RENAME = "UPDATE holds SET hold_id = $3, expires_at = $4 WHERE user_id = $1 AND hold_id = $2";
  private static final String DUE_USERS = """
      SELECT DISTINCT user_id FROM holds WHERE status = 'active' AND expires_at <= $1 ORDER BY user_id LIMIT 500""";
  private static final String EXPIRE_USER = """
      UPDATE holds SET status = 'expired', closed_at = $2 WHERE user_id = $1 AND status = 'active' AND expires_at <= $2
      RETURNING user_id, amount""";

  private final Pool pool;
  private final Clock clock;
  private final Ledger ledger;

  public Holds(Pool pool, Clock clock, Ledger ledger) {
    this.pool = pool;
    this.clock = clock;
    this.ledger = ledger;
  }

  /**
   * Places a hold of {@code amount} for {@code ttl}; the same id for the same user answers the hold it
   * already names (the first request wins). Refused: unknown user, blocked, not enough available, an id
   * another user's hold has.
   */
  public Future<Placed> place(long userId, String holdId, BigDecimal amount, Duration ttl, String description) {
    return pool.withTransaction(tx -> place(tx, userId, holdId, amount, ttl, description))
        .recover(e -> e instanceof PgException pg && "23505".equals(pg.getSqlState())
            ? Future.failedFuture(LedgerRefusal.HOLD_ID_TAKEN.because("Hold " + holdId + " belongs to another user"))
            : Future.failedFuture(e));
  }

  /** The same inside the caller's transaction (a run the bot starts). */
  public Future<Placed> place(SqlConnection tx, long userId, String holdId, BigDecimal amount, Duration ttl,
                              String description) {
    Amounts.exactTokens(amount);
    return LedgerSql.lockAccounts(tx, List.of(userId), ledger.distributed()).compose(accounts -> {
      Account account = accounts.get(userId);
      if (account == null) {
        return Future.failedFuture(LedgerRefusal.USER_NOT_FOUND.because("No such user"));
      }
      return owner(tx, holdId).compose(owner -> {
        if (owner != null && owner != userId) {
          return Future.failedFuture(LedgerRefusal.HOLD_ID_TAKEN.because("Hold " + holdId + " belongs to another user"));
        }
        if (owner != null) {
          return find(tx, userId, holdId).map(existing -> new Placed(existing, false));
        }
        if (account.blocked) {
          return Future.failedFuture(LedgerRefusal.USER_BLOCKED.because("The user is blocked"));
        }
        BigDecimal availableAfter = account.available().subtract(amount);
        if (availableAfter.signum() < 0) {
          return Future.failedFuture(LedgerRefusal.INSUFFICIENT_BALANCE.because("Available "
              + Amounts.tokenText(account.available()) + " does not cover a hold of " + Amounts.tokenText(amount)));
        }
        OffsetDateTime now = Times.utcNow(clock);
        return tx.preparedQuery(INSERT).execute(Tuple.of(userId, holdId, amount.toPlainString(), description,
                now.plus(ttl), availableAfter.toPlainString(), now))
            .compose(rows -> moveHeld(tx, userId, amount).map(new Placed(Hold.of(rows.iterator().next()), true)));
      });
    });
  }

  /**
   * Settles a hold (the API): one ledger row keyed {@code hold:<id>}, charged like usage down to the
   * floor, whatever the hold's amount; a repeat answers the first settlement. Refused when the hold is
   * unknown, no longer active (released, expired), or the charge would pass the floor.
   */
  public Future<Hold> settle(String holdId, BigDecimal amount) {
    Amounts.exactTokens(amount);
    return ownerOrRefuse(holdId).compose(userId -> pool.withTransaction(tx -> ledger.lockUser(tx, userId)
        .compose(v -> lock(tx, userId, holdId)).compose(hold -> {
          if (hold.status().equals("settled")) {
            return Future.succeededFuture(hold);
          }
          if (!hold.active() || !hold.expiresAt().isAfter(Times.utcNow(clock))) {
            return Future.failedFuture(LedgerRefusal.HOLD_NOT_ACTIVE.because("Hold " + holdId + " is " + hold.status()
                + (hold.active() ? " but past its expiry" : "")));
          }
          String key = "hold:" + holdId;
          Posting charge = new Posting(userId, TransactionType.USAGE, amount.negate(), BalanceRule.DOWN_TO_FLOOR, key,
              null, hold.description(), new JsonObject().put("hold_id", holdId).encode());
          return ledger.post(tx, charge).compose(result -> result.applied()
              ? settled(tx, hold, key, result)
              : Future.failedFuture(result.refusal().because(result.refusal().message())));
        })));
  }

  /** Releases a hold: its tokens are available again. Releasing a released or expired hold changes nothing. */
  public Future<Hold> release(String holdId) {
    return ownerOrRefuse(holdId).compose(userId -> pool.withTransaction(tx -> ledger.lockUser(tx, userId)
        .compose(v -> lock(tx, userId, holdId)).compose(hold -> {
          if (hold.status().equals("settled")) {
            return Future.failedFuture(LedgerRefusal.HOLD_NOT_ACTIVE.because("Hold " + holdId + " is settled"));
          }
          return hold.active() ? close(tx, hold, "released") : Future.succeededFuture(hold);
        })));
  }

  /**
   * Ends a run's hold inside the caller's transaction (SPEC §18): posts {@code charge} when there is one
   * (its own key: the run's settlement), then settles the hold by it or, with nothing charged, releases
   * it. A hold that expired or was released meanwhile leaves the charge as it is: the run happened.
   */
  public Future<Closed> closeForRun(SqlConnection tx, long userId, String holdId, Posting charge) {
    Future<PostingResult> posted = charge == null ? Future.succeededFuture() : ledger.post(tx, charge);
    return posted.compose(result -> holdId == null ? Future.succeededFuture(new Closed(result))
        : lockIfExists(tx, userId, holdId).compose(hold -> {
          if (hold == null || !hold.active()) {
            return Future.succeededFuture(new Closed(result));
          }
          Future<Hold> closed = result != null && result.applied()
              ? settled(tx, hold, charge.idempotencyKey(), result) : close(tx, hold, "released");
          return closed.map(new Closed(result));
        }));
  }

  /** Gives the hold its final id and expiry once the work it reserves for has one (a run's task id). */
  public Future<Void> rename(SqlConnection tx, long userId, String from, String to, OffsetDateTime expiresAt) {
    return tx.preparedQuery(RENAME).execute(Tuple.of(userId, from, to, expiresAt)).mapEmpty();
  }

  /** The hold, or null. */
  public Future<Hold> find(String holdId) {
    return owner(pool, holdId).compose(owner -> owner == null ? Future.succeededFuture(null)
        : find(pool, owner, holdId));
  }

  /** The timer's job: holds past their expiry are released as {@code expired}. */
  public TimerJob expiryJob() {
    return TimerJob.counting("hold-expiry", "expired", this::expireDue);
  }

  /**
   * Expires due holds: their users are locked first, in id order, like every money write (the hold rows
   * after them, so a settle — user, then hold — never waits on this in the other order).
   */
  Future<Integer> expireDue() {
    OffsetDateTime now = Times.utcNow(clock);
    return pool.withTransaction(tx -> tx.preparedQuery(DUE_USERS).execute(Tuple.of(now)).compose(rows -> {
      List<Long> users = new ArrayList<>();
      rows.forEach(row -> users.add(row.getLong("user_id")));
      if (users.isEmpty()) {
        return Future.succeededFuture(0);
      }
      return LedgerSql.lockAccounts(tx, users, ledger.distributed())
          .compose(locked -> PerRow.execute(tx, EXPIRE_USER, users.stream().map(id -> Tuple.of(id, now)).toList()))
          .compose(expired -> {
            Map<Long, BigDecimal> released = new TreeMap<>();
            expired.forEach(row -> released.merge(row.getLong("user_id"), row.getBigDecimal("amount"), BigDecimal::add));
            List<Tuple> moves = new ArrayList<>();
            released.forEach((user, amount) -> moves.add(Tuple.of(user, amount.negate().toPlainString())));
            return PerRow.execute(tx, MOVE_HELD, moves).map(expired.size());
          });
    }));
  }

  private Future<Hold> settled(SqlConnection tx, Hold hold, String key, PostingResult result) {
    OffsetDateTime now = Times.utcNow(clock);
    return tx.preparedQuery(SETTLED).execute(Tuple.of(hold.userId(), hold.holdId(), key,
            result.debited().toPlainString(), result.balanceAfter().toPlainString(), result.transactionId(), now))
        .compose(rows -> moveHeld(tx, hold.userId(), hold.amount().negate()).map(Hold.of(rows.iterator().next())));
  }

  private Future<Hold> close(SqlConnection tx, Hold hold, String status) {
    return tx.preparedQuery(CLOSED).execute(Tuple.of(hold.userId(), hold.holdId(), status, Times.utcNow(clock)))
        .compose(rows -> moveHeld(tx, hold.userId(), hold.amount().negate()).map(Hold.of(rows.iterator().next())));
  }

  private static Future<Void> moveHeld(SqlConnection tx, long userId, BigDecimal delta) {
    return tx.preparedQuery(MOVE_HELD).execute(Tuple.of(userId, delta.toPlainString())).mapEmpty();
  }

  private Future<Long> ownerOrRefuse(String holdId) {
    return owner(pool, holdId).compose(owner -> owner != null ? Future.succeededFuture(owner)
        : Future.failedFuture(LedgerRefusal.HOLD_NOT_FOUND.because("No hold " + holdId)));
  }

  private static Future<Long> owner(SqlClient client, String holdId) {
    return client.preparedQuery(OWNER).execute(Tuple.of(holdId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getLong("user_id"));
  }

  private static Future<Hold> find(SqlClient client, long userId, String holdId) {
    return client.preparedQuery(FIND).execute(Tuple.of(userId, holdId))
        .map(rows -> rows.size() == 0 ? null : Hold.of(rows.iterator().next()));
  }

  private static Future<Hold> lock(SqlConnection tx, long userId, String holdId) {
    return lockIfExists(tx, userId, holdId).compose(hold -> hold != null ? Future.succeededFuture(hold)
        : Future.failedFuture(LedgerRefusal.HOLD_NOT_FOUND.because("No hold " + holdId)));
  }

  private static Future<Hold> lockIfExists(SqlConnection tx, long userId, String holdId) {
    return tx.preparedQuery(LOCK).execute(Tuple.of(userId, holdId))
        .map(rows -> rows.size() == 0 ? null : Hold.of(rows.iterator().next()));
  }
}

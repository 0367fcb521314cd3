package io.kopeck.user;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.common.Refused;
import io.kopeck.common.RowJson;
import io.kopeck.common.Times;
import io.kopeck.ledger.BalanceRule;
import io.kopeck.ledger.Ledger;
import io.kopeck.ledger.LedgerRefusal;
import io.kopeck.ledger.Posting;
import io.kopeck.ledger.PostingResult;
import io.kopeck.ledger.TransactionType;
import io.kopeck.notify.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * What an admin does to one account (SPEC §9): look at it, correct its balance, block it. Every
 * change is audited in its own transaction and the user is told about a balance correction.
 */
public final class UserAccounts {
  private static final Logger log = LoggerFactory.getLogger(UserAccounts.class);

  static final int LAST_TRANSACTIONS = 20;

  private static final String PROFILE = """
      SELECT u.id, u.username, u.first_name, u.last_name, u.language_code, u.language_override, u.token_balance,
             u.balance_seq, u.subscription_end, t.slug AS tariff, u.auto_renew, u.is_blocked, u.bot_blocked,
             u.daily_spend_limit, u.cost_message_format, u.created_at, u.updated_at
      FROM users u LEFT JOIN tariffs t ON t.id = u.tariff_id WHERE u.id = #{user_id}""";
  private static final String TRANSACTIONS = """
      SELECT id, seq, type, tokens_delta, balance_after, description, created_at FROM transactions
      WHERE user_id = #{user_id} AND seq > #{after_seq} ORDER BY seq DESC""";

  private final Pool pool;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> profile;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> transactions;
  private final Clock clock;
  private final Ledger ledger;
  private final Users users;

  public UserAccounts(Pool pool, Clock clock, Ledger ledger, Users users) {
    this.users = users;
    this.pool = pool;
    this.profile = SqlTemplate.forQuery(pool, PROFILE);
    this.transactions = SqlTemplate.forQuery(pool, TRANSACTIONS);
    this.clock = clock;
    this.ledger = ledger;
  }

  /** Profile, balance, subscription and the last 20 ledger rows, newest first. */
  public Future<JsonObject> show(long userId) {
    return profile.execute(Map.of("user_id", userId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(UserRefusal.USER_NOT_FOUND.because("No user " + userId));
      }
      Row user = rows.iterator().next();
      JsonObject json = RowJson.of(user);
      OffsetDateTime end = user.getOffsetDateTime("subscription_end");
      json.put("subscription_active", end != null && end.isAfter(Times.utcNow(clock)));
      long afterSeq = Math.max(0, user.getLong("balance_seq") - LAST_TRANSACTIONS);
      return transactions.execute(Map.of("user_id", userId, "after_seq", afterSeq))
          .map(txs -> {
            JsonArray last = new JsonArray();
            txs.forEach(tx -> last.add(RowJson.of(tx)));
            return json.put("transactions", last);
          });
    });
  }

  /**
   * A manual correction: an {@code adjustment} ledger row. Credits always apply; a debit may take
   * the balance below zero down to BALANCE_FLOOR (an admin may claw back tokens already spent),
   * not further. The key makes it exactly-once: a repeat answers the first result with
   * {@code duplicate: true} and changes nothing.
   */
  public Future<JsonObject> adjust(long userId, Adjustment adjustment, Actor actor) {
    OffsetDateTime now = Times.utcNow(clock);
    BalanceRule rule = adjustment.amount().signum() > 0 ? BalanceRule.CREDIT : BalanceRule.DOWN_TO_FLOOR;
    JsonObject metadata = new JsonObject().put("reason", adjustment.reason()).put("actor", actor.type() + ":" + actor.id());
    return pool.withTransaction(tx -> ledger.post(tx, new Posting(userId, TransactionType.ADJUSTMENT, adjustment.amount(),
            rule, "admin:" + adjustment.idempotencyKey(), null, adjustment.reason(), metadata.encode()))
        .compose(posting -> !posting.applied() ? Future.failedFuture(refusal(posting, adjustment.amount()))
            : posting.duplicate() ? Future.succeededFuture(result(userId, posting, true))
            : record(tx, userId, adjustment, posting, actor, now).map(result(userId, posting, false))))
        .onSuccess(result -> log.info("Balance adjusted {} {} {} {} {}", kv("user_id", userId),
            kv("transaction_id", result.getLong("transaction_id")), kv("amount", result.getString("amount")),
            kv("duplicate", result.getBoolean("duplicate")), kv("actor", actor.type() + ":" + actor.id())));
  }

  private static Refused refusal(PostingResult posting, BigDecimal amount) {
    if (posting.refusal() == LedgerRefusal.USER_NOT_FOUND) {
      return UserRefusal.USER_NOT_FOUND.because("No such user");
    }
    return UserRefusal.BALANCE_FLOOR.because("Adjusting by " + amount.toPlainString() + " would take the balance "
        + posting.balanceBefore().toPlainString() + " below the floor");
  }

  private static JsonObject result(long userId, PostingResult posting, boolean duplicate) {
    return new JsonObject().put("user_id", userId).put("transaction_id", posting.transactionId())
        .put("amount", posting.delta().toPlainString()).put("balance_before", posting.balanceBefore().toPlainString())
        .put("balance_after", posting.balanceAfter().toPlainString()).put("duplicate", duplicate);
  }

  private Future<Void> record(SqlConnection tx, long userId, Adjustment adjustment, PostingResult posting, Actor actor,
                              OffsetDateTime now) {
    JsonObject args = new JsonObject().put("amount", posting.delta().toPlainString())
        .put("reason", adjustment.reason()).put("balance", posting.balanceAfter().toPlainString());
    return AuditLog.record(tx, actor, "user.adjust", "user", Long.toString(userId), userId,
            new JsonObject().put("token_balance", posting.balanceBefore().toPlainString()),
            args.copy().put("transaction_id", posting.transactionId()).put("idempotency_key", adjustment.idempotencyKey()))
        .compose(v -> Outbox.toUser(tx, new Outbox.Notice(userId, "adjustment", "adjustment.done", args,
            "adjust:" + adjustment.idempotencyKey()), now));
  }

  /** Blocks or unblocks the account (spends refused, can_spend false); audited when it changes. */
  public Future<JsonObject> setBlocked(long userId, boolean blocked, Actor actor) {
    OffsetDateTime now = Times.utcNow(clock);
    return pool.withTransaction(tx -> users.setBlocked(tx, userId, blocked, now).compose(was -> {
      if (was == null) {
        return Future.failedFuture(UserRefusal.USER_NOT_FOUND.because("No user " + userId));
      }
      JsonObject result = new JsonObject().put("user_id", userId).put("is_blocked", blocked).put("changed", was != blocked);
      return was == blocked ? Future.succeededFuture(result)
          : AuditLog.record(tx, actor, blocked ? "user.block" : "user.unblock", "user", Long.toString(userId), userId,
              new JsonObject().put("is_blocked", was), new JsonObject().put("is_blocked", blocked)).map(result);
    })).onSuccess(result -> log.info("Account {} {} {}", kv("user_id", userId), kv("is_blocked", blocked),
        kv("actor", actor.type() + ":" + actor.id())));
  }
}

package io.kopeck.ledger;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The group-commit writer: each batch a lane hands it becomes one transaction, in two network round
 * trips.
 * <ol>
 *   <li>BEGIN, lock the batch's users in id order, read the charges already recorded under the
 *       batch's keys (pipelined: the server runs them in order, so the reads happen under the lock);</li>
 *   <li>decide every charge in arrival order in memory, then insert the ledger and usage rows with
 *       one set-based statement, the new balances with another, and COMMIT (pipelined).</li>
 * </ol>
 * Only after COMMIT succeeds does any caller get an answer. One charge never decides another's
 * answer: when the batch fails because of its content, it is split in halves and each half tried
 * alone, until the culprit stands alone and is refused with a permanent reason while the others
 * commit; a transient failure is retried {@link #RETRY_DELAYS_MS}.length times, then every charge
 * gets the retryable failure (nothing was written, and a retry is answered from what was committed).
 */
final class GroupCommitWriter {
  private static final Logger log = LoggerFactory.getLogger(GroupCommitWriter.class);

  /** A charge waiting in a lane; {@code shard} is its user's shard (0 on a single PostgreSQL). */
  record Pending(Charge charge, Promise<PostingResult> promise, int shard) {
  }

  /** One primary-key probe per (user, event) pair; LIMIT keeps the planner from turning it into a scan. */
  static final String FIND_USAGE = findUsage("");
  /** On Citus, as {@link LedgerSql#FIND_BY_KEYS_ROUTED}: routed to the batch's one shard. */
  private static final String FIND_USAGE_ROUTED = findUsage(" AND u.user_id = ANY($1::bigint[])");


  /*
   * The pool plans every execution for its arguments (DatabaseUrl); for a small batch that planning
   * cost PostgreSQL about as much as running the statements. The user lock, the look-up of earlier
   * usage charges, the inserts and the balance update can each use one index only (the primary key
   * of users or of usage_charges) or no table at all, so one generic plan per connection serves
   * every batch size, and with sequential scans ruled out a plan made while a table was small cannot
   * become a scan as it grows. The look-up of earlier spends keeps its custom plan: transactions has
   * two indexes leading with user_id, and on an empty table a generic plan may take the primary key
   * (user, seq), a walk through all of a user's rows, instead of (user, idempotency_key). (The usage
   * look-up had the same trap until V6 dropped usage_charges' (user, created_at) index: its generic
   * plan made on an empty table slowed to 0.8 ms per row within a minute.)
   */
  private static final String GENERIC_PLANS = "SET LOCAL plan_cache_mode = force_generic_plan";
  private static final String CUSTOM_PLANS = "SET LOCAL plan_cache_mode = force_custom_plan";
  /** What a single-node batch sets once, at its start: generic plans that may not scan. */
  static final String BATCH_PLANNING = GENERIC_PLANS + "; SET LOCAL enable_seqscan = off";

  /** Back-off before each retry of a batch that failed for a transient reason. */
  private static final long[] RETRY_DELAYS_MS = {50, 200, 500};

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final ZoneId displayZone;
  private final BigDecimal multiplier;
  private final BigDecimal floor;
  private final boolean requireSubscription;
  private final boolean distributed;
  private final String findUsage;
  private final String findSpends;
  private final EngineMetrics stats;

  GroupCommitWriter(Vertx vertx, Pool pool, Clock clock, ZoneId displayZone, BigDecimal multiplier, BigDecimal floor,
              boolean requireSubscription, boolean distributed, EngineMetrics stats) {
    this.stats = stats;
    this.distributed = distributed;
    this.findUsage = distributed ? FIND_USAGE_ROUTED : FIND_USAGE;
    this.findSpends = distributed ? LedgerSql.FIND_BY_KEYS_ROUTED : LedgerSql.FIND_BY_KEYS;
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.displayZone = displayZone;
    this.multiplier = multiplier;
    this.floor = floor;
    this.requireSubscription = requireSubscription;
  }

  /** Runs the batch and settles every caller's promise; the returned future never fails. */
  Future<Void> run(List<Pending> batch) {
    return attempt(batch, 0);
  }

  private Future<Void> attempt(List<Pending> batch, int retries) {
    return pool.getConnection()
        .compose(conn -> execute(conn, batch).eventually(conn::close))
        .transform(done -> {
          if (done.succeeded()) {
            List<Decision> decisions = done.result();
            for (int i = 0; i < batch.size(); i++) {
              batch.get(i).promise().complete(decisions.get(i).result());
            }
            return Future.succeededFuture();
          }
          Throwable failure = done.cause();
          stats.batchFailed(BatchFailures.reason(failure));
          if (BatchFailures.causedByContent(failure)) {
            return isolate(batch, failure);
          }
          if (retries < RETRY_DELAYS_MS.length) {
            Promise<Void> retried = Promise.promise();
            vertx.setTimer(RETRY_DELAYS_MS[retries], id -> attempt(batch, retries + 1).onComplete(retried));
            return retried.future();
          }
          log.warn("Billing batch of {} charges not committed after {} tries, answered as retryable: {}",
              kv("batch_size", batch.size()), retries + 1, failure.toString());
          batch.forEach(p -> p.promise().tryFail(new BatchFailedException(failure)));
          return Future.succeededFuture();
        });
  }

  /** Halves run one after the other, so a user's charges still commit in arrival order. */
  private Future<Void> isolate(List<Pending> batch, Throwable failure) {
    if (batch.size() == 1) {
      Charge charge = batch.get(0).charge();
      log.warn("Charge refused: the database rejected its content {} {}", kv("user_id", charge.userId()),
          kv("error", failure.getMessage()));
      batch.get(0).promise().tryComplete(PostingResult.refusedContent(charge));
      return Future.succeededFuture();
    }
    int half = batch.size() / 2;
    List<Pending> first = List.copyOf(batch.subList(0, half));
    List<Pending> second = List.copyOf(batch.subList(half, batch.size()));
    return attempt(first, 0).compose(v -> attempt(second, 0));
  }

  private Future<List<Decision>> execute(SqlConnection conn, List<Pending> batch) {
    OffsetDateTime now = Times.utcNow(clock);
    TreeSet<Long> userIds = new TreeSet<>();
    batch.forEach(p -> userIds.add(p.charge().userId()));

    Future<RowSet<Row>> begin = conn.query(distributed ? "BEGIN" : "BEGIN; " + BATCH_PLANNING).execute();
    Future<Map<Long, Account>> locked = LedgerSql.lockAccounts(conn, userIds, distributed);
    Future<Map<String, Decision>> usageSeen = findUsage(conn, batch);
    Future<Map<String, Decision>> spendSeen = findSpends(conn, batch);
    return Future.all(begin, locked, usageSeen, spendSeen)
        .compose(ready -> {
          Decisions decisions = new Decisions(locked.result(), usageSeen.result(), spendSeen.result(), now);
          batch.forEach(p -> decisions.decide(p.charge()));
          Future<Map<Long, Map<Long, Long>>> ids = insertRows(conn, decisions, now);
          if (distributed) {
            // The usage rows wait for the ledger rows' ids (BatchStatement.USAGE), so the rest waits too:
            // a COMMIT sent ahead would end the transaction before them.
            return ids.compose(written -> LedgerSql.updateAccounts(conn, decisions.accounts.values(), now)
                .compose(v -> conn.query("COMMIT").execute())
                .map(v -> decisions.settle(written)));
          }
          Future<?> balances = LedgerSql.updateAccounts(conn, decisions.accounts.values(), now);
          Future<?> commit = conn.query("COMMIT").execute();
          return Future.all(ids, balances, commit).map(done -> decisions.settle(ids.result()));
        })
        .recover(e -> conn.query("ROLLBACK").execute().transform(ignored -> Future.failedFuture(e)));
  }

  /** Switches the planning of the statements sent after it (pipelined; a failure shows in the next statement). */
  private Future<?> planMode(SqlConnection conn, String setting) {
    return distributed ? Future.succeededFuture() : conn.query(setting).execute();
  }

  /** Usage batches write ledger and usage rows in one statement; spend-only batches ledger rows alone. */
  private Future<Map<Long, Map<Long, Long>>> insertRows(SqlConnection conn, Decisions decisions, OffsetDateTime now) {
    if (distributed) {
      return BatchStatement.insertValues(conn, decisions.rows, now).compose(ids -> decisions.usage.isEmpty()
          ? Future.succeededFuture(ids)
          : BatchStatement.insertUsageValues(conn, decisions.usage, ids, now, multiplier).map(ids));
    }
    if (decisions.usage.isEmpty()) {
      return BatchStatement.insert(conn, decisions.rows, now);
    }
    return conn.preparedQuery(BatchStatement.LEDGER_AND_USAGE)
        .execute(BatchStatement.ledgerAndUsage(decisions.rows, decisions.usage, now, multiplier))
        .map(LedgerSql::idsByUserAndSeq);
  }

  private Future<Map<String, Decision>> findUsage(SqlConnection conn, List<Pending> batch) {
    return findEarlier(conn, batch, UsageCharge.class, UsageCharge::eventId, findUsage, "event_id", Decision::recorded,
        false);
  }

  /** Planned for its arguments (see GENERIC_PLANS). */
  private Future<Map<String, Decision>> findSpends(SqlConnection conn, List<Pending> batch) {
    return findEarlier(conn, batch, SpendCharge.class, SpendCharge::ledgerKey, findSpends, "idempotency_key",
        Decision::posted, true);
  }

  /**
   * What earlier batches recorded under this batch's (user, key) pairs of one kind of charge, by pair;
   * {@code customPlan}: the plan setting is switched to custom around the look-up (pipelined).
   */
  private <C extends Charge> Future<Map<String, Decision>> findEarlier(
      SqlConnection conn, List<Pending> batch, Class<C> kind, Function<C, String> keyOf, String sql,
      String keyColumn, Function<Row, Decision> decisionOf, boolean customPlan) {
    List<Long> users = new ArrayList<>();
    List<String> keys = new ArrayList<>();
    for (Pending p : batch) {
      if (kind.isInstance(p.charge())) {
        C charge = kind.cast(p.charge());
        users.add(charge.userId());
        keys.add(keyOf.apply(charge));
      }
    }
    if (users.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    if (customPlan) {
      planMode(conn, CUSTOM_PLANS);
    }
    Future<Map<String, Decision>> found = conn.preparedQuery(sql)
        .execute(Tuple.tuple().addValue(users.toArray(Long[]::new)).addValue(keys.toArray(String[]::new)))
        .map(rows -> {
          Map<String, Decision> seen = new HashMap<>();
          rows.forEach(row -> seen.put(key(row.getLong("user_id"), row.getString(keyColumn)), decisionOf.apply(row)));
          return seen;
        });
    if (customPlan) {
      planMode(conn, GENERIC_PLANS);
    }
    return found;
  }

  private static String findUsage(String routing) {
    return """
        SELECT c.user_id, c.event_id, c.status, c.reject_reason, c.tokens_charged, c.balance_after, c.transaction_id
        FROM unnest($1::bigint[], $2::text[]) AS k(user_id, event_id)
        CROSS JOIN LATERAL (SELECT * FROM usage_charges u
                            WHERE u.user_id = k.user_id AND u.event_id = k.event_id%s LIMIT 1) c""".formatted(routing);
  }

  static String key(long userId, String id) {
    return userId + "/" + id;
  }

  /** The in-memory half of a batch: decisions in arrival order and the rows they produce. */
  private final class Decisions {
    final Map<Long, Account> accounts;
    final Map<String, Decision> usageSeen;
    final Map<String, Decision> spendSeen;
    final LocalDate today;
    final OffsetDateTime now;
    final List<Decision> decided = new ArrayList<>();
    final BatchStatement.LedgerRows rows = new BatchStatement.LedgerRows();
    final UsageRows usage = new UsageRows();

    Decisions(Map<Long, Account> accounts, Map<String, Decision> usageSeen, Map<String, Decision> spendSeen,
              OffsetDateTime now) {
      this.accounts = accounts;
      this.usageSeen = new HashMap<>(usageSeen);
      this.spendSeen = new HashMap<>(spendSeen);
      this.now = now;
      this.today = now.atZoneSameInstant(displayZone).toLocalDate();
    }

    void decide(Charge charge) {
      Account account = accounts.get(charge.userId());
      Decision decision;
      if (account == null) {
        decision = Decision.rejected(LedgerRefusal.USER_NOT_FOUND, BigDecimal.ZERO);
      } else if (charge instanceof UsageCharge usageCharge) {
        decision = decideUsage(account, usageCharge);
      } else {
        decision = decideSpend(account, (SpendCharge) charge);
      }
      decided.add(decision);
    }

    private Decision decideUsage(Account account, UsageCharge charge) {
      String key = key(charge.userId(), charge.eventId());
      Decision earlier = usageSeen.get(key);
      if (earlier != null) {
        return earlier.repeated();
      }
      BigDecimal chargeMultiplier = charge.multiplier() != null ? charge.multiplier() : multiplier;
      BigDecimal tokens = Amounts.tokensForCost(charge.totalCost(), chargeMultiplier);
      BigDecimal before = account.balance;
      Decision decision;
      if (tokens.signum() == 0) {
        decision = Decision.charged(tokens, before, before);
      } else if (!BalanceRule.DOWN_TO_FLOOR.allows(before.subtract(tokens), floor)) {
        decision = Decision.rejected(LedgerRefusal.BALANCE_FLOOR, before);
      } else {
        decision = post(account, new Posting(charge.userId(), TransactionType.USAGE, tokens.negate(),
            BalanceRule.DOWN_TO_FLOOR, null, null, charge.track(), null));
      }
      usage.add(charge, decision);
      usageSeen.put(key, decision);
      return decision;
    }

    private Decision decideSpend(Account account, SpendCharge charge) {
      String key = key(charge.userId(), charge.ledgerKey());
      Decision earlier = spendSeen.get(key);
      if (earlier != null) {
        return earlier.repeated();
      }
      BigDecimal before = account.balance;
      if (account.blocked) {
        return Decision.rejected(LedgerRefusal.USER_BLOCKED, before);
      }
      if (requireSubscription && (account.subscriptionEnd == null || !account.subscriptionEnd.isAfter(now))) {
        return Decision.rejected(LedgerRefusal.SUBSCRIPTION_EXPIRED, before);
      }
      if (account.overDailyLimit(today, charge.amount())) {
        return Decision.rejected(LedgerRefusal.DAILY_LIMIT_REACHED, before);
      }
      // Tokens reserved by holds are not the spend's to take (SPEC §19); usage ignores holds (the run happened).
      if (!BalanceRule.NEVER_BELOW_ZERO.allows(account.available().subtract(charge.amount()), floor)) {
        return Decision.rejected(LedgerRefusal.INSUFFICIENT_BALANCE, before);
      }
      Decision decision = post(account, new Posting(charge.userId(), TransactionType.SPEND, charge.amount().negate(),
          BalanceRule.NEVER_BELOW_ZERO, charge.ledgerKey(), null, charge.description(), charge.metadataJson()));
      spendSeen.put(key, decision);
      return decision;
    }

    private Decision post(Account account, Posting posting) {
      BigDecimal before = account.balance;
      long seq = account.post(posting.delta());
      account.countSpent(today, posting.delta().negate());
      rows.add(account, seq, posting);
      Decision decision = Decision.charged(posting.delta().negate(), before, account.balance);
      decision.userId = account.userId;
      decision.txSeq = seq;
      return decision;
    }

    List<Decision> settle(Map<Long, Map<Long, Long>> ids) {
      for (Decision decision : decided) {
        decision.resolveTransaction(ids);
      }
      return decided;
    }
  }
}

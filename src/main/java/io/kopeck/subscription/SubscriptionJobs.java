package io.kopeck.subscription;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.common.BillingRules;
import io.kopeck.common.JobSummary;
import io.kopeck.common.PerRow;
import io.kopeck.common.RowClaim;
import io.kopeck.common.TimerJob;
import io.kopeck.common.Times;
import io.kopeck.events.EventType;
import io.kopeck.events.Events;
import io.kopeck.ledger.BalanceRule;
import io.kopeck.ledger.Ledger;
import io.kopeck.ledger.Posting;
import io.kopeck.ledger.PostingResult;
import io.kopeck.ledger.TransactionType;
import io.kopeck.notify.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The subscription timer's jobs (SPEC §7). Each claims its rows ({@link RowClaim}: FOR UPDATE SKIP
 * LOCKED, row by row on Citus) inside one transaction, so instances running the same job at once
 * share the rows and never act on one twice; every message goes to the outbox with a dedup key, and every renewal charge carries an
 * idempotency key, so a retried run changes nothing either.
 */
public final class SubscriptionJobs {
  private static final Logger log = LoggerFactory.getLogger(SubscriptionJobs.class);

  static final int BATCH = 500;
  private final RowClaim ended = new RowClaim("""
      SELECT u.id, u.subscription_end, u.token_balance, u.auto_renew, t.slug, t.period_unit, t.period_value,
             t.subscription_fee, t.is_trial
      FROM users u LEFT JOIN tariffs t ON t.id = u.tariff_id
      WHERE u.subscription_end <= $1 AND NOT u.expired_notified
        -- Telegram renews a Stars subscription itself, about when it ends: a day's grace for its payment.
        AND NOT (u.stars_subscription_charge_id IS NOT NULL AND NOT u.stars_subscription_canceled
                 AND u.subscription_end > $1::timestamptz - interval '1 day')""",
      "ORDER BY u.id LIMIT $2", "FOR UPDATE OF u SKIP LOCKED", 2, "u.id", "id");
  private static final String LAPSE = "UPDATE users SET expired_notified = true, updated_at = $2 WHERE id = $1";
  // Only rows whose due notice (the smallest configured day count ≥ the days left, dates in the
  // display time zone) has not gone out yet: a row already told is neither locked nor read again.
  private final RowClaim ending = new RowClaim("""
      SELECT u.id, u.subscription_end, u.last_expiry_notice, u.auto_renew, u.token_balance,
             coalesce(t.subscription_fee, 0) AS fee
      FROM users u LEFT JOIN tariffs t ON t.id = u.tariff_id
      WHERE subscription_end > $1 AND subscription_end <= $2 AND NOT bot_blocked
        AND (SELECT min(d) FROM unnest($4::int[]) AS d
             WHERE d >= (u.subscription_end AT TIME ZONE $5)::date - ($1::timestamptz AT TIME ZONE $5)::date)
            < coalesce(last_expiry_notice, 2147483647)""",
      "ORDER BY u.id LIMIT $3", "FOR UPDATE OF u SKIP LOCKED", 5, "u.id", "id");
  private static final String NOTICED = "UPDATE users SET last_expiry_notice = $2, updated_at = $3 WHERE id = $1";
  // The tier due at a balance: the smallest threshold above it ($1 the thresholds), null above them all.
  private static final String DUE = "(SELECT min(t) FROM unnest($1::numeric[]) AS t WHERE t > u.token_balance)";
  // A tier is told when the balance is under it and no lower tier has been told in this descent.
  private final RowClaim low = new RowClaim("SELECT u.id, u.token_balance, u.balance_seq, " + DUE
      + " AS tier FROM users u WHERE " + DUE + " < coalesce(u.low_balance_tier, 'Infinity') AND NOT u.bot_blocked",
      "ORDER BY u.id LIMIT $2", "FOR UPDATE OF u SKIP LOCKED", 2, "u.id", "id");
  private static final String LOW_NOTICED = "UPDATE users SET low_balance_tier = $3, updated_at = $2 WHERE id = $1";
  // Whatever brought the balance back above a told tier (a payment, a trial, an adjustment) re-arms it.
  // Claimed in id order, skipping rows a charge holds: the billing lanes lock their users in id order,
  // and one unordered UPDATE over every such row deadlocked with them (charges stalled for the
  // database's deadlock_timeout, a second, until it aborted one side).
  private final RowClaim rearmable = new RowClaim("SELECT u.id FROM users u WHERE u.low_balance_tier IS NOT NULL "
      + "AND coalesce(" + DUE + ", 'Infinity') > u.low_balance_tier", "ORDER BY u.id LIMIT $2",
      "FOR NO KEY UPDATE OF u SKIP LOCKED", 2, "u.id", "id");
  private static final String REARM = "UPDATE users u SET low_balance_tier = " + DUE + " WHERE u.id = $2";

  private final RowClaim limitReached = new RowClaim("""
      SELECT id, daily_spend_limit, spent_today FROM users
      WHERE daily_spend_limit IS NOT NULL AND spent_day = $1 AND spent_today >= daily_spend_limit
        AND daily_limit_notified_on IS DISTINCT FROM $1 AND NOT bot_blocked""",
      "ORDER BY id LIMIT $2", "FOR UPDATE SKIP LOCKED", 2, "id", "id");
  private static final String LIMIT_NOTICED = "UPDATE users SET daily_limit_notified_on = $2 WHERE id = $1";

  private final Pool pool;
  private final Clock clock;
  private final BillingRules config;
  private final NoticeSettings notices;
  private final Ledger ledger;

  private final SubscriptionPeriods periods;
  private final Events events;

  public SubscriptionJobs(Pool pool, Clock clock, BillingRules config, NoticeSettings notices, Ledger ledger,
                          SubscriptionPeriods periods, Events events) {
    this.events = events;
    this.periods = periods;
    this.notices = notices;
    this.pool = pool;
    this.clock = clock;
    this.config = config;
    this.ledger = ledger;
  }

  /** The subscription feature's timer jobs, in the order they run. */
  public List<TimerJob> jobs() {
    return List.of(new TimerJob("renewals", this::renewals), new TimerJob("expiry-notices", this::expiryNotices),
        new TimerJob("low-balance", this::lowBalance), new TimerJob("daily-limits", this::dailyLimits));
  }

  /** Ended subscriptions: renew from the balance when auto-renew is on and it covers the fee, else lapse. */
  public Future<JobSummary> renewals() {
    long started = System.nanoTime();
    OffsetDateTime now = now();
    List<Outcome> outcomes = new ArrayList<>();
    return pool.withTransaction(tx -> ended.claim(tx, Tuple.of(now, BATCH)).compose(rows -> {
      Future<Void> chain = Future.succeededFuture();
      for (Row row : rows) {
        chain = chain.compose(v -> renewOrLapse(tx, row, now).map(outcomes::add).mapEmpty());
      }
      return chain;
    })).map(v -> {
      // Logged once committed: a line never claims a renewal that was rolled back.
      outcomes.forEach(Outcome::log);
      int renewed = (int) outcomes.stream().filter(Outcome::renewed).count();
      return new JobSummary("renewals", "renewed", outcomes.size(), renewed, outcomes.size() - renewed,
          (System.nanoTime() - started) / 1_000_000);
    });
  }

  /** What a renewal run did to one user. */
  private record Outcome(long userId, boolean renewed, Long transactionId, OffsetDateTime end) {
    void log() {
      log.info(renewed ? "Subscription renewed {} {} {}" : "Subscription lapsed {} {} {}", kv("user_id", userId),
          kv("transaction_id", transactionId), kv("subscription_end", end.toInstant().toString()));
    }
  }

  private Future<Outcome> renewOrLapse(SqlConnection tx, Row row, OffsetDateTime now) {
    long userId = row.getLong("id");
    OffsetDateTime end = row.getOffsetDateTime("subscription_end");
    boolean renewable = row.getBoolean("auto_renew") && row.getString("period_unit") != null
        && !Boolean.TRUE.equals(row.getBoolean("is_trial"));
    BigDecimal fee = renewable ? row.getBigDecimal("subscription_fee") : BigDecimal.ZERO;
    BigDecimal balance = row.getBigDecimal("token_balance");
    if (!renewable || balance.compareTo(fee) < 0) {
      JsonObject args = new JsonObject().put("subscription_end", end.toString()).put("auto_renew", row.getBoolean("auto_renew"))
          .put("fee", fee.toPlainString()).put("balance", balance.toPlainString())
          .put("missing", renewable ? fee.subtract(balance).toPlainString() : null);
      return tx.preparedQuery(LAPSE).execute(Tuple.of(userId, now))
          .compose(v -> Outbox.toUser(tx, new Outbox.Notice(userId, "subscription_expired",
              renewable ? "subscription.expired_short" : "subscription.expired", args,
              "expired:" + end.toEpochSecond()), now))
          .compose(v -> events.emit(tx, userId, EventType.SUBSCRIPTION_EXPIRED, Long.toString(end.toEpochSecond()),
              args.copy().put("user_id", userId).put("tariff", row.getString("slug"))))
          .map(new Outcome(userId, false, null, end));
    }
    Future<PostingResult> charge = fee.signum() == 0 ? Future.succeededFuture()
        : ledger.post(tx, new Posting(userId, TransactionType.SUBSCRIPTION, fee.negate(), BalanceRule.NEVER_BELOW_ZERO,
            "renewal:" + end.toEpochSecond(), null, "renewal " + row.getString("slug"), null));
    // From the later of now and the old end (SPEC §7): a late run does not charge for time already lost.
    return charge.compose(posting -> periods.extend(tx, userId, null, row.getString("period_unit"),
            row.getInteger("period_value"), null, now)
        .compose(newEnd -> Outbox.toUser(tx, new Outbox.Notice(userId, "subscription_renewed",
            "subscription.renewed", new JsonObject().put("fee", fee.toPlainString())
                .put("subscription_end", newEnd.toString())
                .put("balance", posting == null ? balance.toPlainString() : posting.balanceAfter().toPlainString()),
            "renewal:" + end.toEpochSecond()), now)
            .compose(v -> events.emit(tx, userId, EventType.SUBSCRIPTION_RENEWED, Long.toString(end.toEpochSecond()),
                new JsonObject().put("user_id", userId).put("tariff", row.getString("slug"))
                    .put("fee", fee.toPlainString()).put("subscription_end", newEnd.toInstant().toString())
                    .put("balance", posting == null ? balance.toPlainString() : posting.balanceAfter().toPlainString())))
            .map(new Outcome(userId, true, posting == null ? null : posting.transactionId(), newEnd))));
  }

  /**
   * "n days left" notices at each of SUBSCRIPTION_NOTIFY_DAYS (dates in the display time zone):
   * the smallest threshold not below the days left, at most once per threshold and period
   * (last_expiry_notice is reset whenever the subscription is extended, and a subscription
   * extended meanwhile is simply no longer in the window).
   */
  public Future<JobSummary> expiryNotices() {
    long started = System.nanoTime();
    OffsetDateTime now = now();
    int widest = notices.subscriptionNotifyDays().stream().mapToInt(Integer::intValue).max().orElse(0);
    return pool.withTransaction(tx -> ending.claim(tx, Tuple.of(now, now.plusDays(widest + 1L), BATCH,
            notices.subscriptionNotifyDays().toArray(Integer[]::new), config.displayTimezone().getId()))
        .compose(claimed -> {
          int[] notified = {0};
          Future<Void> chain = Future.succeededFuture();
          for (Row row : claimed) {
            Integer threshold = threshold(row.getOffsetDateTime("subscription_end"), now);
            Integer last = row.getInteger("last_expiry_notice");
            if (threshold == null || (last != null && last <= threshold)) {
              continue;
            }
            notified[0]++;
            chain = chain.compose(v -> notice(tx, row, threshold, now));
          }
          return chain.map(v -> new JobSummary("expiry-notices", "notified", claimed.size(), notified[0],
              claimed.size() - notified[0], (System.nanoTime() - started) / 1_000_000));
        }));
  }

  /** The notice due for an end date: the smallest configured day count that is ≥ the days left, or null. */
  Integer threshold(OffsetDateTime end, OffsetDateTime now) {
    LocalDate today = now.atZoneSameInstant(config.displayTimezone()).toLocalDate();
    long daysLeft = ChronoUnit.DAYS.between(today, end.atZoneSameInstant(config.displayTimezone()).toLocalDate());
    return notices.subscriptionNotifyDays().stream().filter(d -> d >= daysLeft).min(Integer::compare).orElse(null);
  }

  private Future<Void> notice(SqlConnection tx, Row row, int threshold, OffsetDateTime now) {
    long userId = row.getLong("id");
    OffsetDateTime end = row.getOffsetDateTime("subscription_end");
    return tx.preparedQuery(NOTICED).execute(Tuple.of(userId, threshold, now))
        .compose(v -> Outbox.toUser(tx, new Outbox.Notice(userId, "subscription_ending",
            "subscription.ending", new JsonObject().put("days", threshold).put("subscription_end", end.toString())
                .put("auto_renew", row.getBoolean("auto_renew"))
                .put("balance", row.getBigDecimal("token_balance").toPlainString())
                .put("fee", row.getBigDecimal("fee").toPlainString()),
            "ending:" + end.toEpochSecond() + ":" + threshold), now));
  }

  /**
   * Each low-balance tier (LOW_BALANCE_THRESHOLDS, e.g. 50, 20, 10, 5) once when the balance falls
   * below it: one notice for the lowest tier crossed, however many were. A tier re-arms when the
   * balance is back at or above it (a top-up re-arms all). A new user starts with every tier told:
   * someone who never had tokens is not told their balance is low.
   */
  public Future<JobSummary> lowBalance() {
    long started = System.nanoTime();
    OffsetDateTime now = now();
    Object[] tiers = notices.lowBalanceThresholds().toArray();
    return rearm(tiers).compose(rearmed -> pool.withTransaction(tx -> low.claim(tx, Tuple.of(tiers, BATCH))
        .compose(claimed -> {
          Future<Void> chain = Future.succeededFuture();
          for (Row row : claimed) {
            long userId = row.getLong("id");
            BigDecimal tier = row.getBigDecimal("tier");
            chain = chain.compose(v -> tx.preparedQuery(LOW_NOTICED).execute(Tuple.of(userId, now, tier))
                .compose(x -> Outbox.toUser(tx, new Outbox.Notice(userId, "low_balance", "balance.low",
                    new JsonObject().put("balance", row.getBigDecimal("token_balance").toPlainString())
                        .put("threshold", tier.toPlainString()),
                    "low:" + row.getLong("balance_seq") + ":" + tier.toPlainString()), now))
                .compose(x -> events.emit(tx, userId, EventType.BALANCE_LOW,
                    row.getLong("balance_seq") + ":" + tier.toPlainString(), new JsonObject().put("user_id", userId)
                        .put("balance", row.getBigDecimal("token_balance").toPlainString())
                        .put("threshold", tier.toPlainString()))));
          }
          return chain.map(v -> new JobSummary("low-balance", "notified", claimed.size(), claimed.size(), 0,
              (System.nanoTime() - started) / 1_000_000));
        })));
  }

  /**
   * Re-arms tiers in chunks of {@link #BATCH}, each its own short transaction, so a charge waits for
   * at most one chunk; a row skipped because a charge held it is re-armed by the next run.
   */
  private Future<Void> rearm(Object[] tiers) {
    return pool.withTransaction(tx -> rearmable.claim(tx, Tuple.of(tiers, BATCH)).compose(claimed ->
            PerRow.execute(tx, REARM, claimed.stream().map(row -> Tuple.of(tiers, row.getLong("id"))).toList())
                .map(claimed.size())))
        .compose(rearmed -> rearmed < BATCH ? Future.succeededFuture() : rearm(tiers));
  }

  /**
   * The daily spending limit reached: one notice a day (days in the display time zone). Usage
   * charges go through past the limit — the run happened — so the user is told instead.
   */
  public Future<JobSummary> dailyLimits() {
    long started = System.nanoTime();
    OffsetDateTime now = now();
    LocalDate today = now.atZoneSameInstant(config.displayTimezone()).toLocalDate();
    return pool.withTransaction(tx -> limitReached.claim(tx, Tuple.of(today, BATCH)).compose(claimed -> {
      Future<Void> chain = Future.succeededFuture();
      for (Row row : claimed) {
        long userId = row.getLong("id");
        chain = chain.compose(v -> tx.preparedQuery(LIMIT_NOTICED).execute(Tuple.of(userId, today))
            .compose(x -> Outbox.toUser(tx, new Outbox.Notice(userId, "daily_limit", "limit.reached",
                new JsonObject().put("limit", row.getBigDecimal("daily_spend_limit").toPlainString())
                    .put("spent", row.getBigDecimal("spent_today").toPlainString()), "limit:" + today), now)));
      }
      return chain.map(v -> new JobSummary("daily-limits", "notified", claimed.size(), claimed.size(), 0,
          (System.nanoTime() - started) / 1_000_000));
    }));
  }

  private OffsetDateTime now() {
    return Times.utcNow(clock);
  }
}

package io.kopeck.track;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.common.BillingRules;
import io.kopeck.common.Refused;
import io.kopeck.common.Times;
import io.kopeck.ledger.Holds;
import io.kopeck.ledger.LedgerRefusal;
import io.kopeck.track.RunnerClient.Task;
import io.kopeck.track.RunnerClient.TaskInput;
import io.kopeck.usage.BotRunEvents;
import io.kopeck.usage.RunFollowerVerticle;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.json.JsonArray;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.UUID;
import java.util.function.LongFunction;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs of tracks started from the bot (SPEC §18): the checks in the order SPEC gives them, the hold,
 * the task created at the Runner, the run stored for the follower (lease and resume, as for runs the
 * API registers); one run per user at a time (a new one, or /cancel, cancels the running one, which is
 * then priced by its on_failure rule); and ratings.
 */
public final class TrackRuns {
  private static final Logger log = LoggerFactory.getLogger(TrackRuns.class);
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  /** A hold placed before the Runner has named the task: short, in case the process dies in between. */
  private static final Duration PROVISIONAL_HOLD = Duration.ofMinutes(10);
  /** A run's hold, once it has its task: a run may take long; the settlement charges even after it lapsed. */
  private static final Duration RUN_HOLD = Holds.MAX_TTL;

  private static final String ACCOUNT = """
      SELECT is_blocked, subscription_end, daily_spend_limit, spent_day, spent_today, token_balance - held AS available
      FROM users WHERE id = $1""";
  private static final String RUNNING = """
      SELECT run_id FROM runner_runs WHERE user_id = $1 AND origin = 'bot' AND status = 'following'""";
  private static final String STORE = """
      INSERT INTO runner_runs (user_id, run_id, stream_url, origin, track, price, hold_id, status_message_id,
                               created_at, updated_at)
      VALUES ($1, $2, $3, 'bot', $4, $5::text::jsonb, $6, $7, $8, $8) ON CONFLICT DO NOTHING""";
  private static final String RATE = """
      UPDATE runner_runs SET rating = $3, updated_at = now()
      WHERE user_id = $1 AND ref = $2 AND origin = 'bot' AND status <> 'following' RETURNING run_id""";

  /** What a start produced: the Runner's task and where it is in the queue. */
  public record Started(String taskId, int queuePosition) {
  }

  private final Vertx vertx;
  private final Pool pool;
  private final Clock clock;
  private final BillingRules rules;
  private final Holds holds;
  private final RunnerClient runner;
  private final RunSettlement settlement;
  private final RunOutput output;

  public TrackRuns(Vertx vertx, Pool pool, Clock clock, BillingRules rules, TrackServices services,
                   RunnerClient runner, String currency, LongFunction<JsonArray> ratingButtons) {
    this.vertx = vertx;
    this.pool = pool;
    this.clock = clock;
    this.rules = rules;
    this.holds = services.holds();
    this.runner = runner;
    this.settlement = new RunSettlement(pool, clock, services.ledger(), holds, rules.balanceFloor(),
        services.catalog(), ratingButtons, services.events());
    this.output = new RunOutput(pool, clock, currency, services.catalog(), settlement);
  }

  /** Where the follower hands the events of these runs. */
  public BotRunEvents events() {
    return output;
  }

  public RunnerClient runner() {
    return runner;
  }

  /**
   * Checks, in SPEC order, whether {@code userId} may start {@code track} now: not blocked; subscribed
   * when the track requires it; daily limit not reached; Runner healthy; available ≥ the track's hold.
   * Fails with the {@link TrackRefusal} of the first that does not hold.
   */
  public Future<Void> check(long userId, Track track) {
    return pool.preparedQuery(ACCOUNT).execute(Tuple.of(userId)).compose(rows -> {
      if (rows.size() == 0) {
        return Future.failedFuture(LedgerRefusal.USER_NOT_FOUND.because("No such user"));
      }
      Row account = rows.iterator().next();
      OffsetDateTime now = Times.utcNow(clock);
      if (!track.active()) {
        return refuse(TrackRefusal.TRACK_INACTIVE, "The track is not active");
      }
      if (account.getBoolean("is_blocked")) {
        return refuse(TrackRefusal.USER_BLOCKED, "The user is blocked");
      }
      OffsetDateTime end = account.getOffsetDateTime("subscription_end");
      if (track.requiresSubscription() && (end == null || !end.isAfter(now))) {
        return refuse(TrackRefusal.SUBSCRIPTION_REQUIRED, "The track needs an active subscription");
      }
      if (limitReached(account, now)) {
        return refuse(TrackRefusal.DAILY_LIMIT_REACHED, "Today's spending limit is reached");
      }
      BigDecimal available = account.getBigDecimal("available");
      return runner.healthy().compose(healthy -> {
        if (!healthy) {
          return refuse(TrackRefusal.RUNNER_UNAVAILABLE, "The Runner is not healthy");
        }
        return available.compareTo(track.hold()) < 0 || available.signum() < 0
            ? refuse(TrackRefusal.INSUFFICIENT_BALANCE, "Available " + available.toPlainString() + " < hold "
                + track.hold().toPlainString())
            : Future.succeededFuture();
      });
    });
  }

  private boolean limitReached(Row account, OffsetDateTime now) {
    BigDecimal limit = account.getBigDecimal("daily_spend_limit");
    LocalDate today = now.atZoneSameInstant(rules.displayTimezone()).toLocalDate();
    BigDecimal spent = today.equals(account.getLocalDate("spent_day")) ? account.getBigDecimal("spent_today")
        : BigDecimal.ZERO;
    return limit != null && spent.compareTo(limit) >= 0;
  }

  /**
   * Starts {@code track} for {@code userId}: the checks, the running run (if any) cancelled, a hold of the
   * track's {@code hold}, the status message ({@code statusMessage} sends it and answers its id, or
   * null), the Runner's task, the stored run. A refusal by the Runner, or a Runner out of reach,
   * releases the hold.
   */
  public Future<Started> start(long userId, Track track, TaskInput input, Supplier<Future<Integer>> statusMessage) {
    String provisional = "start:" + UUID.randomUUID();
    return check(userId, track).compose(v -> cancelRunning(userId))
        .compose(v -> track.hold().signum() == 0 ? Future.succeededFuture()
            : holds.place(userId, provisional, track.hold(), PROVISIONAL_HOLD, "track " + track.slug())
                .<Void>mapEmpty().recover(TrackRuns::holdRefused))
        .compose(v -> statusMessage.get().otherwise((Integer) null))
        .compose(messageId -> runner.create(track, userId, input)
            .compose(task -> store(userId, track, task, track.hold().signum() == 0 ? null : provisional, messageId))
            .recover(e -> (track.hold().signum() == 0 ? Future.<Void>succeededFuture()
                : holds.release(provisional).<Void>mapEmpty().otherwise((Void) null))
                .compose(released -> Future.failedFuture(e))));
  }

  private static Future<Void> holdRefused(Throwable failure) {
    return Refused.is(failure, LedgerRefusal.INSUFFICIENT_BALANCE)
        ? refuse(TrackRefusal.INSUFFICIENT_BALANCE, failure.getMessage()) : Future.failedFuture(failure);
  }

  private Future<Started> store(long userId, Track track, Task task, String provisional, Integer messageId) {
    OffsetDateTime now = Times.utcNow(clock);
    String holdId = provisional == null ? null : "run:" + task.taskId();
    return pool.withTransaction(tx -> (holdId == null ? Future.<Void>succeededFuture()
            : holds.rename(tx, userId, provisional, holdId, now.plus(RUN_HOLD)))
        .compose(v -> tx.preparedQuery(STORE).execute(Tuple.of(userId, task.taskId(), task.streamUrl(), track.slug(),
            track.priceJson().encode(), holdId, messageId == null ? null : messageId.longValue(), now))))
        .map(v -> {
          vertx.eventBus().send(RunFollowerVerticle.WAKE, null, LOCAL);
          log.info("Track run started {} {} {}", kv("user_id", userId), kv("track", track.slug()),
              kv("run_id", task.taskId()));
          return new Started(task.taskId(), task.queuePosition());
        });
  }

  /** Cancels the user's running run, if any (priced by its on_failure rule); true when there was one. */
  public Future<Boolean> cancelRunning(long userId) {
    return pool.preparedQuery(RUNNING).execute(Tuple.of(userId)).compose(rows -> {
      Future<Boolean> chain = Future.succeededFuture(false);
      for (Row row : rows) {
        String runId = row.getString("run_id");
        chain = chain.compose(any -> settlement.end(userId, runId, "cancelled", null).map(ended -> any || ended));
      }
      return chain;
    });
  }

  /** Stores the user's rating (1–3) of their finished run {@code ref}; false when there is no such run of theirs. */
  public Future<Boolean> rate(long userId, long ref, int rating) {
    return pool.preparedQuery(RATE).execute(Tuple.of(userId, ref, (short) rating)).map(rows -> rows.size() > 0);
  }

  private static <T> Future<T> refuse(TrackRefusal refusal, String message) {
    return Future.failedFuture(refusal.because(message));
  }
}

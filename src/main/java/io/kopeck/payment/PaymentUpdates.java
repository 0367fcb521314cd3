package io.kopeck.payment;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.pengrad.telegrambot.model.Message;
import com.pengrad.telegrambot.model.Update;
import com.pengrad.telegrambot.utility.BotUtils;
import io.kopeck.common.Refused;
import io.kopeck.common.RowClaim;
import io.kopeck.common.TimerJob;
import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Payments that arrive as Telegram updates ({@code successful_payment}, {@code refunded_payment}):
 * Telegram sends each once and never again after a 200, so the update is written here — the durable
 * record — before it is acknowledged, and it stays {@code pending} until its effect is recorded
 * (SPEC §17). The bot handles it at once; when that fails for any reason but a refusal, the timer
 * tries again with a growing pause (1, 2, 4 … minutes, then hourly) until it is credited or refused.
 * Handling is safe to repeat: a payment is credited once by its charge id, a refund reversed once,
 * so a crash between recording the effect and marking the update done only means one more try
 * that finds the payment recorded.
 */
public final class PaymentUpdates {
  private static final Logger log = LoggerFactory.getLogger(PaymentUpdates.class);

  private static final String REMEMBER = """
      INSERT INTO telegram_payment_updates (user_id, update_id, body, next_attempt_at)
      VALUES ($1, $2, $3, now() + interval '1 minute')
      ON CONFLICT DO NOTHING RETURNING update_id""";
  private static final String SETTLE = """
      UPDATE telegram_payment_updates SET status = $3, last_error = $4, updated_at = $5
      WHERE user_id = $1 AND update_id = $2 AND status = 'pending'""";
  private static final String LATER = """
      UPDATE telegram_payment_updates SET attempts = attempts + 1, next_attempt_at = $3, last_error = $4, updated_at = $5
      WHERE user_id = $1 AND update_id = $2 AND status = 'pending'""";
  private static final RowClaim DUE = new RowClaim("""
      SELECT user_id, update_id, body, attempts FROM telegram_payment_updates
      WHERE status = 'pending' AND next_attempt_at <= $1""", "ORDER BY next_attempt_at LIMIT $2", "FOR UPDATE SKIP LOCKED",
      2, "user_id", "user_id", "update_id", "update_id");
  private static final String LEASE = """
      UPDATE telegram_payment_updates SET next_attempt_at = $3 WHERE user_id = $1 AND update_id = $2""";
  /** How long a claimed row is left to the instance that claimed it before another may try. */
  private static final Duration LEASE_TIME = Duration.ofMinutes(5);
  private static final Duration MAX_PAUSE = Duration.ofHours(1);
  private static final int BATCH = 50;

  private final Pool pool;
  private final Clock clock;
  private final Optional<StarsPayments> stars;

  public PaymentUpdates(Pool pool, Clock clock, Optional<StarsPayments> stars) {
    this.pool = pool;
    this.clock = clock;
    this.stars = stars;
  }

  /** Whether an update carries a payment: then it is remembered here, not with the other updates. */
  public static boolean carriesPayment(Update update) {
    Message message = update.message();
    return message != null && message.from() != null
        && (message.successfulPayment() != null || message.refundedPayment() != null);
  }

  /** The durable record of a payment update, written before Telegram hears 200; false when it was seen before. */
  public static Future<Boolean> remember(SqlClient client, long userId, long updateId, String body) {
    return client.preparedQuery(REMEMBER).execute(Tuple.of(userId, updateId, body)).map(rows -> rows.size() > 0);
  }

  /** Handles a remembered payment update; the future fails when it stays pending for another try. */
  private Future<Void> handle(long userId, long updateId, String body) {
    Message message = BotUtils.parseUpdate(body).message();
    return apply(userId, message).transform(done -> {
      OffsetDateTime now = Times.utcNow(clock);
      if (done.succeeded()) {
        return settle(userId, updateId, "done", null, now);
      }
      Throwable cause = done.cause();
      if (cause instanceof Refused refused) {
        log.warn("Payment update refused {} {} {}", kv("update_id", updateId), kv("user_id", userId),
            kv("reason", refused.getMessage()));
        return settle(userId, updateId, "refused", refused.getMessage(), now);
      }
      return Future.failedFuture(cause);
    });
  }

  private Future<?> apply(long userId, Message message) {
    if (stars.isEmpty()) {
      return Future.failedFuture(new IllegalStateException(
          "stars is not among PAYMENT_PROVIDERS: the payment waits until it is enabled"));
    }
    return message.successfulPayment() != null ? stars.get().paid(userId, message.successfulPayment())
        : stars.get().refunded(message.refundedPayment());
  }

  private Future<Void> settle(long userId, long updateId, String status, String error, OffsetDateTime now) {
    return pool.preparedQuery(SETTLE).execute(Tuple.of(userId, updateId, status, error, now)).mapEmpty();
  }

  /** After a failure: the next try's time, 2^attempts minutes from now, at most an hour. */
  private Future<Void> later(long userId, long updateId, int attempts, Throwable cause) {
    OffsetDateTime now = Times.utcNow(clock);
    Duration pause = Duration.ofMinutes(1L << Math.min(attempts, 6));
    OffsetDateTime next = now.plus(pause.compareTo(MAX_PAUSE) > 0 ? MAX_PAUSE : pause);
    log.warn("Payment update not yet recorded, will try again {} {} {} {}", kv("update_id", updateId),
        kv("user_id", userId), kv("next_attempt_at", next.toString()), kv("reason", String.valueOf(cause.getMessage())));
    return pool.preparedQuery(LATER).execute(Tuple.of(userId, updateId, next, String.valueOf(cause.getMessage()), now))
        .mapEmpty();
  }

  /** The bot's first try: a failure that is not a refusal leaves the update pending for the timer. */
  public Future<Void> handleNow(long userId, long updateId, String body) {
    return handle(userId, updateId, body).recover(e -> later(userId, updateId, 0, e)
        .transform(v -> Future.failedFuture(e)));
  }

  /** The timer's job: pending payment updates whose time has come, each claimed, then handled. */
  public TimerJob retryJob() {
    return TimerJob.counting("payment-updates", "recorded", () -> {
      OffsetDateTime now = Times.utcNow(clock);
      return pool.withTransaction(tx -> DUE.claim(tx, Tuple.of(now, BATCH)).compose(rows -> {
        List<Tuple> leases = rows.stream().map(row -> Tuple.of(row.getLong("user_id"), row.getLong("update_id"),
            now.plus(LEASE_TIME))).toList();
        return leases.isEmpty() ? Future.succeededFuture(rows) : tx.preparedQuery(LEASE).executeBatch(leases).map(rows);
      })).compose(this::retry);
    });
  }

  private Future<Integer> retry(List<Row> rows) {
    Future<Integer> chain = Future.succeededFuture(0);
    for (Row row : rows) {
      long userId = row.getLong("user_id");
      long updateId = row.getLong("update_id");
      int attempts = row.getInteger("attempts") + 1;
      chain = chain.compose(n -> handle(userId, updateId, row.getString("body")).map(v -> n + 1)
          .recover(e -> later(userId, updateId, attempts, e).map(n)));
    }
    return chain;
  }
}

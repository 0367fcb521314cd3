package io.kopeck.user;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.common.JobSummary;
import io.kopeck.common.TimerJob;
import io.kopeck.common.Times;
import io.kopeck.events.EventType;
import io.kopeck.events.Events;
import io.kopeck.ledger.GrantReplay;
import io.kopeck.ledger.Grants;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import java.time.Clock;
import java.time.OffsetDateTime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Credit grants as admins and the timer use them (SPEC §21): give one (audited; the same id again
 * answers the same grant), list a user's running grants with what is left of each, and end those past
 * their end — exactly once, whichever instance's timer gets there, with {@code grant.expired} sent.
 */
public final class GrantAccounts {
  private static final Logger log = LoggerFactory.getLogger(GrantAccounts.class);
  private static final int BATCH = 50;

  private final Pool pool;
  private final Clock clock;
  private final Grants grants;
  private final Events events;

  public GrantAccounts(Pool pool, Clock clock, Grants grants, Events events) {
    this.pool = pool;
    this.clock = clock;
    this.grants = grants;
    this.events = events;
  }

  /** The grant and whether this call gave it (false: given before with the same terms). */
  public record Result(JsonObject grant, boolean created) {
  }

  public Future<Result> give(long userId, GrantRequest request, Actor actor) {
    OffsetDateTime now = Times.utcNow(clock);
    if (!request.expiresAt().isAfter(now)) {
      return Future.failedFuture(UserRefusal.GRANT_ENDS_IN_PAST.because("expires_at " + request.expiresAt()
          + " is not in the future"));
    }
    return pool.withTransaction(tx -> grants.give(tx, userId, request.grantId(), request.amount(), request.expiresAt(),
        request.reason(), "admin", now).compose(given -> switch (given.outcome()) {
          case NO_USER -> Future.failedFuture(UserRefusal.USER_NOT_FOUND.because("No user " + userId));
          case CONFLICT -> Future.failedFuture(UserRefusal.GRANT_CONFLICT.because("grant " + request.grantId()
              + " was given before with another amount or end"));
          case SAME -> Future.succeededFuture(new Result(json(userId, given.grant(), given.reason()), false));
          case GIVEN -> AuditLog.record(tx, actor, "user.grant", "grant", request.grantId(), userId, null,
                  json(userId, given.grant(), given.reason()).put("balance", given.balanceAfter().toPlainString()))
              .map(v -> new Result(json(userId, given.grant(), given.reason()), true));
        }));
  }

  private static JsonObject json(long userId, GrantReplay.Grant grant, String reason) {
    return new JsonObject().put("user_id", userId).put("grant_id", grant.grantId())
        .put("amount", grant.amount().setScale(4).toPlainString()).put("expires_at", grant.expiresAt().toInstant().toString())
        .put("reason", reason);
  }

  /** The user's running grants, the one that ends first first, each with what is left of it. */
  public Future<JsonArray> running(long userId) {
    return pool.withConnection(conn -> GrantReplay.load(conn, userId)).map(GrantReplay.Result::runningJson);
  }

  /** The timer's job: grants past their end are ended, {@value #BATCH} at a time. */
  public TimerJob expiryJob() {
    return new TimerJob("grant-expiry", this::expireDue);
  }

  Future<JobSummary> expireDue() {
    long started = System.nanoTime();
    OffsetDateTime now = Times.utcNow(clock);
    return pool.withTransaction(tx -> grants.claimDue(tx, now, BATCH).compose(claimed -> {
      Future<Void> chain = Future.succeededFuture();
      for (Row row : claimed) {
        long userId = row.getLong("user_id");
        String grantId = row.getString("grant_id");
        chain = chain.compose(v -> grants.end(tx, userId, grantId, now).compose(ended -> events.emit(tx, userId,
                EventType.GRANT_EXPIRED, grantId, new JsonObject().put("user_id", userId).put("grant_id", grantId)
                    .put("amount", ended.amount().toPlainString()).put("expired", ended.taken().toPlainString())
                    .put("expires_at", ended.expiresAt().toInstant().toString())
                    .put("balance", ended.balanceAfter().toPlainString()))
            .onSuccess(x -> log.info("Grant ended {} {} {}", kv("user_id", userId), kv("grant_id", grantId),
                kv("expired", ended.taken().toPlainString())))));
      }
      return chain.map(v -> new JobSummary("grant-expiry", "expired", claimed.size(), claimed.size(),
          0, (System.nanoTime() - started) / 1_000_000));
    }));
  }
}

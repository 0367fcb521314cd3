package io.kopeck.usage;

import io.kopeck.common.PerRow;
import io.kopeck.common.RowClaim;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

/**
 * The Runner task streams Kopeck follows ({@code runner_runs}): registered by the API, claimed by
 * one instance at a time with a lease (so a run survives the instance that followed it), and
 * their progress — the last event id taken, how many track_cost events were counted and charged.
 */
final class Runs {
  /**
   * A run as the follower needs it: for the bot's runs ({@code bot}), {@code eventsDone} counts every
   * event taken; for the API's, {@code eventsSeen} counts the cost events charged.
   */
  record Run(String runId, long userId, String streamUrl, String lastEventId, int eventsSeen, boolean bot,
             String track, int eventsDone) {
    BotRunEvents.FollowedRun followed() {
      return new BotRunEvents.FollowedRun(runId, userId, track);
    }
  }

  static final String COLUMNS = "run_id, user_id, stream_url, status, last_event_id, events_seen, charged, tokens, "
      + "attempts, error, created_at, updated_at, origin, track";
  private static final String REGISTER = """
      INSERT INTO runner_runs (user_id, run_id, stream_url) SELECT $1, $2, $3
      WHERE NOT EXISTS (SELECT 1 FROM runner_runs WHERE run_id = $2)
      ON CONFLICT DO NOTHING""";
  private static final String FIND = "SELECT " + COLUMNS + " FROM runner_runs WHERE run_id = $1";
  // Runs nobody follows (never claimed, or their follower's lease ran out), oldest first.
  private final RowClaim unfollowed = new RowClaim("""
      SELECT user_id, run_id FROM runner_runs
      WHERE status = 'following' AND (lease_until IS NULL OR lease_until < now())""",
      "ORDER BY created_at LIMIT $1", "FOR UPDATE SKIP LOCKED", 1, "user_id", "user_id", "run_id", "run_id");
  private static final String LEASE = """
      UPDATE runner_runs SET claimed_by = $3, lease_until = now() + make_interval(secs => $4), updated_at = now()
      WHERE user_id = $1 AND run_id = $2
      RETURNING run_id, user_id, stream_url, last_event_id, events_seen, origin, track, events_done""";
  private static final String RENEW = """
      UPDATE runner_runs SET lease_until = now() + make_interval(secs => $2)
      WHERE claimed_by = $1 AND status = 'following' AND run_id = ANY($3) RETURNING run_id""";
  private static final String RELEASE = """
      UPDATE runner_runs SET lease_until = NULL, claimed_by = NULL WHERE claimed_by = $1 AND status = 'following'""";
  private static final String PROGRESS = """
      UPDATE runner_runs SET last_event_id = coalesce($3, last_event_id), events_seen = $4, charged = charged + $5,
             tokens = tokens + $6::text::numeric, attempts = 0, updated_at = now()
      WHERE user_id = $1 AND run_id = $2""";
  private static final String BOT_PROGRESS = """
      UPDATE runner_runs SET last_event_id = coalesce($3, last_event_id), events_done = greatest(events_done, $4),
             attempts = 0, updated_at = now()
      WHERE user_id = $1 AND run_id = $2""";
  private static final String LAST_ID = """
      UPDATE runner_runs SET last_event_id = $3, updated_at = now() WHERE user_id = $1 AND run_id = $2""";
  private static final String FINISH = """
      UPDATE runner_runs SET status = $3, error = $4, claimed_by = NULL, lease_until = NULL, updated_at = now()
      WHERE user_id = $1 AND run_id = $2 AND status = 'following'""";
  private static final String FAILED_ATTEMPT = """
      UPDATE runner_runs SET attempts = attempts + 1, error = $3, updated_at = now()
      WHERE user_id = $1 AND run_id = $2 RETURNING attempts""";

  private final Pool pool;

  Runs(Pool pool) {
    this.pool = pool;
  }

  /** The run as stored after registering it (a second registration changes nothing); null if another user has it. */
  Future<Row> register(long userId, String runId, String streamUrl) {
    return pool.preparedQuery(REGISTER).execute(Tuple.of(userId, runId, streamUrl)).compose(v -> find(runId))
        .map(row -> row != null && row.getLong("user_id") == userId ? row : null);
  }

  Future<Row> find(String runId) {
    return pool.preparedQuery(FIND).execute(Tuple.of(runId)).map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  /** Takes up to {@code limit} runs nobody follows, each under this instance's lease. */
  Future<List<Run>> claim(String instance, int leaseSeconds, int limit) {
    return pool.withTransaction(tx -> unfollowed.claim(tx, Tuple.of(limit)).compose(claimed -> {
      List<Tuple> leases = claimed.stream()
          .map(run -> Tuple.of(run.getLong("user_id"), run.getString("run_id"), instance, leaseSeconds)).toList();
      return PerRow.execute(tx, LEASE, leases);
    })).map(leased -> leased.stream().map(row -> new Run(row.getString("run_id"), row.getLong("user_id"),
        row.getString("stream_url"), row.getString("last_event_id"), row.getInteger("events_seen"),
        row.getString("origin").equals("bot"), row.getString("track"), row.getInteger("events_done"))).toList());
  }

  /** The runs whose lease this instance still holds (a lost lease means another instance follows it). */
  Future<List<String>> renew(String instance, int leaseSeconds, List<String> runIds) {
    return pool.preparedQuery(RENEW).execute(Tuple.of(instance, leaseSeconds, runIds.toArray(new String[0])))
        .map(rows -> {
          List<String> kept = new ArrayList<>();
          rows.forEach(row -> kept.add(row.getString("run_id")));
          return kept;
        });
  }

  Future<Void> release(String instance) {
    return pool.preparedQuery(RELEASE).execute(Tuple.of(instance)).mapEmpty();
  }

  Future<Void> progress(Run run, String lastEventId, int eventsSeen, boolean charged, BigDecimal tokens) {
    return pool.preparedQuery(PROGRESS).execute(Tuple.of(run.userId(), run.runId(), lastEventId, eventsSeen,
        charged ? 1 : 0, tokens.toPlainString())).mapEmpty();
  }

  /** A bot-started run took the event at {@code position} (its id, if the stream has ids). */
  Future<Void> botProgress(Run run, String lastEventId, int position) {
    return pool.preparedQuery(BOT_PROGRESS).execute(Tuple.of(run.userId(), run.runId(), lastEventId, position))
        .mapEmpty();
  }

  Future<Void> lastEventId(Run run, String lastEventId) {
    return pool.preparedQuery(LAST_ID).execute(Tuple.of(run.userId(), run.runId(), lastEventId)).mapEmpty();
  }

  Future<Void> finish(Run run, String status, String error) {
    return pool.preparedQuery(FINISH).execute(Tuple.of(run.userId(), run.runId(), status, error)).mapEmpty();
  }

  /** Counts a failed connection; the number of failures in a row. */
  Future<Integer> failedAttempt(Run run, String error) {
    return pool.preparedQuery(FAILED_ATTEMPT).execute(Tuple.of(run.userId(), run.runId(), error))
        .map(rows -> rows.iterator().next().getInteger("attempts"));
  }

  static JsonObject toJson(Row row) {
    return new JsonObject().put("run_id", row.getString("run_id")).put("user_id", row.getLong("user_id"))
        .put("status", row.getString("status")).put("events_charged", row.getInteger("charged"))
        .put("track_cost_events", row.getInteger("events_seen"))
        .put("tokens", row.getBigDecimal("tokens").setScale(4).toPlainString())
        .put("tokens_charged", row.getBigDecimal("tokens").setScale(4).toPlainString())
        .put("origin", row.getString("origin")).put("track", row.getString("track"))
        .put("last_event_id", row.getString("last_event_id")).put("error", row.getString("error"))
        .put("created_at", row.getOffsetDateTime("created_at").toInstant().toString())
        .put("updated_at", row.getOffsetDateTime("updated_at").toInstant().toString());
  }
}

package io.kopeck.ledger;

import io.kopeck.common.SqlStates;
import io.vertx.core.VertxException;
import java.io.IOException;
import java.util.Set;
import java.util.concurrent.TimeoutException;

/**
 * Why a batch did not commit, as far as it matters for the charges in it (SPEC §11, §17). Only the
 * database's moment is worth another try of the same charges: the connection lost or refused, a
 * serialization failure, a deadlock, a timeout, a server shutting down or short of resources, a shard
 * moving. Everything else — a data or constraint error, an error raised by a trigger, an exception
 * thrown while the batch was being built in memory — comes back on every retry of the same charges,
 * so the batch is bisected until the culprit stands alone and is refused while the others commit.
 * Guessing "transient" for a content failure fails a whole batch of other clients' charges; guessing
 * "content" for a transient one costs a few extra transactions while the halves find nothing wrong.
 */
final class BatchFailures {
  /**
   * SQLSTATE classes of the database's moment: 08 connection, 40 rollback (serialization, deadlock),
   * 53 resources, 55 object state (lock not available), 57 operator intervention (cancel, shutdown),
   * 58 system error, XX internal (what Citus reports for a worker it cannot reach).
   */
  private static final Set<String> TRANSIENT_CLASSES = Set.of("08", "40", "53", "55", "57", "58", "XX");
  /**
   * Single states of the database's moment: 23505, a unique key taken meanwhile by another writer
   * (retried, the charge then reads that committed row and is answered as its duplicate, as
   * exactly-once requires); 42P01, a shard table dropped under a statement by a finishing shard move;
   * 25P02 and 25P03, a transaction already failed or timed out.
   */
  private static final Set<String> TRANSIENT_STATES = Set.of(SqlStates.UNIQUE_VIOLATION, "42P01", "25P02", "25P03");

  private BatchFailures() {
  }

  static boolean causedByContent(Throwable failure) {
    String state = SqlStates.of(failure);
    if (state != null) {
      return !TRANSIENT_STATES.contains(state) && !TRANSIENT_CLASSES.contains(state.substring(0, 2));
    }
    return !lostConnection(failure);
  }

  /**
   * A fixed word for the metric of failed batches (SPEC §17): {@code unique_violation} (a key another
   * writer took meanwhile — on Citus, two batches of one user that the row lock did not serialise, as
   * at the end of a shard move), {@code deadlock}, {@code serialization}, {@code connection},
   * {@code content} (bisected), {@code transient} (any other moment of the database).
   */
  static String reason(Throwable failure) {
    String state = SqlStates.of(failure);
    if (SqlStates.UNIQUE_VIOLATION.equals(state)) {
      return "unique_violation";
    }
    if ("40P01".equals(state)) {
      return "deadlock";
    }
    if ("40001".equals(state)) {
      return "serialization";
    }
    if (causedByContent(failure)) {
      return "content";
    }
    return state == null || state.startsWith("08") ? "connection" : "transient";
  }

  /** A failure with no SQLSTATE that says the database could not be reached or answered too late. */
  private static boolean lostConnection(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof IOException || e instanceof TimeoutException || e instanceof VertxException) {
        return true;
      }
    }
    return false;
  }
}

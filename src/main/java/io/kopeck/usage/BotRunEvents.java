package io.kopeck.usage;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.vertx.core.Future;

/**
 * What becomes of the events of a run the bot started (SPEC §18): shown to the user and priced once
 * when it ends — by the track feature, to which the follower hands them in stream order. Runs
 * registered through the API keep per-event charging in the follower itself.
 */
public interface BotRunEvents {
  /** No bot-started runs (nothing to hand them to): such a run is ended as failed. */
  BotRunEvents NONE = new BotRunEvents() {
    @Override
    public Future<Boolean> event(FollowedRun run, String key, String type, ObjectNode data) {
      return Future.succeededFuture(false);
    }

    @Override
    public Future<Void> ended(FollowedRun run, String status, String error) {
      return Future.succeededFuture();
    }
  };

  /** A run being followed: its task id, its user, its track. */
  record FollowedRun(String runId, long userId, String track) {
  }

  /**
   * One event; {@code key} names it for de-duplication ({@code id:<SSE id>}, or {@code n:<position>}
   * when the stream has no ids and is replayed from its start). False: the run is no longer followed
   * (the user cancelled it), stop.
   */
  Future<Boolean> event(FollowedRun run, String key, String type, ObjectNode data);

  /** The stream ended: {@code done}, or {@code failed} with what went wrong. */
  Future<Void> ended(FollowedRun run, String status, String error);
}

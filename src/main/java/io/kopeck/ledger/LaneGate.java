package io.kopeck.ledger;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Shared by one engine's lanes (all on the engine's event loop). A lane with fewer than
 * {@code parallelAt} charges waiting does not start a transaction while another lane's is in
 * flight: it waits for that commit and then takes everything that arrived meanwhile. PostgreSQL's
 * cost per charge falls steeply with the batch size (a transaction costs about as much as a few
 * dozen rows), so under light load this gives the bigger batches of a single lane, and under heavy
 * load the queues pass the threshold and the lanes write in parallel.
 */
final class LaneGate {
  private final int parallelAt;
  private final Set<Lane> waiting = new LinkedHashSet<>();
  private int inFlight;

  /** {@code parallelAt} 1: every lane starts whenever it likes (the gate does nothing). */
  LaneGate(int parallelAt) {
    this.parallelAt = parallelAt;
  }

  /** True if the lane may start a batch now (it then counts as in flight until {@link #finished}). */
  boolean mayStart(Lane lane, int queued) {
    if (inFlight > 0 && queued < parallelAt) {
      waiting.add(lane);
      return false;
    }
    waiting.remove(lane);
    inFlight++;
    return true;
  }

  /** A batch committed or failed: the lanes that waited for it try again, longest waiting first. */
  void finished() {
    inFlight--;
    if (waiting.isEmpty()) {
      return;
    }
    List<Lane> woken = new ArrayList<>(waiting);
    waiting.clear();
    woken.forEach(Lane::flush);
  }
}

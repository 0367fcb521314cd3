package io.kopeck.ledger;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A queue of charges with at most one batch in flight. Every user maps to one lane, so a user's
 * charges are committed in arrival order; lanes run in parallel on separate connections.
 * Charges that arrive while a batch is in flight join the next one (group commit); on Citus a
 * batch holds the charges of one shard. A shared {@link LaneGate} decides when a lane may start a
 * batch while another lane's is in flight.
 */
final class Lane {
  private static final Logger log = LoggerFactory.getLogger(Lane.class);
  private static final long SLOW_BATCH_NANOS = 250_000_000L;
  private final Vertx vertx;
  private final int maxBatch;
  private final long maxDelayMs;
  private final Function<List<GroupCommitWriter.Pending>, Future<Void>> writer;
  private final ArrayDeque<GroupCommitWriter.Pending> queue = new ArrayDeque<>();
  private final EngineMetrics stats;
  private final boolean byShard;
  private final LaneGate gate;
  private boolean inFlight;
  private long timer = -1;
  private Promise<Void> drained;

  Lane(Vertx vertx, int maxBatch, long maxDelayMs, Function<List<GroupCommitWriter.Pending>, Future<Void>> writer,
       EngineMetrics stats, boolean byShard, LaneGate gate) {
    this.byShard = byShard;
    this.gate = gate;
    this.vertx = vertx;
    this.maxBatch = maxBatch;
    this.maxDelayMs = maxDelayMs;
    this.writer = writer;
    this.stats = stats;
  }

  void submit(GroupCommitWriter.Pending pending) {
    queue.add(pending);
    if (inFlight) {
      return;
    }
    if (maxDelayMs == 0 || queue.size() >= maxBatch) {
      flush();
    } else if (timer == -1) {
      // An idle lane may wait a moment for company, never longer than maxDelayMs.
      timer = vertx.setTimer(maxDelayMs, id -> {
        timer = -1;
        flush();
      });
    }
  }

  void flush() {
    if (inFlight || queue.isEmpty()) {
      settleDrain();
      return;
    }
    if (!gate.mayStart(this, queue.size())) {
      return;
    }
    if (timer != -1) {
      vertx.cancelTimer(timer);
      timer = -1;
    }
    List<GroupCommitWriter.Pending> batch = takeBatch();
    inFlight = true;
    long started = System.nanoTime();
    writer.apply(batch).onComplete(done -> {
      long elapsed = System.nanoTime() - started;
      stats.batch(batch.size(), elapsed);
      if (elapsed > SLOW_BATCH_NANOS) {
        log.warn("Slow billing batch: {} charges took {} ms", kv("batch_size", batch.size()),
            kv("duration_ms", elapsed / 1_000_000));
      }
      inFlight = false;
      gate.finished();
      flush();
    });
  }

  /**
   * The oldest charges up to the batch size; {@code byShard} (Citus), the oldest charge and the
   * charges queued after it for the same shard, so that a batch's statements run on one shard.
   * Charges of other shards keep their order and wait for the next batch.
   */
  private List<GroupCommitWriter.Pending> takeBatch() {
    List<GroupCommitWriter.Pending> batch = new ArrayList<>(Math.min(queue.size(), maxBatch));
    if (!byShard) {
      while (!queue.isEmpty() && batch.size() < maxBatch) {
        batch.add(queue.poll());
      }
      return batch;
    }
    int shard = queue.peek().shard();
    Iterator<GroupCommitWriter.Pending> waiting = queue.iterator();
    while (waiting.hasNext() && batch.size() < maxBatch) {
      GroupCommitWriter.Pending next = waiting.next();
      if (next.shard() == shard) {
        batch.add(next);
        waiting.remove();
      }
    }
    return batch;
  }

  /** Completes once everything queued so far has been written (used on shutdown). */
  Future<Void> drain() {
    if (!inFlight && queue.isEmpty()) {
      return Future.succeededFuture();
    }
    if (drained == null) {
      drained = Promise.promise();
    }
    if (!inFlight) {
      flush();
    }
    return drained.future();
  }

  private void settleDrain() {
    if (drained != null && !inFlight && queue.isEmpty()) {
      drained.tryComplete();
      drained = null;
    }
  }
}

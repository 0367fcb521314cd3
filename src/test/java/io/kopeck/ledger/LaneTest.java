package io.kopeck.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Eventually;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.junit5.VertxExtension;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The group commit's lane on its own, with a writer that holds each batch until the test lets it
 * go: what arrives while a batch is in flight joins the next one, batches never exceed their size,
 * nothing is written twice or left behind, and drain waits for everything queued.
 */
@ExtendWith(VertxExtension.class)
class LaneTest {
  private final List<List<String>> batches = Collections.synchronizedList(new ArrayList<>());
  private final List<Promise<Void>> inFlight = new ArrayList<>();

  private Future<Void> write(List<GroupCommitWriter.Pending> batch) {
    batches.add(batch.stream().map(p -> ((SpendCharge) p.charge()).idempotencyKey()).toList());
    Promise<Void> done = Promise.promise();
    inFlight.add(done);
    return done.future();
  }

  private Lane lane(Vertx vertx, int maxBatch, long maxDelayMs) {
    return lane(vertx, maxBatch, maxDelayMs, false);
  }

  private Lane lane(Vertx vertx, int maxBatch, long maxDelayMs, boolean byShard) {
    return lane(vertx, maxBatch, maxDelayMs, byShard, new LaneGate(1));
  }

  private Lane lane(Vertx vertx, int maxBatch, long maxDelayMs, boolean byShard, LaneGate gate) {
    return new Lane(vertx, maxBatch, maxDelayMs, this::write, new EngineMetrics(new SimpleMeterRegistry()), byShard,
        gate);
  }

  private static GroupCommitWriter.Pending charge(String key) {
    return charge(key, 0);
  }

  private static GroupCommitWriter.Pending charge(String key, int shard) {
    return new GroupCommitWriter.Pending(new SpendCharge(1, BigDecimal.ONE, key, null, null), Promise.promise(), shard);
  }

  /** Runs {@code action} on a Vert.x context (the lane's home) and waits for it. */
  private static <T> T onContext(Vertx vertx, Supplier<T> action) throws Exception {
    CompletableFuture<T> result = new CompletableFuture<>();
    vertx.runOnContext(v -> result.complete(action.get()));
    return result.get(10, TimeUnit.SECONDS);
  }

  private void finish(Vertx vertx, int index) throws Exception {
    onContext(vertx, () -> {
      inFlight.get(index).complete();
      return null;
    });
  }

  @Test
  @DisplayName("charges arriving while a batch is in flight are written together in the next batch")
  void groupCommit(Vertx vertx) throws Exception {
    Lane lane = lane(vertx, 512, 0);
    onContext(vertx, () -> {
      lane.submit(charge("a"));
      lane.submit(charge("b"));
      lane.submit(charge("c"));
      lane.submit(charge("d"));
      return null;
    });
    assertThat(batches).containsExactly(List.of("a"));

    finish(vertx, 0);

    assertThat(batches).containsExactly(List.of("a"), List.of("b", "c", "d"));
  }

  @Test
  @DisplayName("a lane with fewer than BILLING_LANES_PARALLEL_AT charges waits for the other lane's commit")
  void gateWaitsForTheOtherLane(Vertx vertx) throws Exception {
    LaneGate gate = new LaneGate(3);
    Lane first = lane(vertx, 512, 0, false, gate);
    Lane second = lane(vertx, 512, 0, false, gate);
    onContext(vertx, () -> {
      first.submit(charge("a"));
      second.submit(charge("x"));
      second.submit(charge("y"));
      first.submit(charge("b"));
      return null;
    });
    assertThat(batches).containsExactly(List.of("a"));

    finish(vertx, 0);

    // The waiting lane goes first; the first lane's "b" now waits for it in turn.
    assertThat(batches).containsExactly(List.of("a"), List.of("x", "y"));
    finish(vertx, 1);
    assertThat(batches).containsExactly(List.of("a"), List.of("x", "y"), List.of("b"));
  }

  @Test
  @DisplayName("a lane with BILLING_LANES_PARALLEL_AT charges waiting writes beside the other lane's batch")
  void gateOpensForAFullQueue(Vertx vertx) throws Exception {
    LaneGate gate = new LaneGate(3);
    Lane first = lane(vertx, 512, 0, false, gate);
    Lane second = lane(vertx, 512, 0, false, gate);
    Future<Void> drained = onContext(vertx, () -> {
      first.submit(charge("a"));
      second.submit(charge("x"));
      second.submit(charge("y"));
      second.submit(charge("z"));
      return second.drain();
    });

    assertThat(batches).containsExactly(List.of("a"), List.of("x", "y", "z"));
    finish(vertx, 1);
    assertThat(drained.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isNull();
    finish(vertx, 0);
    assertThat(batches).hasSize(2);
  }

  @Test
  @DisplayName("on Citus a batch holds one shard's charges; the others keep their order for the next batches")
  void oneShardPerBatch(Vertx vertx) throws Exception {
    Lane lane = lane(vertx, 512, 0, true);
    onContext(vertx, () -> {
      lane.submit(charge("a1", 1));
      lane.submit(charge("b1", 2));
      lane.submit(charge("a2", 1));
      lane.submit(charge("c1", 3));
      lane.submit(charge("b2", 2));
      lane.submit(charge("a3", 1));
      return null;
    });
    finish(vertx, 0);
    finish(vertx, 1);
    finish(vertx, 2);

    assertThat(batches).containsExactly(List.of("a1"), List.of("b1", "b2"), List.of("a2", "a3"), List.of("c1"));
  }

  @Test
  @DisplayName("a queue longer than BILLING_BATCH_MAX_SIZE is written in batches of at most that size, in order")
  void maxBatch(Vertx vertx) throws Exception {
    Lane lane = lane(vertx, 2, 0);
    onContext(vertx, () -> {
      for (String key : List.of("1", "2", "3", "4", "5", "6")) {
        lane.submit(charge(key));
      }
      return null;
    });
    for (int i = 0; i < 3; i++) {
      finish(vertx, i);
    }

    assertThat(batches).containsExactly(List.of("1"), List.of("2", "3"), List.of("4", "5"), List.of("6"));
  }

  @Test
  @DisplayName("drain completes only once everything queued has been written")
  void drain(Vertx vertx) throws Exception {
    Lane lane = lane(vertx, 512, 0);
    Future<Void> drained = onContext(vertx, () -> {
      lane.submit(charge("x"));
      lane.submit(charge("y"));
      return lane.drain();
    });
    assertThat(drained.isComplete()).isFalse();

    finish(vertx, 0);
    assertThat(drained.isComplete()).isFalse();
    finish(vertx, 1);

    assertThat(drained.toCompletionStage().toCompletableFuture().get(5, TimeUnit.SECONDS)).isNull();
    assertThat(batches).containsExactly(List.of("x"), List.of("y"));
  }

  @Test
  @DisplayName("with BILLING_BATCH_MAX_DELAY_MS an idle lane waits that long for company, then writes once")
  void maxDelay(Vertx vertx) throws Exception {
    Lane lane = lane(vertx, 512, 200);
    onContext(vertx, () -> {
      lane.submit(charge("p"));
      lane.submit(charge("q"));
      return null;
    });
    assertThat(batches).isEmpty();

    Eventually.until(batches::size, n -> n > 0, 5);

    assertThat(batches).containsExactly(List.of("p", "q"));
  }
}

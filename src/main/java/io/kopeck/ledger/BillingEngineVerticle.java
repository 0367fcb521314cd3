package io.kopeck.ledger;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.common.Topology;
import io.vertx.core.AsyncResult;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.VerticleBase;
import java.util.Arrays;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The hot path's owner: takes {@link Charge}s through its {@link ChargeIntake} and group-commits them
 * through {@link Lane}s. Deployed once per process; answers only after the charge's batch committed.
 */
public final class BillingEngineVerticle extends VerticleBase {
  private static final long SHARD_MAP_REFRESH_MS = 60_000;
  private static final int CITUS_MAX_BATCH = 1_000;
  private static final Logger log = LoggerFactory.getLogger(BillingEngineVerticle.class);

  private final EngineSettings settings;
  private final int lanes;
  private final int maxBatch;
  private final long maxDelayMs;
  private final EngineMetrics stats;
  private final ChargeListener listener;
  private Lane[] laneArray;
  private ChargeIntake intake;
  private Topology topology;
  private long refreshTimer = -1;

  public BillingEngineVerticle(EngineSettings settings, EngineMetrics stats, ChargeListener listener) {
    this.settings = settings;
    this.lanes = settings.lanes();
    // On Citus a batch is one multi-row VALUES insert: 1,000 usage rows are 16,000 of its 65,535 parameters.
    this.maxBatch = settings.topology().distributed() ? Math.min(settings.maxBatch(), CITUS_MAX_BATCH)
        : settings.maxBatch();
    this.maxDelayMs = settings.maxDelayMs();
    this.stats = stats;
    this.listener = listener;
    this.topology = settings.topology();
  }


  @Override
  public Future<?> start() {
    if (topology.distributed()) {
      log.info("Billing lanes follow Citus shards: {}", topology);
      refreshTimer = vertx.setPeriodic(SHARD_MAP_REFRESH_MS, id -> refreshTopology());
    }
    GroupCommitWriter writer = new GroupCommitWriter(vertx, settings.pool(), settings.clock(), settings.displayZone(),
        settings.multiplier(), settings.floor(), settings.requireSubscription(), topology.distributed(), stats);
    // On Citus the lanes' transactions go to different workers: they need no gate.
    LaneGate gate = new LaneGate(topology.distributed() ? 1 : settings.lanesParallelAt());
    laneArray = new Lane[lanes];
    for (int i = 0; i < lanes; i++) {
      laneArray[i] = new Lane(vertx, maxBatch, maxDelayMs, writer::run, stats, topology.distributed(), gate);
    }
    intake = new ChargeIntake(context, this::take);
    intake.register();
    return Future.succeededFuture();
  }

  /** Queues a charge in its user's lane; {@code answer} is called once its batch committed (or could not). */
  private void take(Charge charge, Handler<AsyncResult<PostingResult>> answer) {
    Promise<PostingResult> promise = Promise.promise();
    long arrived = System.nanoTime();
    promise.future().onComplete(result -> {
      answer.handle(result);
      if (result.succeeded()) {
        stats.answered(result.result(), System.nanoTime() - arrived);
        logResult(charge, result.result());
        if (charge instanceof UsageCharge usage) {
          notifyListener(usage, result.result());
        }
      }
    });
    int shard = topology.shardOf(charge.userId());
    laneArray[laneOf(charge.userId(), shard)].submit(new GroupCommitWriter.Pending(charge, promise, shard));
  }

  /** Rejections at info (they need a look); every charge at debug (20,000 a second would drown the log). */
  private static void logResult(Charge charge, PostingResult result) {
    if (!result.applied()) {
      log.info("Charge rejected {} {} {}", kv("user_id", charge.userId()), key(charge),
          kv("reason", result.refusal().code()));
    } else if (log.isDebugEnabled()) {
      log.debug("Charged {} {} {} {} {}", kv("user_id", charge.userId()), key(charge),
          kv("transaction_id", result.transactionId()), kv("tokens", result.debited()), kv("duplicate", result.duplicate()));
    }
  }

  /** The charge's own idempotency key as a log field: event_id for usage, idempotency_key for spends. */
  private static Object key(Charge charge) {
    return charge instanceof UsageCharge usage ? kv("event_id", usage.eventId())
        : kv("idempotency_key", ((SpendCharge) charge).idempotencyKey());
  }

  private void notifyListener(UsageCharge charge, PostingResult result) {
    try {
      listener.committed(charge, result);
    } catch (RuntimeException e) {
      log.warn("Charge listener failed for event {}: {}", charge.eventId(), e.toString());
    }
  }

  private int laneOf(long userId, int shard) {
    if (topology.distributed()) {
      // A shard's users share a lane, so a lane's batches can each hold one shard.
      return shard % lanes;
    }
    // Spread sequential ids; one user always lands in the same lane.
    return (int) Math.floorMod(userId * 0x9E3779B97F4A7C15L >>> 32, (long) lanes);
  }

  /**
   * Shards split or added by an operator change the hash ranges; until the map is read again a
   * batch may span two shards, which Citus refuses and the caller sees as retryable.
   */
  private void refreshTopology() {
    Topology.read(settings.pool()).onSuccess(read -> {
      if (read.shardCount() != topology.shardCount()) {
        log.info("Citus shards of users changed: {} -> {}", topology, read);
      }
      topology = read;
    }).onFailure(e -> log.warn("Could not re-read the Citus shard map: {}", e.toString()));
  }

  /** Stops taking charges, then writes everything already queued before the pool closes. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(refreshTimer);
    intake.close();
    return Future.all(Arrays.stream(laneArray).map(Lane::drain).toList())
        .onComplete(v -> log.info("Billing engine stopped: {}", stats.summary()));
  }
}

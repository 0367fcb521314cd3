package io.kopeck.ledger;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The billing engine's meters: charges by outcome (and rejection reason), tokens charged, batch
 * size, batch commit time, and the time a charge waited from arrival to its answer. Labels are
 * fixed words, never ids. Tokens are counted exactly in ten-thousandths; the Prometheus text format
 * turns them into a decimal number only when scraped.
 */
public final class EngineMetrics {
  private final MeterRegistry registry;
  private final Counter charged;
  private final Counter duplicates;
  /** Tokens charged in ten-thousandths (the ledger's scale), summed exactly; a double only when scraped. */
  private final LongAdder tokenUnits = new LongAdder();
  private final Map<LedgerRefusal, Counter> rejected = new ConcurrentHashMap<>();
  private final DistributionSummary batchSize;
  private final Timer batchCommit;
  private final Timer chargeLatency;

  public EngineMetrics(MeterRegistry registry) {
    this.registry = registry;
    this.charged = outcome("charged", "none");
    this.duplicates = outcome("duplicate", "none");
    FunctionCounter.builder("kopeck_tokens_charged", tokenUnits, units -> units.sum() / 10_000.0)
        .description("Tokens debited by usage and spends").register(registry);
    this.batchSize = DistributionSummary.builder("kopeck_charge_batch_size").description("Charges per group commit")
        .publishPercentileHistogram().register(registry);
    this.batchCommit = Timer.builder("kopeck_charge_batch_commit").description("Time to write and commit one batch")
        .publishPercentileHistogram().register(registry);
    this.chargeLatency = Timer.builder("kopeck_charge_latency")
        .description("From a charge reaching the engine to its answer (after commit)")
        .publishPercentileHistogram().register(registry);
  }

  private Counter outcome(String outcome, String reason) {
    return Counter.builder("kopeck_charges").description("Charges answered by the billing engine")
        .tag("outcome", outcome).tag("reason", reason).register(registry);
  }

  /**
   * A batch that did not commit, by {@link BatchFailures#reason}: retried, or bisected when its
   * content caused it. Retries of {@code unique_violation} and {@code deadlock} on Citus mean two
   * batches of one user met (the end of a shard move); each is answered correctly after the retry.
   */
  void batchFailed(String reason) {
    Counter.builder("kopeck_charge_batch_failures").description("Billing batches that did not commit, by reason")
        .tag("reason", reason).register(registry).increment();
  }

  void batch(int size, long elapsedNanos) {
    batchSize.record(size);
    batchCommit.record(elapsedNanos, TimeUnit.NANOSECONDS);
  }

  void answered(PostingResult result, long waitedNanos) {
    chargeLatency.record(waitedNanos, TimeUnit.NANOSECONDS);
    if (result.duplicate()) {
      duplicates.increment();
    } else if (result.applied()) {
      charged.increment();
      tokenUnits.add(result.debited().movePointRight(Amounts.TOKEN_SCALE).longValueExact());
    } else {
      // Reasons are the engine's own fixed codes (user_not_found, balance_floor, …).
      rejected.computeIfAbsent(result.refusal(), reason -> outcome("rejected", reason.code())).increment();
    }
  }

  /** e.g. "120000 charges in 2400 batches, 50 per batch, 4100 µs per batch", for the shutdown log. */
  public String summary() {
    long batches = Math.max(1, batchSize.count());
    return (long) batchSize.totalAmount() + " charges in " + batchSize.count() + " batches, "
        + (long) batchSize.totalAmount() / batches + " per batch, "
        + (long) batchCommit.totalTime(TimeUnit.MICROSECONDS) / batches + " µs per batch";
  }
}

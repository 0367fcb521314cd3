package io.kopeck.ledger;

import java.util.concurrent.atomic.LongAdder;

/** Counters of the engine's batches, for the logs and the benchmark. */
public final class BatchStats {
  private final LongAdder batches = new LongAdder();
  private final LongAdder charges = new LongAdder();
  private final LongAdder micros = new LongAdder();

  void record(int size, long elapsedNanos) {
    batches.increment();
    charges.add(size);
    micros.add(elapsedNanos / 1_000);
  }

  public long batches() {
    return batches.sum();
  }

  public long charges() {
    return charges.sum();
  }

  /** e.g. "120000 charges in 2400 batches, 50 per batch, 4100 µs per batch". */
  public String summary() {
    long b = Math.max(1, batches());
    return charges() + " charges in " + batches() + " batches, " + charges() / b + " per batch, "
        + micros.sum() / b + " µs per batch";
  }
}

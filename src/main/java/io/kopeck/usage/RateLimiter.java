package io.kopeck.usage;

import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * Token bucket per Runner key: {@code ratePerSecond} requests a second, bursts up to one second's
 * worth. Shared by all HTTP verticle instances of the process (so the limit is per process).
 */
final class RateLimiter {
  private final int ratePerSecond;
  private final LongSupplier nanoTime;
  private final ConcurrentHashMap<Integer, Bucket> buckets = new ConcurrentHashMap<>();

  RateLimiter(int ratePerSecond, LongSupplier nanoTime) {
    this.ratePerSecond = ratePerSecond;
    this.nanoTime = nanoTime;
  }

  boolean enabled() {
    return ratePerSecond > 0;
  }

  /** 0 if the request may go ahead, else the whole seconds to wait before trying again. */
  long acquire(int key) {
    if (!enabled()) {
      return 0;
    }
    return buckets.computeIfAbsent(key, k -> new Bucket(nanoTime.getAsLong())).take();
  }

  private final class Bucket {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;
    // Tokens are counted in units of 1/ratePerSecond seconds' refill (nanoseconds of credit).
    private long creditNanos;
    private long lastRefill;

    Bucket(long now) {
      this.lastRefill = now;
      this.creditNanos = NANOS_PER_SECOND;
    }

    synchronized long take() {
      long now = nanoTime.getAsLong();
      creditNanos = Math.min(NANOS_PER_SECOND, creditNanos + (now - lastRefill));
      lastRefill = now;
      long costNanos = NANOS_PER_SECOND / ratePerSecond;
      if (creditNanos >= costNanos) {
        creditNanos -= costNanos;
        return 0;
      }
      long waitNanos = costNanos - creditNanos;
      return Math.max(1, (waitNanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND);
    }
  }
}

package io.kopeck.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.LongSupplier;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * Waits for an effect of asynchronous work (a handled update, a sent message, a log line, a
 * started process) by polling, the one place tests wait. Time in the code under test comes from
 * its Clock; this only gives other threads and processes the wall-clock time they need.
 */
public final class Eventually {
  private static final long POLL_MILLIS = 20;

  private Eventually() {
  }

  /** Polls {@code probe} until {@code done} accepts its value or {@code seconds} pass; returns the last value. */
  public static <T> T until(Supplier<T> probe, Predicate<T> done, int seconds) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    T value = probe.get();
    while (!done.test(value) && System.nanoTime() < deadline) {
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
      value = probe.get();
    }
    return value;
  }

  public static void equals(LongSupplier actual, long expected, int seconds) {
    assertThat(until(actual::getAsLong, value -> value == expected, seconds)).isEqualTo(expected);
  }
}

package io.kopeck.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.function.LongSupplier;

/**
 * Waits for an effect of asynchronous work (a handled update, a sent message) by polling, and fails
 * with the last value seen. The test thread polls; the code under test never sleeps.
 */
public final class Eventually {
  private Eventually() {
  }

  public static void equals(LongSupplier actual, long expected, int seconds) {
    long deadline = System.nanoTime() + seconds * 1_000_000_000L;
    while (actual.getAsLong() != expected && System.nanoTime() < deadline) {
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        break;
      }
    }
    assertThat(actual.getAsLong()).isEqualTo(expected);
  }
}

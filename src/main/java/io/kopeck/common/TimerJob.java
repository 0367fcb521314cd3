package io.kopeck.common;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * A background job, owned by its feature and registered in the one list the timer runs every
 * TIMER_INTERVAL_SECONDS (and {@code kopeck timers run-once}). Jobs claim rows with SKIP LOCKED or
 * a row lock, so several instances may run them at once.
 */
public interface TimerJob {

  Future<JobSummary> run();

  /** A job whose work answers how many rows it acted on ({@code verb}: "expired", "deleted", …). */
  static TimerJob counting(String name, String verb, Supplier<Future<Integer>> work) {
    return () -> {
      long started = System.nanoTime();
      return work.get().map(rows -> JobSummary.counted(name, verb, rows, started));
    };
  }
}

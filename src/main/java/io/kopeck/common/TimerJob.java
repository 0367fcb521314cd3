package io.kopeck.common;

import io.vertx.core.Future;
import java.util.function.Supplier;

/**
 * A background job, owned by its feature and registered in the one list the timer runs every
 * TIMER_INTERVAL_SECONDS (and {@code kopeck timers run-once}). Jobs claim rows with SKIP LOCKED or
 * a row lock, so several instances may run them at once. {@code name} labels its log line and meters.
 */
public record TimerJob(String name, Supplier<Future<JobSummary>> work) {

  public Future<JobSummary> run() {
    return work.get();
  }

  /** A job whose work answers how many rows it acted on ({@code verb}: "expired", "deleted", …). */
  public static TimerJob counting(String name, String verb, Supplier<Future<Integer>> work) {
    return new TimerJob(name, () -> {
      long started = System.nanoTime();
      return work.get().map(rows -> JobSummary.counted(name, verb, rows, started));
    });
  }
}

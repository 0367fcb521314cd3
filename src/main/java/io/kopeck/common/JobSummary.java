package io.kopeck.common;

/**
 * What one run of one timer job did, for its log line and meters: rows claimed, rows acted on
 * ({@code verb}: renewed, notified, expired, deleted, …) and the others.
 */
public record JobSummary(String job, String verb, int claimed, int acted, int skipped, long millis, String failure) {

  public JobSummary(String job, String verb, int claimed, int acted, int skipped, long millis) {
    this(job, verb, claimed, acted, skipped, millis, null);
  }

  /** A run that failed (its transaction rolled back): {@code failure} says why; the next tick tries again. */
  public static JobSummary failed(String job, Throwable failure, long startedNanos) {
    return new JobSummary(job, "failed", 0, 0, 0, (System.nanoTime() - startedNanos) / 1_000_000, failure.toString());
  }

  public boolean succeeded() {
    return failure == null;
  }

  /** A run that acted on every row it claimed, timed from {@code startedNanos}. */
  public static JobSummary counted(String job, String verb, int rows, long startedNanos) {
    return new JobSummary(job, verb, rows, rows, 0, (System.nanoTime() - startedNanos) / 1_000_000);
  }

  @Override
  public String toString() {
    if (failure != null) {
      return job + ": failed after " + millis + " ms: " + failure;
    }
    return job + ": claimed " + claimed + ", " + verb + " " + acted + ", other " + skipped + ", " + millis + " ms";
  }
}

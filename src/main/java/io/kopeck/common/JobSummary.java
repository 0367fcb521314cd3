package io.kopeck.common;

/**
 * What one run of one timer job did, for its log line and meters: rows claimed, rows acted on
 * ({@code verb}: renewed, notified, expired, deleted, …) and the others.
 */
public record JobSummary(String job, String verb, int claimed, int acted, int skipped, long millis) {

  /** A run that acted on every row it claimed, timed from {@code startedNanos}. */
  public static JobSummary counted(String job, String verb, int rows, long startedNanos) {
    return new JobSummary(job, verb, rows, rows, 0, (System.nanoTime() - startedNanos) / 1_000_000);
  }

  @Override
  public String toString() {
    return job + ": claimed " + claimed + ", " + verb + " " + acted + ", other " + skipped + ", " + millis + " ms";
  }
}

package io.kopeck.subscription;

/** What one run of one timer job did, for its log line. */
public record JobSummary(String job, int claimed, int acted, int skipped, long millis) {

  @Override
  public String toString() {
    return job + ": claimed " + claimed + ", " + verb() + " " + acted + ", other " + skipped + ", " + millis + " ms";
  }

  private String verb() {
    return switch (job) {
      case "renewals" -> "renewed";
      case "invoice-expiry" -> "expired";
      case "retention" -> "deleted";
      case "usage-rollup" -> "rolled up";
      default -> "notified";
    };
  }
}

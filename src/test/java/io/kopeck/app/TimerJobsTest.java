package io.kopeck.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.common.JobSummary;
import io.kopeck.common.TimerJob;
import io.kopeck.testsupport.Http;
import io.vertx.core.Future;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** SPEC §17: one failing timer job never skips the others. */
class TimerJobsTest {

  @Test
  @DisplayName("a job that fails and one that throws are reported as failed; the jobs after them still run")
  void failingJobSkipsNothing() {
    AtomicInteger ran = new AtomicInteger();
    TimerJob failing = new TimerJob("failing", () -> Future.failedFuture(new IllegalStateException("deadlock")));
    TimerJob throwing = new TimerJob("throwing", () -> {
      throw new IllegalArgumentException("bug");
    });
    TimerJob renewals = TimerJob.counting("renewals", "renewed", () -> Future.succeededFuture(ran.incrementAndGet()));

    List<JobSummary> summaries = Http.await(TimerVerticle.runOnce(List.of(failing, throwing, renewals)));

    assertThat(summaries).extracting(JobSummary::job).containsExactly("failing", "throwing", "renewals");
    assertThat(summaries).extracting(JobSummary::succeeded).containsExactly(false, false, true);
    assertThat(summaries.get(0).toString()).contains("failing: failed").contains("deadlock");
    assertThat(ran).hasValue(1);
  }
}

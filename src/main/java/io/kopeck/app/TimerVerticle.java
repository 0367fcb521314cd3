package io.kopeck.app;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.common.JobSummary;
import io.kopeck.common.TimerJob;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the registered timer jobs every TIMER_INTERVAL_SECONDS, one after the other and one run at
 * a time per instance; several instances share the rows through SKIP LOCKED. Each job logs one
 * summary line per run.
 */
final class TimerVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(TimerVerticle.class);

  private final List<TimerJob> jobs;
  private final long intervalMs;
  private long timer = -1;
  private Future<?> running = Future.succeededFuture();

  private final MeterRegistry registry;

  TimerVerticle(List<TimerJob> jobs, long intervalMs, MeterRegistry registry) {
    this.jobs = jobs;
    this.intervalMs = intervalMs;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    timer = vertx.setPeriodic(intervalMs, id -> tick());
    return Future.succeededFuture();
  }

  private void tick() {
    if (!running.isComplete()) {
      return; // the previous run is still going: skip rather than pile up
    }
    running = runOnce(jobs)
        .onSuccess(summaries -> summaries.forEach(this::report))
        .onFailure(e -> log.warn("Timer run failed, will retry next tick: {}", e.toString()));
  }

  /** One log line per job and run; rows acted on (renewed, notified, expired) and the others counted per job. */
  private void report(JobSummary summary) {
    if (!summary.succeeded()) {
      log.warn("Timer job {}", kv("summary", summary.toString()));
      registry.counter("kopeck_timer_failures", "job", summary.job()).increment();
      return;
    }
    log.info("Timer job {}", kv("summary", summary.toString()));
    registry.counter("kopeck_timer_rows", "job", summary.job(), "result", "acted").increment(summary.acted());
    registry.counter("kopeck_timer_rows", "job", summary.job(), "result", "other").increment(summary.skipped());
    registry.timer("kopeck_timer_run", "job", summary.job()).record(summary.millis(), TimeUnit.MILLISECONDS);
  }

  /**
   * Every job once, one after the other. A job that fails is reported as failed and the others still
   * run (SPEC §17): one broken job must not stop renewals, expiry and the outbox; the next tick tries it again.
   */
  static Future<List<JobSummary>> runOnce(List<TimerJob> jobs) {
    List<JobSummary> summaries = new ArrayList<>();
    Future<Void> chain = Future.succeededFuture();
    for (TimerJob job : jobs) {
      chain = chain.compose(v -> {
        long started = System.nanoTime();
        return runGuarded(job).recover(e -> Future.succeededFuture(JobSummary.failed(job.name(), e, started)))
            .map(summaries::add).mapEmpty();
      });
    }
    return chain.map(summaries);
  }

  /** A job that throws instead of failing its future fails like one that fails it. */
  private static Future<JobSummary> runGuarded(TimerJob job) {
    try {
      return job.run();
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
  }

  /** Lets a run in progress finish before the pool closes. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return running.otherwiseEmpty();
  }
}

package io.kopeck.subscription;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs the subscription jobs every TIMER_INTERVAL_SECONDS (renewals, expiry notices, low-balance
 * notices, invoice expiry), one run at a time per instance; several instances share the rows
 * through SKIP LOCKED. Each job logs one summary line per run.
 */
public final class SubscriptionTimerVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(SubscriptionTimerVerticle.class);

  private final SubscriptionJobs jobs;
  private final long intervalMs;
  private long timer = -1;
  private Future<?> running = Future.succeededFuture();

  private final MeterRegistry registry;

  public SubscriptionTimerVerticle(SubscriptionJobs jobs, long intervalMs, MeterRegistry registry) {
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
    running = jobs.runOnce()
        .onSuccess(summaries -> summaries.forEach(this::report))
        .onFailure(e -> log.warn("Timer run failed, will retry next tick: {}", e.toString()));
  }

  /** One log line per job and run; rows acted on (renewed, notified, expired) and the others counted per job. */
  private void report(JobSummary summary) {
    log.info("Timer job {}", kv("summary", summary.toString()));
    registry.counter("kopeck_timer_rows", "job", summary.job(), "result", "acted").increment(summary.acted());
    registry.counter("kopeck_timer_rows", "job", summary.job(), "result", "other").increment(summary.skipped());
    registry.timer("kopeck_timer_run", "job", summary.job()).record(summary.millis(), TimeUnit.MILLISECONDS);
  }

  /** Lets a run in progress finish before the pool closes. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(timer);
    return running.otherwiseEmpty();
  }
}

package io.kopeck.web;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.healthchecks.HealthChecks;
import io.vertx.ext.healthchecks.Status;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * Liveness and readiness procedures. Ready means: the database answers, the schema is at the
 * version this build migrated to, every verticle is deployed, and the service is not stopping.
 */
public final class Readiness {
  private static final long CHECK_TIMEOUT_MS = 3_000;

  private final AtomicBoolean deployed = new AtomicBoolean();
  private final AtomicBoolean stopping = new AtomicBoolean();
  private final AtomicBoolean databaseAnswers = new AtomicBoolean(true);
  private final Pool pool;
  private final String schemaVersion;

  public Readiness(Pool pool, String schemaVersion) {
    this.pool = pool;
    this.schemaVersion = schemaVersion;
  }

  public void markDeployed() {
    deployed.set(true);
  }

  /** From now on /ready answers 503 so that load balancers stop routing here. */
  public void markStopping() {
    stopping.set(true);
  }

  /**
   * {@code kopeck_ready} (1 ready, 0 not) for alerting (deploy/prometheus/alerts.yml): what /ready would
   * answer, with the database asked every {@code probeMillis} by the process itself, so the gauge is true
   * whether or not anything polls /ready.
   */
  public void export(Vertx vertx, MeterRegistry registry, long probeMillis) {
    Gauge.builder("kopeck_ready", () -> deployed.get() && !stopping.get() && databaseAnswers.get() ? 1 : 0)
        .description("1 when this instance is ready to serve (database reachable, deployed, not stopping)")
        .register(registry);
    vertx.setPeriodic(probeMillis, id -> pool.query("SELECT 1").execute()
        .onComplete(done -> databaseAnswers.set(done.succeeded())));
  }

  HealthChecks liveness(Vertx vertx) {
    return HealthChecks.create(vertx).register("event-loop", promise -> promise.complete(Status.OK()));
  }

  HealthChecks readiness(Vertx vertx) {
    return HealthChecks.create(vertx)
        .register("database", CHECK_TIMEOUT_MS, promise -> pool
            .preparedQuery("SELECT count(*) FROM flyway_schema_history WHERE version = $1 AND success")
            .execute(Tuple.of(schemaVersion))
            .onSuccess(rows -> {
              boolean migrated = rows.iterator().next().getLong(0) > 0;
              promise.complete(migrated ? Status.OK(new JsonObject().put("schema_version", schemaVersion))
                  : Status.KO(new JsonObject().put("reason", "schema version " + schemaVersion + " not applied")));
            })
            .onFailure(e -> promise.complete(Status.KO(new JsonObject().put("reason", "database unreachable")))))
        .register("verticles", promise -> promise.complete(
            deployed.get() && !stopping.get() ? Status.OK()
                : Status.KO(new JsonObject().put("reason", stopping.get() ? "stopping" : "starting"))));
  }
}

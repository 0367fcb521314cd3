package io.kopeck.cli;

import io.kopeck.app.Services;
import io.kopeck.app.Settings;
import io.kopeck.botapi.BotApi;
import io.kopeck.common.Topology;
import io.kopeck.config.KopeckConfig;
import io.kopeck.db.DatabaseSession;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.time.Clock;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/** A small reactive pool for one-shot CLI commands, closed with everything it opened. */
final class CliDatabase implements AutoCloseable {
  private final DatabaseSession session;
  private final Vertx vertx;
  private final Pool pool;
  private final Services services;
  private final BotApi botApi;

  CliDatabase(KopeckConfig config) {
    this.session = DatabaseSession.openBeside(config.databaseUrl(), config.embeddedDbDir());
    this.vertx = Vertx.vertx();
    this.pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4))
        .connectingTo(session.url().toConnectOptions()).using(vertx).build();
    this.botApi = Settings.botApi(config, vertx);
    this.services = Services.build(config, vertx, pool, Clock.systemUTC(),
        Settings.paymentProviders(config, config.publicBaseUrl()), config.publicBaseUrl(), botApi, run(Topology::read));
  }

  Pool pool() {
    return pool;
  }

  /** The same services the server builds, over this command's pool. */
  Services services() {
    return services;
  }

  /** Runs one asynchronous job to completion on this (non event-loop) thread. */
  <T> T run(Function<Pool, Future<T>> job) {
    try {
      return job.apply(pool).toCompletionStage().toCompletableFuture().get(10, TimeUnit.MINUTES);
    } catch (Exception e) {
      Throwable cause = e.getCause() == null ? e : e.getCause();
      throw new IllegalStateException(cause.getMessage(), cause);
    }
  }

  @Override
  public void close() {
    services.payment().close();
    botApi.close();
    try {
      pool.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
      vertx.close().toCompletionStage().toCompletableFuture().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      // Closing is best effort; the process is about to exit.
    } finally {
      session.close();
    }
  }
}

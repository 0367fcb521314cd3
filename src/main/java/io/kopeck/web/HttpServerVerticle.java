package io.kopeck.web;

import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.healthchecks.HealthCheckHandler;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.function.Supplier;

/**
 * The HTTP edge: one port, several instances sharing it. It only parses, authenticates and maps
 * errors; features contribute their routes through {@link HttpRoutes}. No body is read before a
 * route's credentials are checked, and only routes that take a body read one (each with its limit).
 */
public final class HttpServerVerticle extends VerticleBase {
  private final HttpSettings config;
  private final Readiness readiness;
  private final Supplier<List<HttpRoutes>> routes;
  private final ConnectionCounts connections;
  private final Predicate<HttpServerRequest> longLived;
  private HttpServer server;
  private ConnectionGuard guard;

  public HttpServerVerticle(HttpSettings config, Readiness readiness, Supplier<List<HttpRoutes>> routes,
                            ConnectionCounts connections, Predicate<HttpServerRequest> longLived) {
    this.config = config;
    this.readiness = readiness;
    this.routes = routes;
    this.connections = connections;
    this.longLived = longLived;
  }

  @Override
  public Future<?> start() {
    server = vertx.createHttpServer(new HttpServerOptions()
        .setPort(config.httpPort())
        .setHost("0.0.0.0")
        .setIdleTimeout(120)
        .setIdleTimeoutUnit(TimeUnit.SECONDS)
        .setMaxInitialLineLength(8192)
        .setMaxHeaderSize(16 * 1024)
        // HTTP/1.1 only: with h2c detection a connection is reported at its first bytes, not when it
        // opens, and the guard must see (and count) every connection from the start.
        .setHttp2ClearTextEnabled(false));
    guard = new ConnectionGuard(vertx, config, connections, longLived);
    guard.start();
    Router router = router();
    return server.connectionHandler(guard::opened).requestHandler(request -> {
      if (guard.admit(request) && RequestHygiene.admit(request)) {
        router.handle(request);
      }
    }).listen();
  }

  private Router router() {
    Router router = Router.router(vertx);
    HttpErrors errors = new HttpErrors(config.maxBodyBytes());
    List<HttpRoutes> features = routes.get();

    router.route().handler(new RequestIds());
    if (config.accessLog()) {
      router.route().handler(new AccessLog(config.clients()));
    }
    router.get("/health").handler(HealthCheckHandler.createWithHealthChecks(readiness.liveness(vertx)));
    router.get("/ready").handler(HealthCheckHandler.createWithHealthChecks(readiness.readiness(vertx)));
    features.forEach(feature -> feature.mountGuards(router));
    features.forEach(feature -> feature.mount(router));

    router.route().failureHandler(errors::handle);
    for (int status : new int[] {400, 404, 405, 406, 413, 415, 500}) {
      router.errorHandler(status, errors::handle);
    }
    return router;
  }

  /** Stops accepting connections and lets in-flight requests finish, up to the shutdown timeout. */
  @Override
  public Future<?> stop() {
    if (guard != null) {
      guard.stop();
    }
    return server == null ? Future.succeededFuture()
        : server.shutdown(config.shutdownTimeoutSeconds(), TimeUnit.SECONDS);
  }
}

package io.kopeck.testsupport;

import io.kopeck.app.Application;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.Map;

/** A fresh database, the whole service started on it, and an HTTP client: one per test class. */
public final class RunningService implements AutoCloseable {
  private final TestDatabase db;
  private final Application app;
  private final Http http;

  private RunningService(TestDatabase db, Application app) {
    this.db = db;
    this.app = app;
    this.http = new Http(app.httpPort());
  }

  public static RunningService start(Map<String, String> overrides) {
    return start(overrides, Clock.systemUTC());
  }

  public static RunningService start(Map<String, String> overrides, Clock clock) {
    TestDatabase db = TestDatabase.createEmpty();
    return new RunningService(db, TestApp.start(db, overrides, clock));
  }

  public Application app() {
    return app;
  }

  public Pool pool() {
    return app.pool();
  }

  public Http http() {
    return http;
  }

  public TestDatabase db() {
    return db;
  }

  @Override
  public void close() {
    http.close();
    app.stop();
    db.close();
  }
}

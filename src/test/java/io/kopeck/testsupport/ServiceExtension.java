package io.kopeck.testsupport;

import io.kopeck.app.Application;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * One test class's running service: a fresh database and the whole service started on it before
 * the class's tests (before its own {@code @BeforeAll}), the ledger invariants of SPEC §2 checked
 * after every test, everything stopped after the last. Register it as a static field:
 * {@code @RegisterExtension static final ServiceExtension service = new ServiceExtension(Map.of(…));}
 */
public final class ServiceExtension implements BeforeAllCallback, AfterEachCallback, AfterAllCallback {
  private final Map<String, String> settings;
  private final Clock clock;
  private RunningService service;

  public ServiceExtension(Map<String, String> settings) {
    this(settings, Clock.systemUTC());
  }

  public ServiceExtension(Map<String, String> settings, Clock clock) {
    this.settings = settings;
    this.clock = clock;
  }

  @Override
  public void beforeAll(ExtensionContext context) {
    service = RunningService.start(settings, clock);
  }

  @Override
  public void afterEach(ExtensionContext context) {
    // The service's own verifier: its clock and timer interval decide when an active hold is overdue.
    Ledgers.assertConsistent(service.app().services().verifier());
  }

  @Override
  public void afterAll(ExtensionContext context) {
    if (service != null) {
      service.close();
    }
  }

  public Application app() {
    return service.app();
  }

  public Pool pool() {
    return service.pool();
  }

  public Http http() {
    return service.http();
  }

  public TestDatabase db() {
    return service.db();
  }
}

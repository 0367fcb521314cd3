package io.kopeck.testsupport;

import io.kopeck.app.Application;
import io.kopeck.config.KopeckConfig;
import java.time.Clock;
import java.util.HashMap;
import java.util.Map;

/** Starts the whole service in-process against a test database on a free port. */
public final class TestApp {
  private TestApp() {
  }

  public static Application start(TestDatabase db, Map<String, String> overrides) {
    return start(db, overrides, Clock.systemUTC());
  }

  public static Application start(TestDatabase db, Map<String, String> overrides, Clock clock) {
    return Application.start(config(db, overrides), clock);
  }

  public static KopeckConfig config(TestDatabase db, Map<String, String> overrides) {
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", db.url().connectionUri());
    env.put("HTTP_PORT", "0");
    env.put("DB_POOL_SIZE", "8");
    env.put("SHUTDOWN_TIMEOUT_SECONDS", "5");
    // Tests drive the timer jobs themselves; a background tick must not act in the middle of one.
    env.put("TIMER_INTERVAL_SECONDS", "86400");
    // Test services run the mock next to a (fake) bot token: a demo set-up, allowed explicitly.
    env.put("ALLOW_MOCK_PAYMENTS", "true");
    env.putAll(overrides);
    return KopeckConfig.load(env);
  }
}

package io.kopeck.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §11: the database goes away (every connection cut, new ones refused) and comes back. The
 * service is not restarted; it must say it is not ready, answer charges with a retryable 503, and
 * recover by itself. bench/db-outage-test.sh does the same to a whole PostgreSQL under load.
 */
class DatabaseOutageTest {
  static final String KEY = TestKeys.RUNNER;

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("RUNNER_API_KEYS", KEY));
  private static Http http;

  @BeforeAll
  static void start() {
    http = service.http();
    Ledgers.seedUser(service.pool(), 6001, "10");
  }


  private static void outage(boolean down) {
    String name = service.db().url().database();
    service.db().executeAsAdmin("ALTER DATABASE " + name + " ALLOW_CONNECTIONS " + !down);
    if (down) {
      service.db().executeAsAdmin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");
    }
  }

  private static Http.Response charge(String id) {
    return http.postJson("/api/v1/track-costs", KEY,
        "{\"event_id\": \"" + id + "\", \"user_id\": 6001, \"total_cost\": \"1\", \"currency\": \"RUB\"}");
  }

  @Test
  @DisplayName("outage: /ready 503 within 5 s and charges 503 unavailable; back: /ready 200 within 10 s, "
      + "the retried charge is charged exactly once")
  void outageAndRecovery() {
    assertThat(charge("before").status()).isEqualTo(200);
    try {
      outage(true);
      long t0 = System.nanoTime();
      Eventually.until(() -> http.get("/ready", null).status(), status -> status == 503, 5);
      assertThat(http.get("/ready", null).status()).isEqualTo(503);
      long notReadyMs = (System.nanoTime() - t0) / 1_000_000;
      assertThat(notReadyMs).isLessThan(5_000);

      Http.Response during = charge("during");
      assertThat(during.status()).isEqualTo(503);
      assertThat(during.json().getString("error")).isEqualTo("unavailable");
      assertThat(during.json().getBoolean("retryable")).isTrue();
      assertThat(during.headers().get("Retry-After")).isEqualTo("1");
    } finally {
      outage(false);
    }
    long t1 = System.nanoTime();
    Eventually.until(() -> http.get("/ready", null).status(), status -> status == 200, 10);
    assertThat(http.get("/ready", null).status()).isEqualTo(200);
    assertThat((System.nanoTime() - t1) / 1_000_000).isLessThan(10_000);

    Http.Response retried = charge("during");
    assertThat(retried.status()).isEqualTo(200);
    assertThat(retried.json().getString("status")).isEqualTo("charged");
    assertThat(charge("during").json().getString("status")).isEqualTo("duplicate");
    assertThat(Ledgers.balance(service.pool(), 6001)).isEqualByComparingTo("3.72");
    assertThat(Ledgers.count(service.pool(), "SELECT count(*) FROM usage_charges WHERE user_id = 6001")).isEqualTo(2);
    Ledgers.assertConsistent(service.pool());
  }
}

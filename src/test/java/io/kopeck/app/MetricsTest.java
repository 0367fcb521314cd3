package io.kopeck.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** {@code GET /metrics}: Vert.x, pool, JVM and business meters in the Prometheus text format, no ids in labels. */
class MetricsTest {
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("RUNNER_API_KEYS", TestKeys.RUNNER, "TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET));



  private static String event(String id, long user, String cost) {
    return "{\"event_id\": \"" + id + "\", \"user_id\": " + user + ", \"total_cost\": " + cost + ", \"currency\": \"RUB\"}";
  }

  @Test
  @DisplayName("after charges, a duplicate, a rejection and a webhook call, /metrics counts each by outcome")
  void metrics() {
    Http http = service.http();
    Ledgers.seedUser(service.pool(), 31, "100");
    http.postJson("/api/v1/track-costs", TestKeys.RUNNER, event("m-1", 31, "1"));
    http.postJson("/api/v1/track-costs", TestKeys.RUNNER, event("m-1", 31, "1"));
    http.postJson("/api/v1/track-costs", TestKeys.RUNNER, event("m-2", 999_999, "1"));
    Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token", "wrong", "{}"));

    Http.Response metrics = http.get("/metrics", null);

    assertThat(metrics.status()).isEqualTo(200);
    assertThat(metrics.headers().get("Content-Type")).startsWith("text/plain");
    assertThat(metrics.body()).contains(
        "kopeck_charges_total{outcome=\"charged\",reason=\"none\"} 1.0",
        "kopeck_charges_total{outcome=\"duplicate\",reason=\"none\"} 1.0",
        "kopeck_charges_total{outcome=\"rejected\",reason=\"user_not_found\"} 1.0",
        "kopeck_tokens_charged_total 3.14",
        "kopeck_telegram_updates_total{outcome=\"rejected\"} 1.0",
        "kopeck_charge_batch_size_count", "kopeck_charge_latency_seconds_bucket",
        "vertx_http_server_requests_total{code=\"200\",method=\"POST\",route=\"/api/v1/>/api/v1/track-costs", "vertx_pool_",
        "jvm_memory_used_bytes");
    // Bounded labels: no user id and no raw path appears as a label value.
    assertThat(metrics.body()).doesNotContain("999999", "user_id=", "path=");
  }

  @Test
  @DisplayName("SPEC §17: in a public deployment (https PUBLIC_BASE_URL) without METRICS_BEARER_TOKEN, /metrics answers "
      + "loopback only: a client through the proxy gets 404")
  void loopbackOnlyInPublic() {
    Application app = io.kopeck.testsupport.TestApp.start(service.db(), Map.of("PUBLIC_BASE_URL", "https://kopeck.example",
        "TRUSTED_PROXIES", "127.0.0.1/32"));
    try (Http http = new Http(app.httpPort())) {
      assertThat(http.get("/metrics", null).status()).as("Prometheus beside the service").isEqualTo(200);
      int proxied = Http.await(http.client().request(io.vertx.core.http.HttpMethod.GET, "/metrics")
          .putHeader("X-Forwarded-For", "203.0.113.9").send()).statusCode();
      assertThat(proxied).as("a client on the internet").isEqualTo(404);
    } finally {
      app.stop();
    }
  }
}

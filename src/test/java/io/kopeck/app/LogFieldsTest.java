package io.kopeck.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.Invoices;
import io.kopeck.config.KopeckConfig;
import io.kopeck.testsupport.CapturedLogs;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MockPaymentForms;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.Map;
import java.util.function.Predicate;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Log lines about money carry the ids they concern as JSON fields (as LOG_FORMAT=json writes them,
 * through the same LogstashEncoder), and every HTTP request gets an access line.
 */
class LogFieldsTest {
  static final Map<String, String> SETTINGS = Map.of("ADMIN_API_KEY", TestKeys.ADMIN, "RUNNER_API_KEYS", TestKeys.RUNNER);

  private static CapturedLogs logs;
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(SETTINGS);

  @BeforeAll
  static void start() {
    logs = new CapturedLogs("io.kopeck.payment.RobokassaCallbacks", "io.kopeck.user.UserAccounts",
        "io.kopeck.ledger.BillingEngineVerticle", "io.kopeck.catalog.Invoices", "kopeck.access");
  }

  @AfterAll
  static void stop() {
    logs.close();
  }

  private static JsonObject line(Predicate<JsonObject> filter) {
    return logs.line(filter);
  }

  @Test
  @DisplayName("payment, adjustment, invoice and rejected charge lines carry user_id and their ids; requests are access-logged")
  void fields() {
    Http http = service.http();
    Ledgers.seedUser(service.pool(), 71, "0");
    KopeckConfig config = service.app().config();
    Invoice invoice = Http.await(MockPaymentForms.invoices(service.pool(), Clock.systemUTC(), config,
        service.app().httpPort()).forTariff(71, "basic", null));
    MockPaymentForms.pay(http, invoice.paymentUrl());
    http.postJson("/admin/api/v1/users/71/adjust", TestKeys.ADMIN, "{\"amount\": 5, \"reason\": \"r\", \"idempotency_key\": \"k\"}");
    http.postJson("/api/v1/track-costs", TestKeys.RUNNER, "{\"event_id\": \"e-9\", \"user_id\": 72, \"total_cost\": 1, "
        + "\"currency\": \"RUB\"}");

    JsonObject paid = line(l -> "credited".equals(l.getString("outcome")));
    assertThat(paid.getLong("user_id")).isEqualTo(71);
    assertThat(paid.getLong("inv_id")).isEqualTo(invoice.invId());
    assertThat(paid.getLong("transaction_id")).isPositive();
    assertThat(paid.getString("level")).isEqualTo("INFO");
    JsonObject created = line(l -> l.getString("message", "").startsWith("Invoice") && l.containsKey("inv_id"));
    assertThat(created.getLong("user_id")).isEqualTo(71);
    JsonObject adjusted = line(l -> l.getString("message", "").startsWith("Balance adjusted"));
    assertThat(adjusted.getLong("user_id")).isEqualTo(71);
    assertThat(adjusted.getLong("transaction_id")).isPositive();
    JsonObject rejected = line(l -> l.getString("message", "").startsWith("Charge rejected"));
    assertThat(rejected.getLong("user_id")).isEqualTo(72);
    assertThat(rejected.getString("event_id")).isEqualTo("e-9");
    assertThat(rejected.getString("reason")).isEqualTo("user_not_found");
    JsonObject access = line(l -> "/api/v1/track-costs".equals(l.getString("path")));
    assertThat(access.getString("method")).isEqualTo("POST");
    assertThat(access.getInteger("status")).isEqualTo(404);
    assertThat(access.containsKey("duration_ms")).isTrue();
    JsonObject callback = line(l -> "/payments/mock/result".equals(l.getString("path")));
    assertThat(callback.encode()).doesNotContain("SignatureValue");
    assertThat(access.getString("request_id")).matches("k[0-9a-f]{12}-[0-9a-f]+");
  }

  @Test
  @DisplayName("X-Request-Id: a caller's sane id is kept, answered and logged; otherwise one is made")
  void requestIds() {
    Http http = service.http();
    Http.Response given = Http.await(http.client().get("/api/v1/users/73/balance")
        .putHeader("Authorization", "Bearer " + TestKeys.RUNNER).putHeader("X-Request-Id", "support-ticket-42").send()
        .map(r -> new Http.Response(r.statusCode(), r.headers(), r.bodyAsString())));
    assertThat(given.headers().get("X-Request-Id")).isEqualTo("support-ticket-42");
    assertThat(line(l -> "support-ticket-42".equals(l.getString("request_id"))).getString("path"))
        .isEqualTo("/api/v1/users/73/balance");
    Http.Response insane = Http.await(http.client().get("/health").putHeader("X-Request-Id", "<script>").send()
        .map(r -> new Http.Response(r.statusCode(), r.headers(), r.bodyAsString())));
    assertThat(insane.headers().get("X-Request-Id")).startsWith("k").doesNotContain("<");
    Http.Response first = http.get("/health", null);
    Http.Response second = http.get("/health", null);
    assertThat(first.headers().get("X-Request-Id")).isNotEqualTo(second.headers().get("X-Request-Id"));
  }
}

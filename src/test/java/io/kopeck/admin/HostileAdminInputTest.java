package io.kopeck.admin;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.catalog.Invoice;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MockPaymentForms;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.http.HttpMethod;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** SPEC §11: nothing an admin client sends gets a 500, and nothing it sends half-right is written. */
class HostileAdminInputTest {
  static final String ADMIN = TestKeys.ADMIN;
  static final String METRICS = "metrics-token-0123456789";

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("ADMIN_API_KEY", ADMIN, "METRICS_BEARER_TOKEN", METRICS));
  private static Pool pool;
  private static Http http;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
  }



  private static Http.Response send(HttpMethod method, String path, String body) {
    return Http.await(http.send(method, path, ADMIN, body == null ? null : "application/json", body));
  }

  @Test
  @DisplayName("U+0000 and control characters in admin fields and paths: 400 with a JSON error, nothing written")
  void controlCharacters() {
    long auditBefore = Ledgers.count(pool, "SELECT count(*) FROM audit_log");
    List<Http.Response> answers = List.of(
        send(HttpMethod.POST, "/admin/api/v1/tariffs", "{\"slug\": \"nul\", \"name\": \"N\\u0000\", \"price\": 10, "
            + "\"tokens\": 10}"),
        send(HttpMethod.POST, "/admin/api/v1/promo-codes", "{\"code\": \"A\\u0000B\", \"discount_type\": \"percent\", "
            + "\"discount_value\": 5}"),
        send(HttpMethod.POST, "/admin/api/v1/users/5/adjust", "{\"amount\": 1, \"reason\": \"r\\u0000\", "
            + "\"idempotency_key\": \"k1\"}"),
        send(HttpMethod.GET, "/admin/api/v1/promo-codes/A%00B", null),
        send(HttpMethod.POST, "/admin/api/v1/promo-codes/A%01B/deactivate", "{}"),
        send(HttpMethod.PATCH, "/admin/api/v1/tariffs/basic%00", "{\"name\": \"x\"}"),
        send(HttpMethod.GET, "/admin/api/v1/stats?to=%00", null),
        send(HttpMethod.GET, "/admin/api/v1/promo-codes/%ZZ", null));

    assertThat(answers).allSatisfy(answer -> {
      assertThat(answer.status()).as(answer.body()).isEqualTo(400);
      assertThat(answer.json().getString("error")).isNotBlank();
    });
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM tariffs WHERE slug = 'nul'")).isZero();
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log")).isEqualTo(auditBefore);
  }

  @Test
  @DisplayName("stats with a date no database can hold: 400 invalid_date, not 500")
  void farFutureDate() {
    for (String query : List.of("?to=%2B999999999-12-31", "?to=+999999999-12-31", "?from=-999999999-01-01",
        "?from=99999-01-01")) {
      Http.Response answer = http.get("/admin/api/v1/stats" + query, ADMIN);
      assertThat(answer.status()).as(query).isEqualTo(400);
      assertThat(answer.json().getString("error")).as(query).isEqualTo("invalid_date");
    }
  }

  @Test
  @DisplayName("a refund reason given as an object is refused; the invoice stays paid and the tokens stay")
  void refundReasonObject() {
    Ledgers.seedUser(pool, 77, "0");
    Invoice invoice = Http.await(MockPaymentForms.invoices(pool, Clock.systemUTC(), service.app().config(),
        service.app().httpPort()).forTariff(77, "basic", null));
    assertThat(MockPaymentForms.pay(http, invoice.paymentUrl()).status()).isEqualTo(303);

    Http.Response refused = send(HttpMethod.POST, "/admin/api/v1/invoices/" + invoice.invId() + "/refund",
        "{\"reason\": {\"why\": 1}}");

    assertThat(refused.status()).isEqualTo(400);
    assertThat(refused.json().getString("error")).isEqualTo("invalid_reason");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE inv_id = $1 AND status = 'paid'",
        invoice.invId())).isEqualTo(1);
    assertThat(Ledgers.balance(pool, 77)).isEqualByComparingTo("200");
  }

  @Test
  @DisplayName("/metrics wants METRICS_BEARER_TOKEN when it is set")
  void metricsToken() {
    assertThat(http.get("/metrics", null).status()).isEqualTo(401);
    assertThat(http.get("/metrics", "wrong-token-0123456789").status()).isEqualTo(401);
    Http.Response scraped = http.get("/metrics", METRICS);
    assertThat(scraped.status()).isEqualTo(200);
    assertThat(scraped.body()).contains("kopeck_");
  }
}

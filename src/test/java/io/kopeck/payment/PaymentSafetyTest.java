package io.kopeck.payment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Settings;
import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.Invoices;
import io.kopeck.common.Refused;
import io.kopeck.config.KopeckConfig;
import io.kopeck.testsupport.CapturedLogs;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestServices;
import io.vertx.sqlclient.Pool;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §11 for money coming in: the mock's passwords are nobody's to know, a live Robokassa shop
 * takes no test payment, an invoice is paid only through its own provider, the mock's success page
 * says "paid" only for what is paid, and no custom amount reaches a database overflow. Both
 * providers are enabled (Robokassa first, so it makes the invoices; the mock allowed explicitly).
 */
class PaymentSafetyTest {
  static final Map<String, String> SETTINGS = Map.of("PAYMENT_PROVIDERS", "robokassa,mock",
      "ROBOKASSA_MERCHANT_LOGIN", "shop", "ROBOKASSA_PASSWORD_1", "robokassa-password-1",
      "ROBOKASSA_PASSWORD_2", "robokassa-password-2", "ROBOKASSA_IS_TEST", "false");

  /** Listening before the service starts (the extension starts it before {@code @BeforeAll}). */
  private static final CapturedLogs startLogs = new CapturedLogs("io.kopeck.app.Application");
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(SETTINGS);
  private static Pool pool;
  private static Http http;
  private static KopeckConfig config;
  private static Invoices robokassaInvoices;
  private static Invoices mockInvoices;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
    config = service.app().config();
    String base = "http://localhost:" + service.app().httpPort();
    robokassaInvoices = TestServices.invoices(pool, Clock.systemUTC(), Settings.invoices(config),
        Settings.provider("robokassa", config, base));
    mockInvoices = TestServices.invoices(pool, Clock.systemUTC(), Settings.invoices(config), Settings.provider("mock", config, base));
  }


  @AfterAll
  static void stop() {
    startLogs.close();
  }

  private static Http.Response callback(String provider, Map<String, String> params) {
    return http.post("/payments/" + provider + "/result", null, "application/x-www-form-urlencoded", Http.form(params));
  }

  private static String status(Invoice invoice) {
    return Http.await(pool.preparedQuery("SELECT status FROM invoices WHERE inv_id = $1")
        .execute(io.vertx.sqlclient.Tuple.of(invoice.invId()))).iterator().next().getString(0);
  }

  @Test
  @DisplayName("with the mock on, start-up says so (WARN); unset mock passwords are generated, named, never shown")
  void mockAnnounced() {
    var warn = startLogs.line(l -> l.getString("message", "").startsWith("The mock payment provider is ON"));
    assertThat(warn.getString("level")).isEqualTo("WARN");
    startLogs.line(l -> l.getString("message", "").startsWith("MOCK_PASSWORD_2 was not set: generated"));
    assertThat(config.mockPassword2()).hasSizeGreaterThanOrEqualTo(32).isNotEqualTo("mock-password-2");
    assertThat(startLogs.lines()).isNotEmpty().allSatisfy(line ->
        assertThat(line.encode()).doesNotContain(config.mockPassword1(), config.mockPassword2()));
  }

  @Test
  @DisplayName("a callback signed with the once-published mock password credits nothing")
  void publishedPasswordRefused() {
    Ledgers.seedUser(pool, 9101, "0");
    Invoice invoice = Http.await(mockInvoices.forTariff(9101, "basic", null));
    MockProvider published = MockProvider.of("kopeck-demo", "mock-password-1", "mock-password-2", "md5", "");

    Http.Response answer = callback("mock", published.signedResult(invoice.amount().toPlainString(), invoice.invId(),
        RobokassaProtocol.shp(invoice)));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().getString("error")).isEqualTo("bad_signature");
    assertThat(status(invoice)).isEqualTo("pending");
    assertThat(Ledgers.balance(pool, 9101)).isEqualByComparingTo("0");
  }

  @Test
  @DisplayName("ROBOKASSA_IS_TEST=false: a correctly signed callback with IsTest=1 is refused (400) and audited")
  void testPaymentOnLiveShop() {
    Ledgers.seedUser(pool, 9102, "0");
    Invoice invoice = Http.await(robokassaInvoices.forTariff(9102, "basic", null));
    RobokassaProvider robokassa = (RobokassaProvider) Settings.provider("robokassa", config, "");
    Map<String, String> params = new LinkedHashMap<>(robokassa.signedResult(invoice.amount().toPlainString(),
        invoice.invId(), RobokassaProtocol.shp(invoice)));
    params.put("IsTest", "1");

    Http.Response answer = callback("robokassa", params);

    assertThat(answer.status()).isEqualTo(400);
    assertThat(status(invoice)).isEqualTo("pending");
    assertThat(Ledgers.balance(pool, 9102)).isEqualByComparingTo("0");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'payment.mismatch' AND entity_id = $1 "
        + "AND new_value->>'problem' LIKE 'IsTest=1%'", Long.toString(invoice.invId()))).isEqualTo(1);

    params.remove("IsTest");
    assertThat(callback("robokassa", params).body()).isEqualTo("OK" + invoice.invId());
    assertThat(Ledgers.balance(pool, 9102)).isEqualByComparingTo("200");
  }

  @Test
  @DisplayName("an invoice of one provider cannot be paid through another's callback")
  void wrongProvider() {
    Ledgers.seedUser(pool, 9103, "0");
    Invoice invoice = Http.await(robokassaInvoices.forTariff(9103, "basic", null));
    MockProvider mock = (MockProvider) Settings.provider("mock", config, "");

    Http.Response answer = callback("mock", mock.signedResult(invoice.amount().toPlainString(), invoice.invId(),
        RobokassaProtocol.shp(invoice)));

    assertThat(answer.status()).isEqualTo(400);
    assertThat(status(invoice)).isEqualTo("pending");
    assertThat(Ledgers.balance(pool, 9103)).isEqualByComparingTo("0");
  }

  @Test
  @DisplayName("the mock's success page: a non-numeric OutSum is refused, an unpaid invoice is not called paid")
  void successPageTellsTheTruth() {
    Ledgers.seedUser(pool, 9104, "0");
    Invoice invoice = Http.await(mockInvoices.forTariff(9104, "basic", null));
    MockProvider mock = (MockProvider) Settings.provider("mock", config, "");
    Map<String, String> shp = RobokassaProtocol.shp(invoice);

    Http.Response garbage = http.get("/mock-payment/success?" + Http.form(mock.signedSuccess("abc", invoice.invId(), shp)),
        null);
    Http.Response unpaid = http.get("/mock-payment/success?" + Http.form(mock.signedSuccess(
        invoice.amount().toPlainString(), invoice.invId(), shp)), null);

    assertThat(garbage.status()).isEqualTo(400);
    assertThat(unpaid.status()).isEqualTo(200);
    assertThat(unpaid.body()).contains("Оплата не подтверждена").doesNotContain("Оплата прошла");
    assertThat(status(invoice)).isEqualTo("pending");
  }

  @Test
  @DisplayName("custom top-ups above MAX_TOPUP_RUB are refused before any row is written, however large")
  void topUpCeiling() {
    Ledgers.seedUser(pool, 9105, "0");
    for (String amount : new String[] {"100000.01", "9999999999.00", "999999999999"}) {
      Refused refused = (Refused) Http.await(robokassaInvoices.forAmount(9105, new BigDecimal(amount), null)
          .<Object>map(i -> i).otherwise(e -> e));
      assertThat(refused.refusal().code()).isEqualTo("amount_above_maximum");
    }
    assertThat(Http.await(robokassaInvoices.forAmount(9105, new BigDecimal("100000"), null)).amount())
        .isEqualByComparingTo("100000.00");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE user_id = 9105")).isEqualTo(1);
  }
}

package io.kopeck.payment;

import static io.kopeck.testsupport.MockPaymentForms.formOf;
import static io.kopeck.testsupport.MockPaymentForms.pathOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Settings;
import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.Invoices;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestServices;
import io.vertx.sqlclient.Pool;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The mock provider's pages over HTTP, as a browser without JavaScript would use them. */
class MockPaymentPagesTest {
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("PAYMENT_PROVIDER", "mock"));
  private static Pool pool;
  private static Http http;
  private static Invoices invoices;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
    invoices = TestServices.invoices(pool, Clock.systemUTC(), Settings.invoices(service.app().config()),
        Settings.paymentProviders(service.app().config(), "http://localhost:" + service.app().httpPort()).methods());
  }



  @Test
  @DisplayName("the page shows merchant, description and amount; Pay credits the invoice and lands on the success page")
  void pay() {
    Ledgers.seedUser(pool, 1L, "0");
    Invoice invoice = Http.await(invoices.forTariff(1, "basic", null));

    Http.Response page = http.get(pathOf(invoice.paymentUrl()), null);
    Http.Response paid = http.post("/mock-payment/pay", null, "application/x-www-form-urlencoded", formOf(page.body()));
    String location = paid.headers().get("Location");
    Http.Response success = http.get(location, null);

    assertThat(page.status()).isEqualTo(200);
    assertThat(page.headers().get("Content-Type")).startsWith("text/html");
    assertThat(page.body()).contains("kopeck-demo", "Kopeck: Базовый", "199,00 ₽", "id=\"pay\"", "id=\"cancel\"")
        .doesNotContain("<script");
    assertThat(paid.status()).isEqualTo(303);
    assertThat(location).startsWith("/mock-payment/success?");
    assertThat(success.status()).isEqualTo(200);
    assertThat(success.body()).contains("Оплата прошла");
    assertThat(Ledgers.balance(pool, 1)).isEqualByComparingTo("200");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE inv_id = $1 AND status = 'paid'",
        invoice.invId())).isEqualTo(1);
  }

  @Test
  @DisplayName("Cancel lands on the fail page and nothing is credited")
  void cancel() {
    Ledgers.seedUser(pool, 2L, "0");
    Invoice invoice = Http.await(invoices.forTariff(2, "basic", null));
    Http.Response page = http.get(pathOf(invoice.paymentUrl()), null);

    Http.Response cancelled = http.post("/mock-payment/cancel", null, "application/x-www-form-urlencoded",
        formOf(page.body()));
    Http.Response fail = http.get(cancelled.headers().get("Location"), null);

    assertThat(cancelled.status()).isEqualTo(303);
    assertThat(fail.body()).contains("Оплата отменена", "№" + invoice.invId());
    assertThat(Ledgers.balance(pool, 2)).isEqualByComparingTo("0");
  }

  @Test
  @DisplayName("a forged link is refused; an unsigned description is shown escaped; a forged success page credits nothing")
  void forgeries() {
    Ledgers.seedUser(pool, 3L, "0");
    Invoice invoice = Http.await(invoices.forTariff(3, "basic", null));
    String url = pathOf(invoice.paymentUrl());

    Http.Response cheaper = http.get(url.replace("OutSum=199.00", "OutSum=1.00"), null);
    Http.Response injected = http.get(url.replaceFirst("Description=[^&]*",
        "Description=" + URLEncoder.encode("<script>alert(1)</script>", StandardCharsets.UTF_8)), null);
    Http.Response fakeSuccess = http.get("/mock-payment/success?OutSum=199.00&InvId=" + invoice.invId()
        + "&Shp_user=3&SignatureValue=00", null);
    Http.Response payForged = http.post("/mock-payment/pay", null, "application/x-www-form-urlencoded",
        "OutSum=1.00&InvId=" + invoice.invId() + "&Shp_user=3&SignatureValue=00");

    assertThat(cheaper.status()).isEqualTo(400);
    assertThat(injected.status()).isEqualTo(200);
    assertThat(injected.body()).contains("&lt;script&gt;alert(1)&lt;/script&gt;").doesNotContain("<script>");
    assertThat(fakeSuccess.status()).isEqualTo(400);
    assertThat(payForged.status()).isEqualTo(400);
    assertThat(Ledgers.balance(pool, 3)).isEqualByComparingTo("0");
  }
}

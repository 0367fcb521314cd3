package io.kopeck.payment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Settings;
import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.Invoices;
import io.kopeck.config.KopeckConfig;
import io.kopeck.ledger.BalanceRule;
import io.kopeck.ledger.Ledger;
import io.kopeck.ledger.Posting;
import io.kopeck.ledger.TransactionType;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.kopeck.testsupport.TestServices;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.math.BigDecimal;
import java.time.Instant;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class RefundsTest {
  static final String ADMIN = TestKeys.ADMIN;
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));

  static final Map<String, String> SETTINGS = Map.of("ADMIN_API_KEY", ADMIN, "PAYMENT_PROVIDER", "mock");

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(SETTINGS, CLOCK);
  private static Pool pool;
  private static Http http;
  private static Invoices invoices;
  private static MockProvider mock;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
    KopeckConfig config = service.app().config();
    mock = (MockProvider) Settings.provider("mock", config, "http://localhost");
    invoices = TestServices.invoices(pool, CLOCK, Settings.invoices(config), mock);
  }



  private static Invoice paid(long user, String tariff) {
    Invoice invoice = Http.await(invoices.forTariff(user, tariff, null));
    String form = Http.form(mock.signedResult(invoice.amount().toPlainString(), invoice.invId(),
        RobokassaProtocol.shp(invoice)));
    assertThat(http.post("/payments/mock/result", null, "application/x-www-form-urlencoded", form).status())
        .isEqualTo(200);
    return invoice;
  }

  private static Http.Response refund(long invId) {
    return http.postJson("/admin/api/v1/invoices/" + invId + "/refund", ADMIN, "{\"reason\": \"customer asked\"}");
  }

  @Test
  @DisplayName("a refund reverses the tokens, takes the month back off the subscription, and is audited and announced")
  void refund() {
    Ledgers.seedUser(pool, 1L, "5");
    Invoice invoice = paid(1, "standard");

    Http.Response refunded = refund(invoice.invId());
    Http.Response again = refund(invoice.invId());
    JsonObject shown = http.get("/admin/api/v1/invoices/" + invoice.invId(), ADMIN).json();

    assertThat(refunded.status()).isEqualTo(200);
    assertThat(refunded.json().getString("balance_after")).isEqualTo("5.0000");
    assertThat(refunded.json().getString("subscription_end")).isEqualTo("2026-11-26T12:00:00Z");
    assertThat(Ledgers.balance(pool, 1)).isEqualByComparingTo("5");
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().getString("error")).isEqualTo("invoice_not_paid");
    assertThat(shown.getString("status")).isEqualTo("refunded");
    assertThat(shown.getString("tariff")).isEqualTo("standard");
    assertThat(shown.getString("amount")).isEqualTo("499.00");
    assertThat(shown.getString("refunded_at")).isEqualTo("2026-11-26T12:00:00Z");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = 1 AND type = 'refund' "
        + "AND tokens_delta = -600")).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'invoice.refund' AND actor_type = 'admin' "
        + "AND new_value->>'reason' = 'customer asked'")).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE user_id = 1 AND kind = 'refund'")).isEqualTo(1);
  }

  @Test
  @DisplayName("a refund that would cross the balance floor is refused with the reason, and changes nothing")
  void floorRefusal() {
    Ledgers.seedUser(pool, 2L, "0");
    Invoice invoice = paid(2, "pro");
    Http.await(pool.withTransaction(tx -> new Ledger(CLOCK, Ledgers.FLOOR).post(tx, new Posting(2,
        TransactionType.ADJUSTMENT, new BigDecimal("-2500"), BalanceRule.DOWN_TO_FLOOR, "adjust:test", null, "debt",
        null))));

    Http.Response refused = refund(invoice.invId());

    assertThat(refused.status()).isEqualTo(409);
    assertThat(refused.json().getString("error")).isEqualTo("refund_below_floor");
    assertThat(refused.json().getString("message")).contains("2000", "-500", "-1000");
    assertThat(Ledgers.balance(pool, 2)).isEqualByComparingTo("-500");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE inv_id = $1 AND status = 'paid'",
        invoice.invId())).isEqualTo(1);
  }

  @Test
  @DisplayName("unknown and malformed invoice ids, and a pending invoice, are refused; the API needs the admin key")
  void refusals() {
    Ledgers.seedUser(pool, 3L, "0");
    Invoice pending = Http.await(invoices.forTariff(3, "basic", null));

    assertThat(refund(999_999).status()).isEqualTo(404);
    assertThat(http.postJson("/admin/api/v1/invoices/abc/refund", ADMIN, "{}").status()).isEqualTo(400);
    assertThat(refund(pending.invId()).json().getString("error")).isEqualTo("invoice_not_paid");
    assertThat(http.get("/admin/api/v1/invoices/" + pending.invId(), null).status()).isEqualTo(401);
  }
}

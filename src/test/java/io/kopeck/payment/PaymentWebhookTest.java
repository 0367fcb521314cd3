package io.kopeck.payment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Settings;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.Invoices;
import io.kopeck.catalog.PromoCodes;
import io.kopeck.common.StrictJson;
import io.kopeck.config.KopeckConfig;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PaymentWebhookTest {
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));
  static final Map<String, String> SETTINGS = Map.of("ADMIN_CHAT_IDS", "900", "PAYMENT_PROVIDER", "mock");

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
    mock = (MockProvider) Settings.provider("mock", config, "http://localhost:" + service.app().httpPort());
    invoices = TestServices.invoices(pool, CLOCK, Settings.invoices(config), mock);
    PromoCodes promos = new PromoCodes(pool, CLOCK);
    Http.await(promos.create(StrictJson.readObject(
        "{\"code\": \"TEN\", \"discount_type\": \"percent\", \"discount_value\": 10}"), Actor.SYSTEM));
    Http.await(promos.create(StrictJson.readObject(
        "{\"code\": \"ONLYONE\", \"discount_type\": \"fixed\", \"discount_value\": 9, \"max_uses\": 1}"),
        Actor.SYSTEM));
  }



  private static Map<String, String> signed(Invoice invoice) {
    return mock.signedResult(invoice.amount().toPlainString(), invoice.invId(), RobokassaProtocol.shp(invoice));
  }

  private static Http.Response callback(Map<String, String> params) {
    return http.post("/payments/mock/result", null, "application/x-www-form-urlencoded", Http.form(params));
  }

  @Test
  @DisplayName("the whole purchase: invoice with a promo → signed callback → tokens, subscription, paid, promo use, audit, outbox")
  void purchase() {
    Ledgers.seedUser(pool, 1L, "5");
    Invoice invoice = Http.await(invoices.forTariff(1, "standard", "ten"));

    java.time.OffsetDateTime paidAt = java.time.OffsetDateTime.now(CLOCK);
    Http.Response answer = callback(signed(invoice));

    assertThat(invoice.amount()).isEqualByComparingTo("449.10");
    assertThat(invoice.paymentUrl()).startsWith("http://localhost:" + service.app().httpPort()
        + "/mock-payment?MerchantLogin=kopeck-demo&OutSum=449.10&InvId=" + invoice.invId());
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).isEqualTo("OK" + invoice.invId());
    assertThat(Ledgers.balance(pool, 1)).isEqualByComparingTo("605");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE inv_id = $1 AND status = 'paid' "
        + "AND paid_at IS NOT NULL", invoice.invId())).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users u JOIN tariffs t ON t.id = u.tariff_id WHERE u.id = 1 "
        + "AND t.slug = 'standard' AND u.subscription_end = $1", paidAt.plusMonths(1))).as("one month from payment")
        .isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT uses_count FROM promo_codes WHERE code = 'TEN'")).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM promo_redemptions WHERE user_id = 1 AND kind = 'invoice'"))
        .isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'invoice.paid' AND entity_id = $1",
        Long.toString(invoice.invId()))).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE user_id = 1 AND kind IN "
        + "('payment', 'admin_payment') AND chat_id IN (1, 900)")).isEqualTo(2);
  }

  @Test
  @DisplayName("50 concurrent identical callbacks credit exactly once, and every one is answered OK")
  void concurrentCallbacks() {
    Ledgers.seedUser(pool, 2L, "0");
    Invoice invoice = Http.await(invoices.forTariff(2, "pro", null));
    String body = Http.form(signed(invoice));
    List<Future<Http.Response>> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add(http.send(HttpMethod.POST, "/payments/mock/result", null, "application/x-www-form-urlencoded", body));
    }

    List<Http.Response> answers = Http.await(Future.all(sent)).list();

    assertThat(answers).extracting(Http.Response::body).containsOnly("OK" + invoice.invId());
    assertThat(Ledgers.balance(pool, 2)).isEqualByComparingTo("2000");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = 2")).isEqualTo(1);
  }

  @Test
  @DisplayName("bad signature 400, tampered amount 400, unknown invoice 404, wrong amount audited: nothing credited")
  void refusals() {
    Ledgers.seedUser(pool, 3L, "0");
    Invoice invoice = Http.await(invoices.forTariff(3, "basic", null));
    Map<String, String> badSignature = new LinkedHashMap<>(signed(invoice));
    badSignature.put("SignatureValue", "0".repeat(32));
    Map<String, String> tampered = new LinkedHashMap<>(signed(invoice));
    tampered.put("OutSum", "1.00");
    Map<String, String> unknown = mock.signedResult("199.00", 999_999, Map.of("Shp_user", "3"));
    Map<String, String> wrongAmount = mock.signedResult("1.00", invoice.invId(), Map.of("Shp_user", "3"));
    Map<String, String> wrongUser = mock.signedResult("199.00", invoice.invId(), Map.of("Shp_user", "4"));

    Http.Response bad = callback(badSignature);
    Http.Response forged = callback(tampered);
    Http.Response missing = callback(unknown);
    Http.Response mismatch = callback(wrongAmount);
    Http.Response otherUser = callback(wrongUser);

    assertThat(bad.status()).isEqualTo(400);
    assertThat(bad.json().getString("error")).isEqualTo("bad_signature");
    assertThat(forged.status()).isEqualTo(400);
    assertThat(missing.status()).isEqualTo(404);
    assertThat(mismatch.status()).isEqualTo(400);
    assertThat(otherUser.status()).isEqualTo(400);
    assertThat(Ledgers.balance(pool, 3)).isEqualByComparingTo("0");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE inv_id = $1 AND status = 'pending'",
        invoice.invId())).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'payment.mismatch' AND entity_id = $1",
        Long.toString(invoice.invId()))).isEqualTo(2);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE chat_id = 900 "
        + "AND template = 'admin.payment.mismatch' AND (args->>'inv_id')::bigint = $1", invoice.invId())).isEqualTo(2);
  }

  @Test
  @DisplayName("a payment for an expired invoice is still credited (money was received), audited as late; GET works too")
  void latePayment() {
    Ledgers.seedUser(pool, 4L, "0");
    Invoice invoice = Http.await(invoices.forAmount(4, new java.math.BigDecimal("250"), null));
    CLOCK.advance(Duration.ofHours(25));
    Http.await(invoices.expireDue(new Actor("timer", null)));

    Http.Response answer = http.get("/payments/mock/result?" + Http.form(signed(invoice)), null);

    assertThat(answer.body()).isEqualTo("OK" + invoice.invId());
    assertThat(Ledgers.balance(pool, 4)).isEqualByComparingTo("250");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = 4 AND subscription_end IS NULL"))
        .as("a top-up buys tokens, not days").isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'invoice.paid_late' AND entity_id = $1",
        Long.toString(invoice.invId()))).isEqualTo(1);
  }

  @Test
  @DisplayName("a code that ran out before a late payment (its cancelled invoice had freed the use, another buyer "
      + "took it) is honoured at the price paid, and the overrun audited")
  void promoRanOut() {
    Ledgers.seedUser(pool, 5L, "0");
    Ledgers.seedUser(pool, 6L, "0");
    Invoice first = Http.await(invoices.forTariff(5, "basic", "ONLYONE"));
    Http.await(invoices.cancel(5, first.invId()));
    Invoice second = Http.await(invoices.forTariff(6, "basic", "ONLYONE"));

    callback(signed(second));
    Http.Response late = callback(signed(first));

    assertThat(late.body()).isEqualTo("OK" + first.invId());
    assertThat(Ledgers.balance(pool, 5)).isEqualByComparingTo("200");
    assertThat(first.amount()).isEqualByComparingTo("190.00");
    assertThat(Ledgers.count(pool, "SELECT uses_count FROM promo_codes WHERE code = 'ONLYONE'")).isEqualTo(2);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'promo.honoured_after_recheck' "
        + "AND user_id = 5 AND new_value->>'problem' = 'promo_exhausted'")).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'promo.honoured_after_recheck' "
        + "AND user_id = 6")).as("the second buyer's use was fine").isZero();
  }
}

package io.kopeck.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Settings;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.common.Refusal;
import io.kopeck.common.Refused;
import io.kopeck.config.KopeckConfig;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestServices;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class InvoicesTest {
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-26T12:00:00Z"));

  static final Map<String, String> SETTINGS = Map.of("MIN_TOPUP_RUB", "200", "TOKENS_PER_RUB", "1.5");

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(SETTINGS, CLOCK);
  private static Pool pool;
  private static Invoices invoices;
  private static PromoCodes promos;

  @BeforeAll
  static void start() {
    pool = service.pool();
    invoices = TestServices.invoices(pool, CLOCK, Settings.invoices(KopeckConfig.load(SETTINGS)),
        PaymentLinks.of("mock", (invoice, description) ->
            "https://pay.example/?InvId=" + invoice.invId() + "&d=" + description));
    promos = new PromoCodes(pool, CLOCK);
    Http.await(promos.create(io.kopeck.common.StrictJson.readObject(
        "{\"code\": \"TEN\", \"discount_type\": \"percent\", \"discount_value\": 10}"), Actor.SYSTEM));
    Http.await(promos.create(io.kopeck.common.StrictJson.readObject(
        "{\"code\": \"BONUS\", \"discount_type\": \"bonus_tokens\", \"discount_value\": 100}"), Actor.SYSTEM));
    Http.await(promos.create(io.kopeck.common.StrictJson.readObject(
        "{\"code\": \"TRIAL8\", \"discount_type\": \"trial\", \"tariff\": \"trial\"}"), Actor.SYSTEM));
    Http.await(promos.create(io.kopeck.common.StrictJson.readObject(
        "{\"code\": \"ONCE50\", \"discount_type\": \"fixed\", \"discount_value\": 50}"), Actor.SYSTEM));
    Http.await(promos.create(io.kopeck.common.StrictJson.readObject(
        "{\"code\": \"FIRST5\", \"discount_type\": \"percent\", \"discount_value\": 20, \"max_uses\": 5}"),
        Actor.SYSTEM));
  }


  private static Invoice buy(long user, String tariff, String promo) {
    return Http.await(invoices.forTariff(user, tariff, promo));
  }

  private static Refusal refusal(Future<?> future) {
    try {
      Http.await(future);
    } catch (IllegalStateException e) {
      Throwable cause = e.getCause().getCause();
      assertThat(cause).isInstanceOf(Refused.class);
      return ((Refused) cause).refusal();
    }
    throw new AssertionError("expected a refusal");
  }

  @Test
  @DisplayName("a repeat within INVOICE_IDEMPOTENCY_MINUTES returns the pending invoice; after the window, a new one")
  void idempotencyWindow() {
    Ledgers.seedUser(pool, 1L, "0");

    Invoice first = buy(1, "standard", null);
    CLOCK.advance(Duration.ofMinutes(59));
    Invoice tap = buy(1, "standard", null);
    Invoice withPromo = buy(1, "standard", "ten");
    CLOCK.advance(Duration.ofMinutes(2));
    Invoice later = buy(1, "standard", null);

    assertThat(first.invId()).isGreaterThanOrEqualTo(1000);
    assertThat(tap.invId()).isEqualTo(first.invId());
    assertThat(withPromo.invId()).isNotEqualTo(first.invId());
    assertThat(later.invId()).isNotIn(first.invId(), withPromo.invId());
    assertThat(first.status()).isEqualTo("pending");
    assertThat(first.expiresAt()).isEqualTo(first.createdAt().plusHours(24));
  }

  @Test
  @DisplayName("ten concurrent taps create one invoice")
  void concurrentTaps() {
    Ledgers.seedUser(pool, 2L, "0");
    List<Future<Invoice>> taps = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      taps.add(invoices.forTariff(2, "pro", null));
    }

    List<Invoice> created = Http.await(Future.all(taps)).list();

    assertThat(created).extracting(Invoice::invId).containsOnly(created.get(0).invId());
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE user_id = 2")).isEqualTo(1);
  }

  @Test
  @DisplayName("promo codes shape the invoice: 10 % off 499.00 is 449.10; bonus tokens add to the tokens")
  void promoApplied() {
    Ledgers.seedUser(pool, 3L, "0");

    Invoice ten = buy(3, "standard", "TEN");
    Invoice bonus = buy(3, "basic", "bonus");

    assertThat(ten.amount()).isEqualByComparingTo("449.10");
    assertThat(ten.originalAmount()).isEqualByComparingTo("499.00");
    assertThat(ten.tokens()).isEqualByComparingTo("600");
    assertThat(ten.periodUnit()).isEqualTo("month");
    assertThat(bonus.amount()).isEqualByComparingTo("199.00");
    assertThat(bonus.tokens()).isEqualByComparingTo("300");
    assertThat(bonus.bonusTokens()).isEqualByComparingTo("100");
  }

  @Test
  @DisplayName("an unusable code, a trial code, a trial or unknown tariff and an unknown user are refused")
  void refusals() {
    Ledgers.seedUser(pool, 4L, "0");

    Refusal unknownCode = refusal(invoices.forTariff(4, "basic", "NOPE"));
    Refusal trialCode = refusal(invoices.forTariff(4, "basic", "TRIAL8"));

    assertThat(unknownCode).isEqualTo(PromoProblem.NOT_FOUND);
    assertThat(unknownCode.code()).isEqualTo("promo_not_found");
    assertThat(trialCode).isEqualTo(PromoProblem.WRONG_TARIFF);
    assertThat(refusal(invoices.forTariff(4, "trial", null)).code()).isEqualTo("tariff_not_for_sale");
    assertThat(refusal(invoices.forTariff(4, "gold", null)).code()).isEqualTo("tariff_not_found");
    assertThat(refusal(invoices.forTariff(404, "basic", null)).code()).isEqualTo("user_not_found");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE user_id = 4")).isZero();
  }

  @Test
  @DisplayName("a custom top-up: at least MIN_TOPUP_RUB, tokens = amount × TOKENS_PER_RUB, no subscription period")
  void customAmount() {
    Ledgers.seedUser(pool, 5L, "0");

    Invoice topUp = Http.await(invoices.forAmount(5, new BigDecimal("333.33"), null));
    Invoice again = Http.await(invoices.forAmount(5, new BigDecimal("333.33"), null));
    Invoice other = Http.await(invoices.forAmount(5, new BigDecimal("499.00"), null));
    Invoice standard = buy(5, "standard", null);

    assertThat(topUp.amount()).isEqualByComparingTo("333.33");
    assertThat(topUp.tokens()).isEqualByComparingTo("499.995");
    assertThat(topUp.periodUnit()).isNull();
    assertThat(again.invId()).isEqualTo(topUp.invId());
    assertThat(other.invId()).isNotEqualTo(topUp.invId());
    assertThat(standard.invId()).as("same price, but a tariff with a period").isNotEqualTo(other.invId());
    assertThat(refusal(invoices.forAmount(5, new BigDecimal("199.99"), null)).code()).isEqualTo("amount_below_minimum");
    assertThat(refusal(invoices.forAmount(5, new BigDecimal("250.001"), null)).code()).isEqualTo("amount_below_minimum");
  }

  @Test
  @DisplayName("a user cancels their pending invoice once; nobody else can, and nothing else changes")
  void cancel() {
    Ledgers.seedUser(pool, 6L, "0");
    Invoice invoice = buy(6, "basic", null);

    Invoice cancelled = Http.await(invoices.cancel(6, invoice.invId()));

    assertThat(cancelled.status()).isEqualTo("cancelled");
    assertThat(refusal(invoices.cancel(6, invoice.invId())).code()).isEqualTo("invoice_not_pending");
    Invoice another = buy(6, "pro", null);
    assertThat(refusal(invoices.cancel(7, another.invId())).code()).isEqualTo("invoice_not_pending");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'invoice.cancel' "
        + "AND entity_id = $1", Long.toString(invoice.invId()))).isEqualTo(1);
  }

  @Test
  @DisplayName("pending invoices expire after INVOICE_TTL_HOURS, once, audited in one row")
  void expiry() {
    Ledgers.seedUser(pool, 8L, "0");
    Invoice invoice = buy(8, "basic", null);
    CLOCK.advance(Duration.ofHours(23));
    List<Long> early = Http.await(invoices.expireDue(new Actor("timer", null)));
    CLOCK.advance(Duration.ofHours(1));

    List<Long> expired = Http.await(invoices.expireDue(new Actor("timer", null)));
    List<Long> again = Http.await(invoices.expireDue(new Actor("timer", null)));

    assertThat(early).doesNotContain(invoice.invId());
    assertThat(expired).contains(invoice.invId());
    assertThat(again).isEmpty();
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE inv_id = $1 AND status = 'expired'",
        invoice.invId())).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'invoice.expire' "
        + "AND new_value->'inv_ids' @> to_jsonb($1::bigint)", invoice.invId())).isEqualTo(1);
  }

  @Test
  @DisplayName("SPEC §17: a once-per-user code held by one pending invoice cannot discount a second one (another "
      + "tariff or another custom amount); cancelling or expiry frees it, the same invoice again is no new use")
  void onceForUserAcrossInvoices() {
    Ledgers.seedUser(pool, 20L, "0");

    Invoice first = buy(20, "basic", "ONCE50");
    Invoice same = buy(20, "basic", "once50");
    Refusal otherTariff = refusal(invoices.forTariff(20, "standard", "ONCE50"));
    Refusal otherAmount = refusal(invoices.forAmount(20, new BigDecimal("300"), "ONCE50"));
    Http.await(invoices.cancel(20, first.invId()));
    Invoice afterCancel = Http.await(invoices.forAmount(20, new BigDecimal("300"), "ONCE50"));
    CLOCK.advance(Duration.ofHours(25));
    Invoice afterExpiry = buy(20, "standard", "ONCE50");

    assertThat(first.amount()).isEqualByComparingTo("149.00");
    assertThat(same.invId()).isEqualTo(first.invId());
    assertThat(otherTariff).isEqualTo(PromoProblem.ALREADY_USED);
    assertThat(otherAmount).isEqualTo(PromoProblem.ALREADY_USED);
    assertThat(afterCancel.amount()).isEqualByComparingTo("250.00");
    assertThat(afterExpiry.amount()).isEqualByComparingTo("449.00");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE user_id = 20 AND promo_code_id IS NOT NULL "
        + "AND status = 'pending' AND expires_at > $1", CLOCK.instant().atOffset(java.time.ZoneOffset.UTC))).isEqualTo(1);
  }

  @Test
  @DisplayName("SPEC §17: a code for the first 5 buyers, 20 users making invoices at once: exactly 5 invoices carry it")
  void lastUsesTakenOnce() {
    List<Future<Invoice>> attempts = new ArrayList<>();
    for (long user = 100; user < 120; user++) {
      Ledgers.seedUser(pool, user, "0");
    }
    for (long user = 100; user < 120; user++) {
      attempts.add(invoices.forTariff(user, "pro", "FIRST5"));
    }

    Http.await(Future.join(attempts).otherwise(v -> null));

    long made = attempts.stream().filter(Future::succeeded).count();
    assertThat(made).isEqualTo(5);
    assertThat(attempts.stream().filter(Future::failed).map(f -> ((Refused) f.cause()).refusal()))
        .containsOnly(PromoProblem.EXHAUSTED);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices i JOIN promo_codes p ON p.id = i.promo_code_id "
        + "WHERE p.code = 'FIRST5'")).isEqualTo(5);
  }

  @Test
  @DisplayName("SPEC §17: at most MAX_PENDING_INVOICES_PER_USER (5) pending invoices: the sixth cancels the oldest")
  void pendingInvoicesBounded() {
    Ledgers.seedUser(pool, 30L, "0");
    List<Invoice> made = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      made.add(Http.await(invoices.forAmount(30, new BigDecimal(300 + i), null)));
    }

    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE user_id = 30 AND status = 'pending'"))
        .isEqualTo(5);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE inv_id = $1 AND status = 'cancelled'",
        made.get(0).invId())).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'invoice.cancel' AND entity_id = $1 "
        + "AND new_value->>'reason' LIKE 'replaced: more than 5%'", Long.toString(made.get(0).invId()))).isEqualTo(1);
  }
}

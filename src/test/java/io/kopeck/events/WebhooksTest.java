package io.kopeck.events;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.common.JobSummary;
import io.kopeck.testsupport.BotChat;
import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.FakeReceiver;
import io.kopeck.testsupport.FakeReceiver.Delivery;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MockPaymentForms;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.kopeck.testsupport.Updates;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Events out (SPEC §21) end to end: a real receiver over HTTP that checks every signature, the service on
 * a real PostgreSQL, time moved by the test's clock; the ledger verified after every test.
 */
class WebhooksTest {
  static final String SIGNING_SECRET = "signing-secret-0123456789-0123456789";
  private static final AtomicLong USERS = new AtomicLong(810_000_000);
  private static final MutableClock clock = new MutableClock(Instant.now());
  private static final FakeReceiver receiver = new FakeReceiver(SIGNING_SECRET);
  private static final FakeTelegram telegram = new FakeTelegram();

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.ofEntries(
      Map.entry("WEBHOOK_URL", receiver.url()), Map.entry("WEBHOOK_SIGNING_SECRET", SIGNING_SECRET),
      Map.entry("TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN), Map.entry("TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET),
      Map.entry("TELEGRAM_API_URL", telegram.url()), Map.entry("TELEGRAM_RATE_PER_CHAT", "50"),
      Map.entry("RUNNER_API_KEYS", TestKeys.RUNNER), Map.entry("RUNNER_RATE_LIMIT", "0"),
      Map.entry("ADMIN_API_KEY", TestKeys.ADMIN), Map.entry("PAYMENT_PROVIDERS", "mock,stars"),
      Map.entry("LOW_BALANCE_THRESHOLDS", "50,20"), Map.entry("COST_MULTIPLIER", "1")), clock);
  private static Pool pool;
  private static Http http;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
  }

  @AfterAll
  static void stop() {
    receiver.close();
    telegram.close();
  }

  @Test
  @DisplayName("A receiver that answers 500 three times gets the same event id, signed, until it answers 2xx")
  void retriedUntilDelivered() {
    receiver.failNext(3);
    JsonObject user = Updates.user(USERS.incrementAndGet(), "Ann", null, "en");
    new BotChat(telegram, http, TestKeys.WEBHOOK_SECRET).say(user, "/start", "");
    for (int attempt = 1; attempt <= 4; attempt++) {
      int expected = attempt;
      assertThat(Eventually.until(() -> created(user).size(), n -> n == expected, 20)).isEqualTo(expected);
      // The next try is due after 1, 2, 4 minutes: the clock, not the test, waits.
      clock.advance(Duration.ofMinutes(1L << (attempt - 1)).plusSeconds(1));
    }
    List<Delivery> tries = created(user);
    assertThat(tries).hasSize(4).allMatch(Delivery::signatureValid)
        .extracting(Delivery::eventId).containsOnly(tries.get(0).eventId());
    assertThat(tries.get(0).event().getString("id")).isEqualTo(tries.get(0).eventId()).startsWith("evt_");
    assertThat(tries.get(0).event().getJsonObject("data").getString("first_name")).isEqualTo("Ann");
    Eventually.equals(() -> Ledgers.count(pool, "SELECT count(*) FROM webhook_events WHERE id = $1 AND status = 'delivered'"
        + " AND attempts = 4", tries.get(0).eventId()), 1, 20);
    // Nothing more for it: a later event, due after the first would have been, is delivered, and still four.
    clock.advance(Duration.ofMinutes(20));
    JsonObject later = Updates.user(USERS.incrementAndGet(), "Cy", null, "en");
    new BotChat(telegram, http, TestKeys.WEBHOOK_SECRET).say(later, "/start", "");
    Eventually.equals(() -> created(later).size(), 1, 20);
    assertThat(created(user)).hasSize(4);
  }

  @Test
  @DisplayName("A payment link paid through the mock credits once and sends payment.succeeded once")
  void paymentLinkPaidOnce() {
    long user = USERS.incrementAndGet();
    Ledgers.seedUser(pool, user, "0");
    Http.Response link = http.postJson("/api/v1/users/" + user + "/payment-links", TestKeys.RUNNER,
        "{\"tariff\": \"basic\"}");
    assertThat(link.status()).as(link.body()).isEqualTo(201);
    JsonObject made = link.json();
    assertThat(made.getString("currency")).isEqualTo("RUB");
    assertThat(made.getString("amount")).isEqualTo("199.00");
    assertThat(MockPaymentForms.pay(http, made.getString("url")).status()).isEqualTo(303);
    MockPaymentForms.pay(http, made.getString("url"));
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1 AND type = 'topup'", user))
        .isEqualTo(1);
    Eventually.equals(() -> paid(made.getLong("inv_id")).size(), 1, 20);
    Delivery delivery = paid(made.getLong("inv_id")).get(0);
    assertThat(delivery.signatureValid()).isTrue();
    assertThat(delivery.event().getJsonObject("data").getLong("user_id")).isEqualTo(user);
    assertThat(delivery.event().getJsonObject("data").getString("provider")).isEqualTo("mock");
  }

  @Test
  @DisplayName("A Stars payment link is the link Telegram's createInvoiceLink makes for the invoice")
  void starsLink() {
    long user = USERS.incrementAndGet();
    Ledgers.seedUser(pool, user, "0");
    Http.Response link = http.postJson("/api/v1/users/" + user + "/payment-links", TestKeys.RUNNER,
        "{\"amount\": \"100\", \"provider\": \"stars\"}");
    assertThat(link.status()).as(link.body()).isEqualTo(201);
    assertThat(link.json().getString("currency")).isEqualTo("XTR");
    assertThat(link.json().getString("url")).isEqualTo("https://t.me/$inv:" + link.json().getLong("inv_id"));
    assertThat(telegram.calls("createInvoiceLink", c -> true)).isNotEmpty();
  }

  @Test
  @DisplayName("Payment links refuse what the bot refuses, with a JSON error, and make no invoice")
  void paymentLinkRefusals() {
    long user = USERS.incrementAndGet();
    Ledgers.seedUser(pool, user, "0");
    String path = "/api/v1/users/" + user + "/payment-links";
    assertThat(http.postJson(path, TestKeys.RUNNER, "{\"tariff\": \"basic\", \"amount\": \"500\"}").status()).isEqualTo(400);
    assertThat(http.postJson(path, TestKeys.RUNNER, "{\"amount\": \"5\"}").status()).isEqualTo(400);
    assertThat(http.postJson(path, TestKeys.RUNNER, "{\"tariff\": \"nope\"}").status()).isEqualTo(404);
    assertThat(http.postJson(path, TestKeys.RUNNER, "{\"tariff\": \"basic\", \"provider\": \"paypal\"}").status())
        .isEqualTo(400);
    assertThat(http.postJson(path, null, "{\"tariff\": \"basic\"}").status()).isEqualTo(401);
    assertThat(http.postJson("/api/v1/users/1/payment-links", TestKeys.RUNNER, "{\"tariff\": \"basic\"}").status())
        .isEqualTo(404);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE user_id = $1", user)).isZero();
  }

  @Test
  @DisplayName("10,000 charges crossing two low-balance thresholds send balance.low once per crossing")
  void balanceLowOncePerCrossing() {
    long user = USERS.incrementAndGet();
    Ledgers.seedUser(pool, user, "100");
    runJob("low-balance");
    for (int chunk = 0; chunk < 10; chunk++) {
      StringBuilder body = new StringBuilder();
      for (int i = 0; i < 1000; i++) {
        body.append(new JsonObject().put("event_id", "low-" + user + "-" + chunk + "-" + i).put("user_id", user)
            .put("total_cost", "0.009").put("currency", "RUB").encode()).append('\n');
      }
      assertThat(http.post("/api/v1/track-costs", TestKeys.RUNNER, "application/x-ndjson", body.toString()).status())
          .isEqualTo(200);
      runJob("low-balance");
    }
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("10");
    // Two events were written (synchronously, with the jobs), and each was delivered once.
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM webhook_events WHERE user_id = $1 AND type = 'balance.low'",
        user)).isEqualTo(2);
    Eventually.equals(() -> Ledgers.count(pool, "SELECT count(*) FROM webhook_events WHERE user_id = $1 "
        + "AND type = 'balance.low' AND status = 'delivered' AND attempts = 1", user), 2, 20);
    Eventually.equals(() -> low(user).size(), 2, 20);
    assertThat(low(user)).extracting(d -> d.event().getJsonObject("data").getString("threshold"))
        .containsExactly("50", "20");
    assertThat(low(user)).allMatch(Delivery::signatureValid);
  }

  @Test
  @DisplayName("Failed events are listed and sent again through the admin API")
  void failedListedAndRetried() {
    long user = USERS.incrementAndGet();
    Ledgers.seedUser(pool, user, "0");
    String id = "evt_" + "0".repeat(31) + (user % 10);
    Http.await(pool.preparedQuery("""
        INSERT INTO webhook_events (user_id, id, type, dedup_key, body, status, attempts, next_attempt_at, last_status,
          created_at) VALUES ($1, $2, 'user.created', $3, $4, 'failed', 15, now(), 500, now())""")
        .execute(io.vertx.sqlclient.Tuple.of(user, id, "test:" + user, new JsonObject().put("id", id)
            .put("type", "user.created").put("data", new JsonObject().put("user_id", user)).encode())));
    Http.Response failed = http.get("/admin/api/v1/webhook-deliveries?status=failed", TestKeys.ADMIN);
    assertThat(failed.status()).isEqualTo(200);
    assertThat(failed.json().getJsonArray("deliveries").stream().map(o -> ((JsonObject) o).getString("id")))
        .contains(id);
    assertThat(http.postJson("/admin/api/v1/webhook-deliveries/" + id + "/retry", TestKeys.ADMIN, "").status())
        .isEqualTo(202);
    Eventually.equals(() -> receiver.deliveries().stream().filter(d -> id.equals(d.eventId())).count(), 1, 20);
    assertThat(http.postJson("/admin/api/v1/webhook-deliveries/" + id + "/retry", TestKeys.ADMIN, "").status())
        .isEqualTo(409);
    assertThat(http.postJson("/admin/api/v1/webhook-deliveries/evt_" + "f".repeat(32) + "/retry", TestKeys.ADMIN, "")
        .status()).isEqualTo(404);
    assertThat(http.get("/admin/api/v1/webhook-deliveries?status=lost", TestKeys.ADMIN).status()).isEqualTo(400);
    assertThat(http.get("/admin/api/v1/webhook-deliveries", null).status()).isEqualTo(401);
  }

  private static List<Delivery> created(JsonObject user) {
    return receiver.of("user.created").stream()
        .filter(d -> d.event().getJsonObject("data").getLong("user_id").equals(user.getLong("id"))).toList();
  }

  private static List<Delivery> paid(long invId) {
    return receiver.of("payment.succeeded").stream()
        .filter(d -> d.event().getJsonObject("data").getLong("inv_id") == invId).toList();
  }

  private static List<Delivery> low(long user) {
    return receiver.of("balance.low").stream()
        .filter(d -> d.event().getJsonObject("data").getLong("user_id") == user).toList();
  }

  static JobSummary runJob(String name) {
    return Http.await(service.app().services().timerJob(name).run());
  }
}

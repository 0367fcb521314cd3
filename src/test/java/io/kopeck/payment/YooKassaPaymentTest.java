package io.kopeck.payment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.Invoices;
import io.kopeck.common.JobSummary;
import io.kopeck.common.TimerJob;
import io.kopeck.testsupport.BotChat;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.FakeTelegram.Call;
import io.kopeck.testsupport.FakeYooKassa;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.kopeck.testsupport.Updates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * YooKassa end to end (SPEC §13): the whole service on a real PostgreSQL, the bot through a fake Bot
 * API, and a fake YooKassa speaking its REST wire format (Basic auth, Idempotence-Key replay, error
 * bodies). Receipts are on (YOOKASSA_VAT_CODE), so the bot asks the e-mail once. The ledger
 * invariants are checked after every test.
 */
class YooKassaPaymentTest {
  static final String NOTIFY = "/payments/yookassa/notify";
  static final MutableClock CLOCK = new MutableClock(Instant.now());

  private static final FakeTelegram telegram = new FakeTelegram();
  private static final FakeYooKassa yooKassa = new FakeYooKassa();
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(settings(), CLOCK);
  private static Pool pool;
  private static Http http;
  private static Invoices invoices;
  private static YooKassaPayments payments;
  private static BotChat chat;

  static Map<String, String> settings() {
    Map<String, String> settings = new HashMap<>(yooKassa.settings());
    settings.putAll(Map.of("TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN, "TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET,
        "TELEGRAM_API_URL", telegram.url(), "PUBLIC_BASE_URL", "https://kopeck.example",
        "PAYMENT_PROVIDERS", "yookassa,stars", "YOOKASSA_VAT_CODE", "1", "ADMIN_API_KEY", TestKeys.ADMIN,
        "TELEGRAM_RATE_PER_CHAT", "50"));
    return settings;
  }

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
    invoices = service.app().services().invoices();
    payments = service.app().services().payment().yooKassa().orElseThrow();
    chat = new BotChat(telegram, http, TestKeys.WEBHOOK_SECRET);
  }

  @AfterAll
  static void stop() {
    telegram.close();
    yooKassa.close();
  }

  private static Call say(JsonObject user, String text, String expected) {
    return chat.say(user, text, expected);
  }

  private static Call press(JsonObject user, int messageId, String data, String method, String expected) {
    return chat.press(user, messageId, data, method, expected);
  }

  private static Http.Response notify(JsonObject body) {
    return http.post(NOTIFY, null, "application/json", body.encode());
  }

  /** A user with a pending YooKassa invoice whose payment YooKassa made; returns the payment id. */
  private static String payment(long userId) {
    Http.await(pool.preparedQuery("INSERT INTO users (id, first_name, email) VALUES ($1, 'Ю', 'pay@example.com') "
        + "ON CONFLICT DO NOTHING").execute(Tuple.of(userId)));
    Invoice invoice = Http.await(invoices.forTariff(userId, "basic", null, "yookassa"));
    Http.await(payments.checkout(invoice, "Kopeck: Базовый", "pay@example.com"));
    return Http.await(invoices.byInvId(invoice.invId())).providerPaymentId();
  }

  private static JobSummary recheck() {
    TimerJob job = payments.recheckJob();
    return Http.await(job.run());
  }

  private static long count(String sql, Object... params) {
    return Ledgers.count(pool, sql, params);
  }

  /** What every refused request must leave untouched. */
  private static List<Long> writes() {
    return List.of(count("SELECT count(*) FROM payments"), count("SELECT count(*) FROM audit_log"),
        count("SELECT count(*) FROM transactions"), count("SELECT count(*) FROM invoices WHERE status <> 'pending'"));
  }

  @Test
  @DisplayName("purchase through the bot: Card → e-mail asked once → YooKassa payment with a receipt → "
      + "notification re-fetched → credited, notices; a second tap makes no second payment")
  void purchase() {
    JsonObject user = Updates.user(901, "Юля", null, "ru");
    say(user, "/start", "Привет");
    Call tariffs = say(user, "/tariffs", "Тарифы");
    Call preview = press(user, tariffs.messageId(), "1:tar:basic", "editMessageText", "Счёт №");
    long invId = Long.parseLong(preview.buttons().get(2).split(":")[2]);
    assertThat(preview.buttons()).containsExactly("1:pay:" + invId + ".y", "1:pay:" + invId + ".s",
        "1:ipr:" + invId, "1:icn:" + invId);

    int made = yooKassa.created().size();
    press(user, preview.messageId(), "1:pay:" + invId + ".y", "sendMessage", "электронная почта");
    say(user, "not an address", "не похоже на адрес");
    Call link = say(user, "yulia@example.com", "оплатите по кнопке");
    assertThat(yooKassa.created()).hasSize(made + 1);
    JsonObject request = yooKassa.created().get(made);
    String paymentId = Http.await(invoices.byInvId(invId)).providerPaymentId();
    assertThat(link.buttons()).containsExactly(yooKassa.payment(paymentId).getJsonObject("confirmation")
        .getString("confirmation_url"));
    assertThat(request.getJsonObject("amount")).isEqualTo(new JsonObject().put("value", "199.00").put("currency", "RUB"));
    assertThat(request.getBoolean("capture")).isTrue();
    assertThat(request.getJsonObject("confirmation").getString("return_url"))
        .isEqualTo("https://kopeck.example/payments/yookassa/return?inv_id=" + invId);
    assertThat(request.getJsonObject("metadata")).isEqualTo(new JsonObject().put("inv_id", Long.toString(invId))
        .put("user_id", "901"));
    assertThat(request.getJsonObject("receipt").getJsonObject("customer").getString("email"))
        .isEqualTo("yulia@example.com");
    assertThat(request.getJsonObject("receipt").getJsonArray("items").getJsonObject(0).getInteger("vat_code"))
        .isEqualTo(1);

    Call again = press(user, preview.messageId(), "1:pay:" + invId + ".y", "sendMessage", "оплатите по кнопке");
    assertThat(again.buttons()).isEqualTo(link.buttons());
    assertThat(yooKassa.created()).hasSize(made + 1);

    yooKassa.succeed(paymentId);
    Http.Response answer = notify(yooKassa.notification("payment.succeeded", paymentId));
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().getString("status")).isEqualTo("credited");
    assertThat(Ledgers.balance(pool, 901)).isEqualByComparingTo("200");
    telegram.awaitOne("sendMessage", 901, c -> c.text().contains("Оплата по счёту №" + invId + " получена: 199,00 ₽"));
    assertThat(count("SELECT count(*) FROM payments WHERE provider = 'yookassa' AND provider_payment_id = $1 "
        + "AND status = 'credited'", paymentId)).isEqualTo(1);

    Call preview2 = press(user, say(user, "/tariffs", "Тарифы").messageId(), "1:tar:standard", "editMessageText",
        "Счёт №");
    long second = Long.parseLong(preview2.buttons().get(2).split(":")[2]);
    press(user, preview2.messageId(), "1:pay:" + second + ".y", "sendMessage", "оплатите по кнопке");
    assertThat(yooKassa.created()).hasSize(made + 2);
    assertThat(yooKassa.created().get(made + 1).getJsonObject("receipt").getJsonObject("customer").getString("email"))
        .isEqualTo("yulia@example.com");
  }

  @Test
  @DisplayName("a notification is never trusted: YooKassa's answer pending or another amount credits nothing; "
      + "a forged one for an unknown payment is 404 and writes nothing")
  void notificationNotTrusted() {
    String pending = payment(902);
    JsonObject forgedSuccess = yooKassa.notification("payment.succeeded", pending);
    forgedSuccess.getJsonObject("object").put("status", "succeeded").put("paid", true);
    Http.Response answer = notify(forgedSuccess);
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.json().getString("status")).isEqualTo("pending");

    String cheaper = payment(903);
    yooKassa.succeed(cheaper);
    yooKassa.amount(cheaper, "1.00");
    answer = notify(yooKassa.notification("payment.succeeded", cheaper));
    assertThat(answer.json().getString("status")).isEqualTo("mismatch");
    assertThat(count("SELECT count(*) FROM audit_log WHERE action = 'payment.mismatch' AND user_id = 903")).isEqualTo(1);

    List<Long> before = writes();
    Http.Response unknown = notify(yooKassa.notification("payment.succeeded", "2f1a-unknown-payment"));
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getString("error")).isEqualTo("unknown_payment");
    assertThat(writes()).isEqualTo(before);
    assertThat(Ledgers.balance(pool, 902)).isZero();
    assertThat(Ledgers.balance(pool, 903)).isZero();
  }

  @Test
  @DisplayName("50 concurrent identical notifications credit once")
  void concurrentNotifications() {
    String id = payment(904);
    yooKassa.succeed(id);
    List<Future<Http.Response>> sent = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      sent.add(http.send(io.vertx.core.http.HttpMethod.POST, NOTIFY, null, "application/json",
          yooKassa.notification("payment.succeeded", id).encode()));
    }
    Http.await(Future.all(sent));
    List<String> statuses = sent.stream().map(f -> f.result().status() + " " + f.result().json().getString("status"))
        .toList();
    assertThat(statuses).containsOnly("200 credited", "200 duplicate");
    assertThat(statuses).filteredOn(s -> s.endsWith("credited")).hasSize(1);
    assertThat(Ledgers.balance(pool, 904)).isEqualByComparingTo("200");
    assertThat(count("SELECT count(*) FROM transactions WHERE user_id = 904")).isEqualTo(1);
  }

  @Test
  @DisplayName("a lost notification: the re-check timer credits a payment older than two minutes, once")
  void lostNotification() {
    String id = payment(905);
    yooKassa.succeed(id);
    recheck();
    assertThat(Ledgers.balance(pool, 905)).as("younger than two minutes: not checked yet").isZero();
    CLOCK.advance(Duration.ofMinutes(3));
    assertThat(recheck().acted()).isGreaterThanOrEqualTo(1);
    assertThat(Ledgers.balance(pool, 905)).isEqualByComparingTo("200");
    recheck();
    int getsBefore = yooKassa.gets();
    Http.Response late = notify(yooKassa.notification("payment.succeeded", id));
    assertThat(late.json().getString("status")).isEqualTo("duplicate");
    assertThat(yooKassa.gets()).as("SPEC §17: a final payment is answered from the local record").isEqualTo(getsBefore);
    assertThat(count("SELECT count(*) FROM transactions WHERE user_id = 905")).isEqualTo(1);
  }

  @Test
  @DisplayName("payment.canceled cancels the pending invoice (YooKassa's answer says canceled)")
  void canceled() {
    String id = payment(906);
    yooKassa.cancel(id);
    Http.Response answer = notify(yooKassa.notification("payment.canceled", id));
    assertThat(answer.json().getString("status")).isEqualTo("cancelled");
    assertThat(count("SELECT count(*) FROM invoices WHERE provider_payment_id = $1 AND status = 'cancelled'", id))
        .isEqualTo(1);
  }

  @Test
  @DisplayName("refunds: POST /refunds with an Idempotence-Key, the ledger reversed after succeeded; a pending "
      + "refund is finished once YooKassa confirms it (its refund.succeeded notification, re-fetched), once")
  void refunds() {
    String id = payment(907);
    yooKassa.succeed(id);
    notify(yooKassa.notification("payment.succeeded", id));
    long invId = count("SELECT inv_id FROM invoices WHERE provider_payment_id = $1", id);
    Http.Response refund = http.postJson("/admin/api/v1/invoices/" + invId + "/refund", TestKeys.ADMIN, "{}");
    assertThat(refund.status()).isEqualTo(200);
    assertThat(refund.json().getString("status")).isEqualTo("refunded");
    assertThat(Ledgers.balance(pool, 907)).isZero();
    assertThat(yooKassa.refunds()).anyMatch(r -> r.getString("payment_id").equals(id)
        && r.getJsonObject("amount").getString("value").equals("199.00"));

    String slow = payment(908);
    yooKassa.succeed(slow);
    notify(yooKassa.notification("payment.succeeded", slow));
    long slowInv = count("SELECT inv_id FROM invoices WHERE provider_payment_id = $1", slow);
    yooKassa.refundStatus("pending");
    try {
      Http.Response pending = http.postJson("/admin/api/v1/invoices/" + slowInv + "/refund", TestKeys.ADMIN, "{}");
      assertThat(pending.json().getString("status")).isEqualTo("refund_pending");
      assertThat(Ledgers.balance(pool, 908)).isEqualByComparingTo("200");
      Http.Response twice = http.postJson("/admin/api/v1/invoices/" + slowInv + "/refund", TestKeys.ADMIN, "{}");
      assertThat(twice.json().getString("status")).isEqualTo("refund_pending");
      assertThat(yooKassa.refunds()).filteredOn(r -> r.getString("payment_id").equals(slow)).hasSize(1);
    } finally {
      yooKassa.refundStatus("succeeded");
    }
    String refundId = yooKassa.refunds().stream().filter(r -> r.getString("payment_id").equals(slow)).findFirst()
        .orElseThrow().getString("id");
    recheck();
    assertThat(Ledgers.balance(pool, 908)).as("YooKassa has not confirmed yet").isEqualByComparingTo("200");
    yooKassa.refundSucceeds(refundId);
    Http.Response confirmed = notify(new JsonObject().put("type", "notification").put("event", "refund.succeeded")
        .put("object", new JsonObject().put("id", refundId).put("status", "succeeded")));
    assertThat(confirmed.json().getString("status")).isEqualTo("refunded");
    assertThat(Ledgers.balance(pool, 908)).isZero();
    assertThat(count("SELECT count(*) FROM invoices WHERE inv_id = $1 AND status = 'refunded'", slowInv)).isEqualTo(1);
    recheck();
    assertThat(count("SELECT count(*) FROM transactions WHERE user_id = 908 AND type = 'refund'")).isEqualTo(1);
  }

  @Test
  @DisplayName("YooKassa failing (500, then no answer): the notification hears 503 and nothing is written; the "
      + "invoice stays pending and the re-check credits it once YooKassa answers")
  void providerErrors() {
    String id = payment(909);
    yooKassa.succeed(id);
    List<Long> before = writes();
    yooKassa.fail(1, 500);
    Http.Response failed = notify(yooKassa.notification("payment.succeeded", id));
    assertThat(failed.status()).isEqualTo(503);
    assertThat(failed.json().getString("error")).isEqualTo("provider_unavailable");
    yooKassa.hang(true);
    try {
      Http.Response timedOut = notify(yooKassa.notification("payment.succeeded", id));
      assertThat(timedOut.status()).isEqualTo(503);
    } finally {
      yooKassa.hang(false);
    }
    assertThat(writes()).isEqualTo(before);
    assertThat(count("SELECT count(*) FROM invoices WHERE provider_payment_id = $1 AND status = 'pending'", id))
        .isEqualTo(1);

    CLOCK.advance(Duration.ofMinutes(3));
    recheck();
    recheck();
    assertThat(Ledgers.balance(pool, 909)).isEqualByComparingTo("200");
    assertThat(notify(yooKassa.notification("payment.succeeded", id)).json().getString("status"))
        .isEqualTo("duplicate");
    assertThat(count("SELECT count(*) FROM transactions WHERE user_id = 909")).isEqualTo(1);
  }

  @Test
  @DisplayName("hostile notifications: malformed, wrong shape, hostile ids, unknown events, oversized → 4xx, "
      + "nothing written, never 500")
  void hostileNotifications() {
    String id = payment(910);
    yooKassa.succeed(id);
    List<Long> before = writes();
    String big = "{\"type\":\"notification\",\"event\":\"payment.succeeded\",\"object\":{\"id\":\"" + id
        + "\",\"pad\":\"" + "x".repeat(70 * 1024) + "\"}}";
    Map<String, Integer> cases = new java.util.LinkedHashMap<>();
    cases.put("", 400);
    cases.put("not json", 400);
    cases.put("[1,2]", 400);
    cases.put("{}", 400);
    cases.put("{\"type\":\"notification\",\"event\":\"payment.succeeded\"}", 400);
    cases.put("{\"type\":\"notification\",\"event\":\"payment.succeeded\",\"object\":{\"id\":42}}", 400);
    cases.put("{\"type\":\"notification\",\"event\":\"payment.succeeded\",\"object\":{\"id\":\"../../payments\"}}", 400);
    cases.put("{\"type\":\"notification\",\"event\":\"payment.succeeded\",\"object\":{\"id\":\"a\\u0000b\"}}", 400);
    cases.put("{\"type\":\"notification\",\"event\":\"payment.stolen\",\"object\":{\"id\":\"" + id + "\"}}", 400);
    cases.put("{\"type\":\"other\",\"event\":\"payment.succeeded\",\"object\":{\"id\":\"" + id + "\"}}", 400);
    cases.put("{\"type\":\"notification\",\"event\":\"refund.succeeded\",\"object\":{\"id\":\"" + id + "\"}}", 404);
    cases.put(big, 413);
    cases.forEach((body, status) -> {
      Http.Response answer = http.post(NOTIFY, null, "application/json", body);
      assertThat(answer.status()).as(body.length() > 200 ? "oversized body" : body).isEqualTo(status);
      assertThat(answer.body()).contains("\"error\"");
    });
    assertThat(writes()).isEqualTo(before);
    assertThat(Ledgers.balance(pool, 910)).isZero();
  }
}

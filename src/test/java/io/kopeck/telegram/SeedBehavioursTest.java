package io.kopeck.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.BotChat;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.FakeTelegram.Call;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MockPaymentForms;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.kopeck.testsupport.Updates;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The seed system's behaviours its users know (SPEC §14), through the bot, the Runner API and the timer. */
class SeedBehavioursTest {
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-12-01T09:00:00Z"));
  private static final FakeTelegram telegram = new FakeTelegram();
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.ofEntries(
      Map.entry("TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN), Map.entry("TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET),
      Map.entry("TELEGRAM_API_URL", telegram.url()), Map.entry("PUBLIC_BASE_URL", "https://kopeck.example"),
      Map.entry("TELEGRAM_RATE_PER_CHAT", "50"), Map.entry("RUNNER_API_KEYS", TestKeys.RUNNER),
      Map.entry("TOPUP_ACTIVATES_SUBSCRIPTION", "true"), Map.entry("DEFAULT_TARIFF", "standard"),
      Map.entry("LOW_BALANCE_THRESHOLDS", "50,20,10,5")), CLOCK);
  private static Pool pool;
  private static BotChat chat;

  @BeforeAll
  static void start() {
    pool = service.pool();
    chat = new BotChat(telegram, service.http(), TestKeys.WEBHOOK_SECRET);
  }

  @AfterAll
  static void stop() {
    telegram.close();
  }

  private static void runTimers() {
    Http.await(service.app().services().runTimerJobsOnce());
  }

  private static long notices(long user, String kind) {
    return Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = $2", user, kind);
  }

  private static void subscribe(long user, String balance, Duration left) {
    Ledgers.seedUser(pool, user, balance);
    Http.await(pool.preparedQuery("UPDATE users SET subscription_end = $2, language_code = 'ru', "
            + "tariff_id = (SELECT id FROM tariffs WHERE slug = 'standard') WHERE id = $1")
        .execute(Tuple.of(user, OffsetDateTime.now(CLOCK).plus(left).withOffsetSameInstant(ZoneOffset.UTC))));
  }

  @Test
  @DisplayName("at start: the bot's description and short description in ru and en")
  void profile() {
    telegram.await("setMyDescription", c -> "en".equals(c.params().getString("language_code")), 1, 10);
    telegram.await("setMyShortDescription", c -> "ru".equals(c.params().getString("language_code")), 1, 10);
    assertThat(telegram.calls("setMyDescription", c -> true)).extracting(c -> c.params().getString("description"))
        .anyMatch(d -> d.startsWith("Kopeck — баланс токенов"));
  }

  @Test
  @DisplayName("legal pages served and linked from /start, /help and the invoice preview; /sub is /subscription")
  void legalAndAliases() {
    JsonObject user = Updates.user(960001, "Лена", null, "ru");
    Call start = chat.say(user, "/start", "Привет");
    Call help = chat.say(user, "/help", "Команды");
    assertThat(start.text()).contains("<a href=\"https://kopeck.example/legal/offer\">Оферта</a>",
        "https://kopeck.example/legal/privacy");
    assertThat(help.text()).contains("https://kopeck.example/legal/offer");
    Http.Response offer = service.http().get("/legal/offer", null);
    assertThat(offer.status()).isEqualTo(200);
    assertThat(offer.body()).contains("Публичная оферта");
    assertThat(service.http().get("/legal/privacy", null).body()).contains("Политика конфиденциальности");

    Call tariffs = chat.say(user, "/tariffs", "Тарифы");
    Call preview = chat.press(user, tariffs.messageId(), "1:tar:basic", "editMessageText", "Счёт №");
    assertThat(preview.text()).contains("legal/offer");
    String page = service.http().get(MockPaymentForms.pathOf(preview.buttons().get(0)), null).body();
    assertThat(page).contains("href=\"/legal/offer\"");

    assertThat(chat.say(user, "/sub", "Подписка").text()).contains("Подписка");
  }

  @Test
  @DisplayName("Renew now is offered only within 7 days of the end or after it")
  void renewWhenDue() {
    subscribe(960002, "1000", Duration.ofDays(20));
    subscribe(960003, "1000", Duration.ofDays(5));
    Call far = chat.say(Updates.user(960002, "Далеко", null, "ru"), "/subscription", "Подписка");
    Call near = chat.say(Updates.user(960003, "Близко", null, "ru"), "/subscription", "Подписка");
    assertThat(far.buttons()).doesNotContain("1:srn").contains("1:sar:0");
    assertThat(near.buttons()).contains("1:srn");
  }

  @Test
  @DisplayName("one tap on /balance: an invoice for MIN_TOPUP_RUB at once; paid by a user without a subscription, "
      + "it starts one and DEFAULT_TARIFF's fee comes off the tokens (TOPUP_ACTIVATES_SUBSCRIPTION)")
  void quickTopUpActivates() {
    JsonObject user = Updates.user(960004, "Быстро", null, "ru");
    chat.say(user, "/start", "Привет");
    Call balance = chat.say(user, "/balance", "Баланс");
    assertThat(balance.params().getJsonObject("reply_markup").encode()).contains("⚡ Пополнить 200,00 ₽", "1:qtp");
    Call preview = chat.press(user, balance.messageId(), "1:qtp", "sendMessage", "Счёт №");
    assertThat(preview.text()).contains("К оплате: <b>200,00 ₽</b>");
    Http.Response paid = MockPaymentForms.pay(service.http(), preview.buttons().get(0));
    assertThat(paid.status()).isEqualTo(303);
    // 200 tokens < the 400-token fee of standard: credited only, no subscription
    assertThat(Ledgers.balance(pool, 960004)).isEqualByComparingTo("200");

    var invoice = Http.await(service.app().services().invoices().forAmount(960004, new java.math.BigDecimal("500"),
        null));
    assertThat(MockPaymentForms.pay(service.http(), invoice.paymentUrl()).status()).isEqualTo(303);
    assertThat(Ledgers.balance(pool, 960004)).isEqualByComparingTo("300");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = 960004 AND type = 'subscription' "
        + "AND tokens_delta = -400 AND idempotency_key LIKE 'activation:%'")).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = 960004 AND subscription_end > $1",
        OffsetDateTime.now(CLOCK).plusDays(27))).isEqualTo(1);
    telegram.awaitOne("sendMessage", 960004, c -> c.text().contains("400 токенов — абонплата"));
  }

  @Test
  @DisplayName("expiry notices state the balance and whether it covers the renewal, or how much is missing")
  void expiryNoticeSufficiency() {
    subscribe(960005, "50", Duration.ofHours(20));
    subscribe(960006, "1000", Duration.ofHours(20));
    runTimers();
    telegram.awaitOne("sendMessage", 960005, c -> c.text().contains("на продление (400 токенов) не хватает 350 токенов"));
    telegram.awaitOne("sendMessage", 960006, c -> c.text().contains("хватает на продление (400 токенов)"));
  }

  @Test
  @DisplayName("LOW_BALANCE_THRESHOLDS 50,20,10,5: each tier crossed downward once (one notice for the lowest), "
      + "re-armed when the balance rises above it")
  void lowBalanceTiers() {
    long user = 960007;
    Ledgers.seedUser(pool, user, "100");
    runTimers(); // 100: above every tier, all armed
    Ledgers.post(pool, user, "-55");
    runTimers(); // 45: tier 50
    Ledgers.post(pool, user, "-30");
    runTimers(); // 15: tier 20
    Ledgers.seedUser(pool, user, "1");
    runTimers(); // 16: nothing new
    Ledgers.post(pool, user, "-12");
    runTimers(); // 4: tiers 10 and 5 at once → one notice, tier 5
    Ledgers.seedUser(pool, user, "56");
    runTimers(); // 60: re-armed
    Ledgers.post(pool, user, "-30");
    runTimers(); // 30: tier 50 again
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'low_balance'",
        user)).isEqualTo(4);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE user_id = $1 AND kind = 'low_balance' "
        + "AND args->>'threshold' IN ('50', '20', '5')", user)).isEqualTo(4);
  }

  @Test
  @DisplayName("the daily limit: a spend past it is 403 daily_limit_reached; usage still charged; one notice a day")
  void dailyLimit() {
    long user = 960008;
    Ledgers.seedUser(pool, user, "1000");
    Http.await(pool.preparedQuery("UPDATE users SET daily_spend_limit = 10, language_code = 'ru' WHERE id = $1")
        .execute(Tuple.of(user)));
    Http.Response first = service.http().postJson("/api/v1/users/" + user + "/spend", TestKeys.RUNNER,
        "{\"amount\": \"8\", \"idempotency_key\": \"lim-1\"}");
    Http.Response over = service.http().postJson("/api/v1/users/" + user + "/spend", TestKeys.RUNNER,
        "{\"amount\": \"3\", \"idempotency_key\": \"lim-2\"}");
    assertThat(first.status()).isEqualTo(200);
    assertThat(over.status()).isEqualTo(403);
    assertThat(over.json().getString("error")).isEqualTo("daily_limit_reached");
    Http.Response usage = service.http().postJson("/api/v1/track-costs", TestKeys.RUNNER, new JsonObject()
        .put("event_id", "lim-usage-1").put("user_id", user).put("total_cost", "1").put("currency", "RUB").encode());
    assertThat(usage.status()).isEqualTo(200);
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("988.86");

    runTimers();
    runTimers();
    assertThat(notices(user, "daily_limit")).isEqualTo(1);
    CLOCK.advance(Duration.ofDays(1));
    try {
      runTimers();
      assertThat(notices(user, "daily_limit")).as("a new day, nothing spent yet").isEqualTo(1);
      service.http().postJson("/api/v1/track-costs", TestKeys.RUNNER, new JsonObject().put("event_id", "lim-usage-2")
          .put("user_id", user).put("total_cost", "4").put("currency", "RUB").encode());
      runTimers();
      assertThat(notices(user, "daily_limit")).isEqualTo(2);
    } finally {
      CLOCK.advance(Duration.ofDays(-1));
    }
    telegram.awaitOne("sendMessage", user, c -> c.text().contains("Дневной лимит 10 токенов исчерпан"));
  }
}

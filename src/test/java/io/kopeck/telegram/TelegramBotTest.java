package io.kopeck.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.catalog.PromoCodes;
import io.kopeck.common.StrictJson;
import io.kopeck.testsupport.BotChat;
import io.kopeck.testsupport.CapturedLogs;
import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.FakeTelegram.Call;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MockPaymentForms;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.kopeck.testsupport.Updates;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The bot end to end: updates posted to the webhook, a real PostgreSQL, and a fake Telegram Bot
 * API recording every call the service makes.
 */
class TelegramBotTest {
  static final String SECRET = TestKeys.WEBHOOK_SECRET;
  static final long ADMIN = 900;

  private static final FakeTelegram telegram = new FakeTelegram();
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN,
      "TELEGRAM_WEBHOOK_SECRET", SECRET, "TELEGRAM_API_URL", telegram.url(), "PUBLIC_BASE_URL", "https://kopeck.example",
      "ADMIN_CHAT_IDS", Long.toString(ADMIN), "TELEGRAM_RATE_PER_CHAT", "20", "SUPPORT_USERNAME", "kopeck_help",
      "RUNNER_API_KEYS", TestKeys.RUNNER, "COST_MESSAGE_WINDOW_MS", "300"));
  private static Pool pool;
  private static Http http;
  private static BotChat chat;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
    chat = new BotChat(telegram, http, SECRET, TelegramBotTest::transcribe);
    PromoCodes promos = new PromoCodes(pool, Clock.systemUTC());
    Http.await(promos.create(StrictJson.readObject(
        "{\"code\": \"SAVE10\", \"discount_type\": \"percent\", \"discount_value\": 10}"), Actor.SYSTEM));
    Http.await(promos.create(StrictJson.readObject(
        "{\"code\": \"TRIAL8\", \"discount_type\": \"trial\", \"tariff\": \"trial\"}"), Actor.SYSTEM));
  }


  @AfterAll
  static void stop() {
    telegram.close();
  }

  /** Presses a button and returns the text its answerCallbackQuery carried (null: none). */
  private static String pressAnswer(JsonObject user, int messageId, String data) {
    int before = telegram.calls().size();
    post(Updates.press(user, messageId, data));
    return telegram.awaitAnswer(c -> telegram.calls().indexOf(c) >= before).params().getString("text");
  }

  /** While set, the purchase conversation is written down, both directions, for the issue note. */
  private static List<String> transcript;
  private static int transcribed;

  private static void post(JsonObject update) {
    chat.post(update);
  }

  /** The transcript's side of an update: what the person did. */
  private static void transcribe(JsonObject update) {
    if (transcript != null) {
      transcribeCalls();
      JsonObject press = update.getJsonObject("callback_query");
      transcript.add(press != null ? "← button " + press.getString("data")
          : "← text " + update.getJsonObject("message").getString("text"));
    }
  }

  private static Call say(JsonObject user, String text, String expected) {
    return chat.say(user, text, expected);
  }

  private static Call press(JsonObject user, int messageId, String data, String method, String expected) {
    return chat.press(user, messageId, data, method, expected);
  }

  @Test
  @DisplayName("on start: setWebhook with the secret and allowed updates, setMyCommands in ru and en")
  void setup() {
    Call webhook = telegram.await("setWebhook", c -> true, 1, 10).get(0);
    assertThat(webhook.params().getString("url")).isEqualTo("https://kopeck.example/telegram/webhook");
    assertThat(webhook.params().getString("secret_token")).isEqualTo(SECRET);
    assertThat(webhook.params().getValue("allowed_updates").toString()).contains("message", "callback_query",
        "my_chat_member");
    List<Call> commands = telegram.await("setMyCommands", c -> true, 3, 10);
    assertThat(commands).extracting(c -> c.params().getString("language_code")).contains("ru", "en");
    assertThat(commands.stream().map(c -> c.params().getValue("commands").toString()).collect(Collectors.joining()))
        .contains("Баланс и пополнение", "Balance and top-up", "\"tariffs\"");
  }

  @Test
  @DisplayName("/start in ru and en: greeting with the name escaped, main menu; admins hear of the new user once")
  void startCommand() {
    JsonObject anna = Updates.user(701, "Анна", "<b>Smirnova</b>", "ru");
    JsonObject bob = Updates.user(702, "<i>Bob</i> & Co", null, "en-US");

    Call ru = say(anna, "/start", "Привет");
    Call en = say(bob, "/start", "Hi");

    assertThat(ru.text()).startsWith("Привет, Анна!").contains("Баланс: <b>0 токенов</b>");
    assertThat(ru.params().getString("parse_mode")).isEqualTo("HTML");
    assertThat(ru.params().getJsonObject("reply_markup").encode()).contains("💰 Баланс", "📋 Тарифы");
    assertThat(en.text()).startsWith("Hi, &lt;i&gt;Bob&lt;/i&gt; &amp; Co!").contains("Balance: <b>0 tokens</b>");
    assertThat(en.params().getJsonObject("reply_markup").encode()).contains("💰 Balance");
    telegram.awaitOne("sendMessage", ADMIN, c -> c.text().contains("Анна &lt;b&gt;Smirnova&lt;/b&gt;"));
    telegram.awaitOne("sendMessage", ADMIN, c -> c.text().contains("&lt;i&gt;Bob&lt;/i&gt; &amp; Co"));

    say(anna, "/start", "Привет");
    assertThat(telegram.calls("sendMessage", c -> c.chatId() == ADMIN && c.text().contains("<code>701</code>")))
        .hasSize(1);
  }

  @Test
  @DisplayName("a repeated update_id is handled once; a wrong secret is 401 and nothing is handled")
  void duplicatesAndSecret() {
    JsonObject user = Updates.user(703, "Dup", null, "en");
    JsonObject update = Updates.text(user, "/help");
    post(update);
    post(update);
    telegram.awaitOne("sendMessage", 703, c -> c.text().contains("@kopeck_help"));
    Http.Response wrong = Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token",
        "wrong", Updates.text(user, "/balance").encode()));

    assertThat(wrong.status()).isEqualTo(401);
    Http.await(pool.query("SELECT pg_sleep(0.3)").execute());
    assertThat(telegram.calls("sendMessage", c -> c.chatId() == 703)).hasSize(1);
  }

  @Test
  @DisplayName("purchase: /tariffs → tariff → promo code → discounted invoice → mock payment → notice with the new balance")
  void purchaseConversation() throws IOException {
    JsonObject user = Updates.user(704, "Вера", null, "ru");
    transcript = new ArrayList<>();
    transcribed = telegram.calls().size();
    say(user, "/start", "Привет");

    Call tariffs = say(user, "/tariffs", "Тарифы");
    assertThat(tariffs.buttons()).contains("1:tar:basic", "1:tar:standard", "1:tar:pro", "1:amt")
        .doesNotContain("1:tar:trial");
    assertThat(tariffs.text()).contains("<b>Стандарт</b> — 499,00 ₽: 600 токенов, 1 мес.");
    Call preview = press(user, tariffs.messageId(), "1:tar:standard", "editMessageText", "Счёт №");
    assertThat(preview.text()).contains("Стандарт", "Токены: 600 токенов", "К оплате: <b>499,00 ₽</b>");
    long firstInvoice = Long.parseLong(preview.buttons().get(1).split(":")[2]);
    assertThat(preview.buttons()).containsExactly(preview.buttons().get(0), "1:ipr:" + firstInvoice,
        "1:icn:" + firstInvoice);

    press(user, preview.messageId(), "1:ipr:" + firstInvoice, "sendMessage", "Введите промокод для счёта №" + firstInvoice);
    Call refused = say(user, "NOPE", "не найден");
    assertThat(refused.text()).isEqualTo("Промокод <code>NOPE</code> не найден.");
    Call discounted = say(user, "save10", "Счёт №");
    assertThat(discounted.text()).contains("К оплате: <b>449,10 ₽</b>", "Промокод <code>SAVE10</code>: скидка, было 499,00 ₽");
    String payUrl = discounted.buttons().get(0);
    assertThat(payUrl).startsWith("https://kopeck.example/mock-payment?");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE inv_id = $1 AND status = 'cancelled'",
        firstInvoice)).isEqualTo(1);
    // SPEC §17: the replaced invoice's message loses its Pay buttons and names the current one; its page refuses.
    long secondInvoice = Long.parseLong(discounted.text().replaceAll("(?s).*Счёт №(\\d+).*", "$1"));
    Call replacedMessage = telegram.awaitOne("editMessageText", 704, c -> preview.messageId().equals(c.messageId())
        && c.text().contains("заменён"));
    assertThat(replacedMessage.text()).contains("№" + firstInvoice, "№" + secondInvoice);
    assertThat(replacedMessage.buttons()).isEmpty();
    String oldPayUrl = preview.buttons().get(0);
    assertThat(http.get(MockPaymentForms.pathOf(oldPayUrl), null).status()).isEqualTo(409);
    assertThat(http.post("/mock-payment/pay", null, "application/x-www-form-urlencoded",
        MockPaymentForms.pathOf(oldPayUrl).substring(MockPaymentForms.pathOf(oldPayUrl).indexOf('?') + 1)).status())
        .isEqualTo(409);

    transcribeCalls();
    transcript.add("← (the user opens the Pay link and presses Pay on the mock provider's page)");
    assertThat(MockPaymentForms.pay(http, payUrl).status()).isEqualTo(303);

    Call notice = telegram.awaitOne("sendMessage", 704, c -> c.text().contains("Оплата по счёту"));
    assertThat(notice.text()).contains("449,10 ₽", "Начислено 600 токенов", "Баланс: <b>600 токенов</b>", "Подписка до");
    telegram.awaitOne("sendMessage", ADMIN, c -> c.text().contains("Оплата: счёт №") && c.text().contains("704"));
    assertThat(Ledgers.balance(pool, 704)).isEqualByComparingTo("600");
    transcribeCalls();
    Files.createDirectories(Path.of("target"));
    Files.write(Path.of("target", "bot-transcript.txt"), transcript);
    transcript = null;
  }

  /** The calls the fake Bot API received since the last look, for user 704 and button answers. */
  private static void transcribeCalls() {
    List<Call> calls = telegram.calls();
    for (Call call : calls.subList(transcribed, calls.size())) {
      boolean toUser = call.params().containsKey("chat_id") && call.chatId() == 704;
      if (toUser || call.method().equals("answerCallbackQuery")) {
        transcript.add("→ " + call.method() + " " + call.params().encode());
      }
    }
    transcribed = calls.size();
  }

  @Test
  @DisplayName("/promo with a trial code: trial granted and announced; the second attempt is refused")
  void trial() {
    JsonObject user = Updates.user(705, "Trial", null, "en");
    say(user, "/start", "Hi");
    say(user, "/promo", "Enter your promo code");
    post(Updates.text(user, "trial8"));

    Call granted = telegram.awaitOne("sendMessage", 705, c -> c.text().contains("Trial with promo code"));
    assertThat(granted.text()).contains("<code>TRIAL8</code>", "+30 tokens", "subscription until");
    // Admin chats that are not users of the bot read Russian, the default.
    telegram.awaitOne("sendMessage", ADMIN, c -> c.text().contains("Пробный период: пользователь <code>705</code>"));
    assertThat(Ledgers.balance(pool, 705)).isEqualByComparingTo("30");

    say(user, "/promo", "Enter your promo code");
    Call again = say(user, "TRIAL8", "TRIAL8");
    assertThat(again.text()).isEqualTo("You have already used promo code <code>TRIAL8</code>.");
    assertThat(Ledgers.balance(pool, 705)).isEqualByComparingTo("30");
  }

  @Test
  @DisplayName("custom amount: below the minimum and garbage are refused, a valid amount gets its invoice")
  void customAmount() {
    JsonObject user = Updates.user(706, "Amt", null, "ru");
    say(user, "/start", "Привет");
    press(user, 1, "1:amt", "sendMessage", "Введите сумму пополнения в рублях, от 200,00 ₽");

    assertThat(say(user, "150", "Минимальная").text()).startsWith("Минимальная сумма пополнения — 200,00 ₽.");
    assertThat(say(user, "двести", "Не понял").text()).contains("Не понял сумму");
    assertThat(say(user, "1e3", "Не понял").text()).contains("Не понял сумму");
    Call invoice = say(user, "1 250,50", "Счёт №");
    assertThat(invoice.text()).contains("Пополнение баланса", "К оплате: <b>1 250,50 ₽</b>", "1 250,5 токена")
        .doesNotContain("Период");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE user_id = 706 AND amount = 1250.50 "
        + "AND period_unit IS NULL AND status = 'pending'")).isEqualTo(1);
    assertThat(say(user, "300", "Не понял").text()).contains("Не понял"); // the conversation ended with the invoice
  }

  @Test
  @DisplayName("custom amount above MAX_TOPUP_RUB: a friendly refusal, no invoice, no database overflow")
  void customAmountCeiling() {
    JsonObject user = Updates.user(7909, "Big", null, "ru");
    say(user, "/start", "Привет");
    press(user, 1, "1:amt", "sendMessage", "Введите сумму пополнения");

    assertThat(say(user, "999999999999", "Максимальная").text())
        .startsWith("Максимальная сумма пополнения — 100 000,00 ₽.");
    assertThat(say(user, "9 999 999 999,00", "Максимальная").text()).contains("100 000,00 ₽");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE user_id = 7909")).isZero();
  }

  @Test
  @DisplayName("a direct reply answered 429 retry_after 1 is sent again a second later and arrives once")
  void directReplyAfterFlood() {
    JsonObject user = Updates.user(7912, "Flood", null, "ru");
    say(user, "/start", "Привет");
    telegram.flood(7912, 1, 1);
    int before = telegram.calls().size();

    post(Updates.text(user, "/balance"));

    telegram.awaitOne("sendMessage", 7912, c -> telegram.calls().indexOf(c) >= before && c.status() == 200);
    List<Call> attempts = telegram.calls("sendMessage", c -> c.chatId() == 7912 && telegram.calls().indexOf(c) >= before);
    assertThat(attempts).extracting(Call::status).containsExactly(429, 200);
    assertThat(attempts.get(1).atNanos() - attempts.get(0).atNanos()).isGreaterThanOrEqualTo(1_000_000_000L);
    assertThat(attempts.get(1).text()).contains("Баланс");
  }

  @Test
  @DisplayName("malformed updates with the right secret: 200, one WARN line with the update_id, nothing else happens")
  void malformedUpdates() {
    try (CapturedLogs logs = new CapturedLogs(UpdateIntake.class.getName())) {
      int before = telegram.calls().size();
      String nul = Updates.text(Updates.user(7911, "Nul\u0000", null, "ru"), "/start").encode();
      assertThat(nul).contains("Nul\\u0000");
      for (String body : List.of("{\"update_id\":77,\"message\":\"x\"}", "{\"message\":{}}", "[1]", nul)) {
        Http.Response answer = Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token",
            SECRET, body));
        assertThat(answer.status()).as(body).isEqualTo(200);
      }

      JsonObject line = logs.line(l -> l.getString("message", "").startsWith("Malformed Telegram update")
          && Long.valueOf(77).equals(l.getLong("update_id")));
      assertThat(line.getString("level")).isEqualTo("WARN");
      logs.line(l -> l.getString("reason", "").contains("U+0000"));
      assertThat(Ledgers.count(pool, "SELECT count(*) FROM telegram_updates WHERE update_id = 77")).isZero();
      assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = 7911")).as("user 7911").isZero();
      // Other tests' notices may still be on their way to the admin chat; nothing concerns these updates.
      assertThat(telegram.calls().subList(before, telegram.calls().size()))
          .noneMatch(c -> c.params().encode().contains("7911") || c.params().encode().contains("\"77\""));
    }
  }

  @Test
  @DisplayName("/history pages 10 rows at a time with Prev/Next, edited in place; a page past the end is stale")
  void history() {
    JsonObject user = Updates.user(707, "Hist", null, "en");
    say(user, "/start", "Hi");
    for (int i = 1; i <= 23; i++) {
      Ledgers.seedUser(pool, 707, Integer.toString(i));
    }
    Call first = say(user, "/history", "Transactions");
    assertThat(first.text()).contains("(page 1 of 3)", "+23 → 276").doesNotContain("+13 →");
    assertThat(first.text().lines().filter(l -> l.contains("Top-up"))).hasSize(10);
    assertThat(first.buttons()).containsExactly("1:hist:2");

    Call second = press(user, 55, "1:hist:2", "editMessageText", "page 2 of 3");
    assertThat(second.buttons()).containsExactly("1:hist:1", "1:hist:3");
    assertThat(second.text()).contains("+13 → 91", "+4 → 10").doesNotContain("+14 →", "+3 →");
    Call third = press(user, 55, "1:hist:3", "editMessageText", "page 3 of 3");
    assertThat(third.text().lines().filter(l -> l.contains("Top-up"))).hasSize(3);
    assertThat(third.buttons()).containsExactly("1:hist:2");

    assertThat(pressAnswer(user, 55, "1:hist:9")).isEqualTo("This button is out of date; open the screen again.");
  }

  @Test
  @DisplayName("stale and forged buttons: answered with a short notice, nothing changes")
  void staleCallbacks() {
    JsonObject user = Updates.user(708, "Stale", null, "ru");
    say(user, "/start", "Привет");
    Ledgers.seedUser(pool, 708, "5");
    for (String data : List.of("0:bal", "1:icn:999999", "1:hist:abc", "1:tar:gold", "1:sar:7", "x".repeat(80),
        "REPLACE_WITH_CALLBACK_DATA")) {
      assertThat(pressAnswer(user, 9, data)).as(data).isEqualTo("Эта кнопка устарела — откройте экран заново.");
    }
    Http.await(pool.query("SELECT pg_sleep(0.2)").execute());
    assertThat(telegram.calls("editMessageText", c -> c.chatId() == 708)).isEmpty();
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM invoices WHERE user_id = 708")).isZero();
  }

  @Test
  @DisplayName("kicked marks the user bot_blocked; writing again clears it")
  void kicked() throws IOException {
    JsonObject user = Updates.user(700000001, "Анна", null, "ru");
    say(user, "/start", "Привет");
    post(new JsonObject(TelegramWebhookTest.fixture("my_chat_member_kicked.json")));
    eventually("SELECT count(*) FROM users WHERE id = 700000001 AND bot_blocked", 1);
    say(user, "/balance", "Баланс");
    eventually("SELECT count(*) FROM users WHERE id = 700000001 AND NOT bot_blocked", 1);
  }

  @Test
  @DisplayName("/balance with its buttons and Refresh in place; /profile and /me; /help names the support contact")
  void balanceAndProfile() {
    JsonObject user = Updates.user(709, "Пётр", "<Иванов>", "ru");
    say(user, "/start", "Привет");
    Ledgers.seedUser(pool, 709, "1234.5");

    Call balance = say(user, "💰 Баланс", "Баланс");
    assertThat(balance.text()).contains("<b>Баланс: 1 234,5 токена</b>", "Подписка: нет", "Всего пополнено: 1 234,5 токена",
        "Всего потрачено: 0 токенов");
    assertThat(balance.buttons()).containsExactly("1:qtp", "1:topup", "1:amt", "1:promo", "1:hist:1", "1:bal");
    press(user, balance.messageId(), "1:bal", "editMessageText", "Баланс: 1 234,5 токена");
    press(user, balance.messageId(), "1:topup", "editMessageText", "Тарифы");

    Call profile = say(user, "/profile", "Профиль");
    assertThat(profile.text()).contains("Имя: Пётр &lt;Иванов&gt;", "Username: @user709", "ID: <code>709</code>");
    assertThat(say(user, "/me@kopeck_bot", "Профиль").text()).isEqualTo(profile.text());
    assertThat(say(user, "/help", "Команды").text()).contains("/balance", "Поддержка: @kopeck_help");
  }

  @Test
  @DisplayName("/subscription: status, days left, fee; auto-renew toggle and Renew now, refused without funds")
  void subscriptionScreen() {
    JsonObject user = Updates.user(710, "Sub", null, "en");
    say(user, "/start", "Hi");
    Ledgers.seedUser(pool, 710, "500");
    Http.await(pool.query("UPDATE users SET tariff_id = (SELECT id FROM tariffs WHERE slug = 'standard'), "
        + "subscription_end = now() + interval '3 days 1 hour' WHERE id = 710").execute());

    Call screen = say(user, "/subscription", "Subscription");
    assertThat(screen.text()).contains("Status: active until", "Days left: 3", "Auto-renew: on, fee 400 tokens per 1 month",
        "Balance: 500 tokens");
    assertThat(screen.buttons()).containsExactly("1:srn", "1:sar:0", "1:sub");

    Call off = press(user, screen.messageId(), "1:sar:0", "editMessageText", "Auto-renew is off.");
    assertThat(off.buttons()).containsExactly("1:srn", "1:sar:1", "1:sub");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = 710 AND NOT auto_renew")).isEqualTo(1);

    Call renewed = press(user, screen.messageId(), "1:srn", "editMessageText", "Subscription renewed until");
    assertThat(renewed.text()).contains("Balance: 100 tokens.", "Auto-renew: off");
    assertThat(Ledgers.balance(pool, 710)).isEqualByComparingTo("100");
    Call refused = press(user, screen.messageId(), "1:srn", "sendMessage", "Not enough tokens");
    assertThat(refused.text()).isEqualTo("Not enough tokens to renew: 400 tokens needed, 100 tokens on the balance. "
        + "Top up with /tariffs.");
    assertThat(Ledgers.balance(pool, 710)).isEqualByComparingTo("100");
  }

  @Test
  @DisplayName("/settings: cost message format and language; /limit set, refused, cleared; /cancel")
  void settingsAndLimit() {
    JsonObject user = Updates.user(711, "Set", null, "ru");
    say(user, "/start", "Привет");

    Call settings = say(user, "/settings", "Настройки");
    assertThat(settings.text()).contains("Сообщения о стоимости запусков: кратко", "Язык: Русский");
    press(user, settings.messageId(), "1:fmt:detailed", "editMessageText", "подробно");
    Call english = press(user, settings.messageId(), "1:lng:en", "editMessageText", "Settings");
    assertThat(english.text()).contains("Run cost messages: detailed", "Language: English");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = 711 AND cost_message_format = 'detailed' "
        + "AND language_override = 'en'")).isEqualTo(1);
    assertThat(say(user, "/limit", "Daily spending limit").text()).contains("Now: not set", "Spent today: 0 tokens");
    assertThat(say(user, "-5", "positive").text()).isEqualTo("A limit is a positive number of tokens, such as 100 or 250.5.");
    assertThat(say(user, "150,5", "Daily limit").text()).isEqualTo("Daily limit: 150.5 tokens.");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = 711 AND daily_spend_limit = 150.5")).isEqualTo(1);
    Call limit = say(user, "/limit", "Daily spending limit");
    assertThat(limit.buttons()).containsExactly("1:lcl");
    press(user, limit.messageId(), "1:lcl", "editMessageText", "Daily limit cleared.");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = 711 AND daily_spend_limit IS NULL")).isEqualTo(1);

    assertThat(say(user, "/cancel", "Cancelled").text()).isEqualTo("Cancelled."); // the /limit conversation
    assertThat(say(user, "/cancel", "Nothing").text()).isEqualTo("Nothing to cancel.");
    say(user, "/promo", "promo code");
    say(user, "/help", "Commands"); // a command leaves the promo conversation
    assertThat(say(user, "SAVE10", "did not get").text()).isEqualTo("I did not get that. Commands: /help.");
  }

  @Test
  @DisplayName("/promo with a discount code keeps it for the next purchase, which uses it once")
  void savedDiscount() {
    JsonObject user = Updates.user(712, "Disc", null, "ru");
    say(user, "/start", "Привет");
    say(user, "/promo", "Введите промокод");
    assertThat(say(user, "save10", "сохранён").text()).contains("<code>SAVE10</code>");

    Call tariffs = say(user, "/tariffs", "Тарифы");
    Call preview = press(user, tariffs.messageId(), "1:tar:basic", "editMessageText", "Счёт №");
    assertThat(preview.text()).contains("Промокод <code>SAVE10</code>: скидка, было 199,00 ₽", "К оплате: <b>179,10 ₽</b>");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = 712 AND saved_promo_code IS NULL")).isEqualTo(1);
    Call cancelled = press(user, preview.messageId(), preview.buttons().get(1), "editMessageText", "отменён");
    assertThat(cancelled.text()).startsWith("Счёт №");
    assertThat(pressAnswer(user, preview.messageId(), preview.buttons().get(1)))
        .isEqualTo("Эта кнопка устарела — откройте экран заново.");
  }

  @Test
  @DisplayName("/costs: totals, average, last 30 days and the most expensive nodes")
  void costs() throws IOException {
    JsonObject user = Updates.user(713, "Costs", null, "ru");
    say(user, "/start", "Привет");
    assertThat(say(user, "/costs", "Запусков").text()).isEqualTo("Запусков пока не было.");
    Ledgers.seedUser(pool, 713, "100");
    String event = new String(TelegramBotTest.class.getResourceAsStream("/fixtures/runner/track_cost_basic.json")
        .readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).replace("700000001", "713");
    assertThat(http.postJson("/api/v1/track-costs", TestKeys.RUNNER, event).status()).isEqualTo(200);
    assertThat(http.postJson("/api/v1/track-costs", TestKeys.RUNNER, event.replace("task-0001", "task-0002")
        .replace("0.004", "15.45")).status()).isEqualTo(200);

    Call costs = say(user, "/costs", "Расходы");
    assertThat(costs.text()).contains("Всего потрачено: 48,5256 токена", "Запусков: 2", "В среднем за запуск: 24,2628 токена",
        "За последние 30 дней: 48,5256 токена, запусков: 2", "cost_summary: 0,004");
  }

  @Test
  @DisplayName("/admin_stats and /admin_user answer the admins of ADMIN_CHAT_IDS only")
  void adminCommands() {
    JsonObject admin = Updates.user(ADMIN, "Admin", null, "ru");
    JsonObject stranger = Updates.user(714, "Eve", null, "ru");
    say(stranger, "/start", "Привет");
    Ledgers.seedUser(pool, 714, "12.5");

    assertThat(say(stranger, "/admin_stats", "Не понял").text()).isEqualTo("Не понял. Список команд — /help.");
    assertThat(say(stranger, "/admin_user 714", "Не понял").text()).doesNotContain("12,5");
    Call stats = say(admin, "/admin_stats", "Статистика");
    assertThat(stats.text()).contains("Выручка:", "Активных подписок:");
    Call user = say(admin, "/admin_user 714", "Пользователь");
    assertThat(user.text()).contains("<code>714</code>", "Eve @user714", "Баланс: 12,5 токена", "topup  +12,5 → 12,5");
    assertThat(say(admin, "/admin_user", "Использование").text()).isEqualTo("Использование: /admin_user &lt;id&gt;");
    assertThat(say(admin, "/admin_user 99999999", "не найден").text()).isEqualTo("Пользователь 99999999 не найден.");
  }

  private static void eventually(String sql, long expected) {
    Eventually.equals(() -> Ledgers.count(pool, sql), expected, 5);
  }
}

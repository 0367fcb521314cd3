package io.kopeck.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.CapturedLogs;
import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** The webhook intake with the Telegram fixtures (shared/fixtures/telegram, copied into the test resources). */
class TelegramWebhookTest {
  static final String SECRET = TestKeys.WEBHOOK_SECRET;

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("TELEGRAM_WEBHOOK_SECRET", SECRET));
  private static Pool pool;
  private static Http http;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
  }


  static String fixture(String name) throws IOException {
    try (InputStream in = TelegramWebhookTest.class.getResourceAsStream("/fixtures/telegram/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }

  /** Handling is asynchronous: wait for its effect, a bounded number of database polls. */
  private static void eventually(BooleanSupplier condition) {
    assertThat(Eventually.until(condition::getAsBoolean, reached -> reached, 5)).as("condition reached").isTrue();
  }

  private static long count(String sql) {
    return Ledgers.count(pool, sql);
  }

  @Test
  @DisplayName("without the secret, or with a wrong one, the answer is 401 and nothing is recorded or handled")
  void secret() throws IOException {
    Http.Response none = http.postJson("/telegram/webhook", null, fixture("message_start_en.json"));
    Http.Response wrong = Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token",
        "hook-s3creT", fixture("message_start_en.json")));

    assertThat(none.status()).isEqualTo(401);
    assertThat(wrong.status()).isEqualTo(401);
    assertThat(count("SELECT count(*) FROM telegram_updates WHERE update_id = 910000002")).isZero();
    assertThat(count("SELECT count(*) FROM users WHERE id = 700000002")).isZero();
  }

  @Test
  @DisplayName("/start registers the user with their names and language, answered 200 at once")
  void startCommand() throws IOException {
    Http.Response answer = Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token",
        SECRET, fixture("message_start.json")));

    assertThat(answer.status()).isEqualTo(200);
    eventually(() -> count("SELECT count(*) FROM users WHERE id = 700000001 AND first_name = 'Анна' "
        + "AND last_name = '<b>Smirnova</b>' AND username = 'anna_s' AND language_code = 'ru'") == 1);
  }

  @Test
  @DisplayName("kicked marks the user bot_blocked, member clears it, and a repeated update_id is handled once")
  void blockedAndDeduplicated() throws IOException {
    String kicked = fixture("my_chat_member_kicked.json").replace("700000001", "700000009");
    String member = kicked.replace("910000005", "910000015").replace("\"status\": \"kicked\"", "\"status\": \"member\"");
    Http.await(pool.query("INSERT INTO users (id) VALUES (700000009)").execute());

    Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token", SECRET, kicked));
    eventually(() -> count("SELECT count(*) FROM users WHERE id = 700000009 AND bot_blocked") == 1);
    Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token", SECRET, member));
    eventually(() -> count("SELECT count(*) FROM users WHERE id = 700000009 AND NOT bot_blocked") == 1);
    Http.Response replay = Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token",
        SECRET, kicked));
    // A later update is handled after the replay would have been: it proves the replay was not.
    Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token", SECRET,
        fixture("message_start.json").replace("910000001", "910000021").replace("700000001", "700000009")));
    eventually(() -> count("SELECT count(*) FROM users WHERE id = 700000009 AND first_name = 'Анна'") == 1);

    assertThat(replay.status()).isEqualTo(200);
    assertThat(count("SELECT count(*) FROM users WHERE id = 700000009 AND NOT bot_blocked")).isEqualTo(1);
    assertThat(count("SELECT count(*) FROM telegram_updates WHERE update_id IN (910000005, 910000015)")).isEqualTo(2);
  }

  @Test
  @DisplayName("without a bot token the bot is offline: the greeting it would send is logged, not sent")
  void offline() throws IOException {
    try (CapturedLogs logs = new CapturedLogs("io.kopeck.botapi.BotApi")) {
      Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token", SECRET,
          fixture("message_start_en.json").replace("910000002", "910000031").replace("700000002", "700000012")));

      JsonObject line = logs.line(l -> "sendMessage".equals(l.getString("method")));
      assertThat(line.getString("message")).startsWith("Offline, not sent");
      assertThat(line.getValue("parameters").toString()).contains("Hi, ");
    }
  }

  @Test
  @DisplayName("edited messages and group messages are acknowledged and ignored; so is a malformed body (SPEC §11: "
      + "200, a WARN line, nothing else)")
  void ignoredAndInvalid() throws IOException {
    Http.Response edited = Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token",
        SECRET, fixture("edited_message.json")));
    Http.Response group = Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token",
        SECRET, fixture("group_message.json")));
    Http.Response invalid = Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token",
        SECRET, "{\"message\": {}}"));
    Http.Response garbage = Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token",
        SECRET, "not json"));

    assertThat(edited.status()).isEqualTo(200);
    assertThat(group.status()).isEqualTo(200);
    assertThat(invalid.status()).isEqualTo(200);
    assertThat(garbage.status()).isEqualTo(200);
    assertThat(count("SELECT count(*) FROM users WHERE id = 700000003")).isZero();
    assertThat(count("SELECT count(*) FROM telegram_updates WHERE update_id IN (910000006, 910000007)")).isEqualTo(2);
  }
}

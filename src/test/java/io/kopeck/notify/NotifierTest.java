package io.kopeck.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Application;
import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.FakeTelegram.Call;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.TestKeys;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The outbox sender against a fake Telegram: flood control, blocked users, the per-chat rate,
 * two instances sharing one outbox, and the coalesced per-run cost messages.
 */
class NotifierTest {
  static final int PER_CHAT = 20;
  static final Map<String, String> SETTINGS = Map.of("TELEGRAM_RATE_PER_CHAT", Integer.toString(PER_CHAT),
      "TELEGRAM_RATE_GLOBAL", "200", "TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET, "RUNNER_API_KEYS", TestKeys.RUNNER,
      "COST_MESSAGE_WINDOW_MS", "400");

  private static final FakeTelegram telegram = new FakeTelegram();
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(withTelegram(SETTINGS));
  private static Pool pool;

  @BeforeAll
  static void start() {
    pool = service.pool();
  }

  @AfterAll
  static void stop() {
    telegram.close();
  }

  private static Map<String, String> withTelegram(Map<String, String> settings) {
    Map<String, String> all = new HashMap<>(settings);
    all.put("TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN);
    all.put("TELEGRAM_API_URL", telegram.url());
    return all;
  }

  /** Queues a low-balance notice for {@code chat}, as a job would in its transaction. */
  private static void queue(long chat, String dedupKey) {
    Http.await(pool.preparedQuery("""
        INSERT INTO notifications (user_id, chat_id, kind, template, args, dedup_key)
        VALUES ($1, $1, 'low_balance', 'balance.low', '{"balance": "4.5", "threshold": "10"}', $2)""")
        .execute(Tuple.of(chat, dedupKey)));
  }

  @Test
  @DisplayName("429 with retry_after: the sender waits, retries, and the message is delivered exactly once")
  void floodControl() {
    Ledgers.seedUser(pool, 801, "0");
    telegram.flood(801, 1, 1);
    queue(801, "flood-1");

    Eventually.equals(() -> telegram.delivered(801).size(), 1, 15);
    List<Call> attempts = telegram.calls("sendMessage", c -> c.chatId() == 801);
    assertThat(attempts).extracting(Call::status).containsExactly(429, 200);
    assertThat(attempts.get(1).atNanos() - attempts.get(0).atNanos()).isGreaterThanOrEqualTo(1_000_000_000L);
    assertThat(attempts.get(1).text()).isEqualTo("🔋 На балансе осталось 4,5 токена (меньше 10 токенов). Пополнить — /balance.");
    // Telegram has the message a moment before the sender records it as sent.
    Eventually.equals(() -> Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE chat_id = 801 "
        + "AND status = 'sent' AND attempts = 1"), 1, 5);
    Http.await(pool.query("SELECT pg_sleep(0.5)").execute());
    assertThat(telegram.delivered(801)).hasSize(1);
  }

  @Test
  @DisplayName("403: the user is marked bot_blocked, their pending messages dropped, nothing more is sent")
  void blockedByUser() {
    Ledgers.seedUser(pool, 802, "0");
    telegram.block(802);
    for (int i = 0; i < 3; i++) {
      queue(802, "blocked-" + i);
    }

    Eventually.equals(() -> Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE chat_id = 802 AND status = 'dropped'"),
        3, 15);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = 802 AND bot_blocked")).isEqualTo(1);
    assertThat(telegram.calls("sendMessage", c -> c.chatId() == 802)).hasSize(1);
    queue(802, "blocked-later");
    Eventually.equals(() -> Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE chat_id = 802 AND status = 'dropped'"),
        4, 15);
    assertThat(telegram.calls("sendMessage", c -> c.chatId() == 802)).hasSize(1);
  }

  @Test
  @DisplayName("100 messages to one chat: all delivered, never more than TELEGRAM_RATE_PER_CHAT in any second")
  void perChatRate() {
    Ledgers.seedUser(pool, 803, "0");
    for (int i = 0; i < 100; i++) {
      queue(803, "burst-" + i);
    }

    Eventually.equals(() -> telegram.delivered(803).size(), 100, 30);
    List<Call> sent = telegram.delivered(803);
    for (int i = 0; i + PER_CHAT < sent.size(); i++) {
      long window = sent.get(i + PER_CHAT).atNanos() - sent.get(i).atNanos();
      assertThat(window).as("time taken by messages %d..%d", i, i + PER_CHAT).isGreaterThanOrEqualTo(950_000_000L);
    }
  }

  @Test
  @DisplayName("two sender instances on one outbox: 300 messages, each delivered exactly once")
  void twoInstances() {
    Application second = TestApp.start(service.db(), withTelegram(SETTINGS));
    try {
      for (long chat = 10_000; chat < 10_300; chat++) {
        queue(chat, "pair");
      }
      Eventually.equals(() -> Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE chat_id >= 10000 "
          + "AND chat_id < 10300 AND status = 'sent'"), 300, 30);
    } finally {
      second.stop();
    }
    List<Call> sent = telegram.calls("sendMessage", c -> c.chatId() >= 10_000 && c.chatId() < 10_300);
    assertThat(sent).hasSize(300);
    assertThat(sent.stream().map(Call::chatId).distinct()).hasSize(300);
  }

  @Test
  @DisplayName("run costs: runs within the window become one message per user, in the format each chose")
  void coalescedRunCosts() throws IOException {
    Ledgers.seedUser(pool, 804, "100");
    Ledgers.seedUser(pool, 805, "100");
    Ledgers.seedUser(pool, 806, "100");
    Http.await(pool.query("UPDATE users SET cost_message_format = 'detailed' WHERE id = 804").execute());
    Http.await(pool.query("UPDATE users SET cost_message_format = 'off' WHERE id = 805").execute());
    String basic = fixture("track_cost_basic.json").replace("\n", "");
    String stream = String.join("\n", basic.replace("task-0001", "r-1").replace("700000001", "804"),
        basic.replace("task-0001", "r-2").replace("700000001", "804"),
        basic.replace("task-0001", "r-3").replace("700000001", "804").replace("0.004", "15.45"),
        basic.replace("task-0001", "r-4").replace("700000001", "805"),
        fixture("track_cost_free.json").replace("\n", "").replace("700000001", "806"));
    Http.Response answer = service.http().post("/api/v1/track-costs", TestKeys.RUNNER, "application/x-ndjson",
        stream + "\n");
    assertThat(answer.status()).isEqualTo(200);
    assertThat(answer.body()).doesNotContain("rejected");

    Call detailed = telegram.awaitOne("sendMessage", 804, c -> true);
    assertThat(detailed.text()).startsWith("✅ Готово: запусков: 3. Списано 48,5382 токена (15,458 ₽).")
        .contains("Вызовов API: 9, токенов модели: 498.", "Prompt: 228, completion: 270.", "По узлам (₽):\n• cost_summary: 0,006\n• farewell: 0,003\n• greeting: 0,003");
    Call free = telegram.awaitOne("sendMessage", 806, c -> true);
    assertThat(free.text()).isEqualTo("✅ Готово: запуск «apply». Бесплатно: запросы из бесплатного лимита.\n"
        + "Вызовов API: 2, токенов модели: 70.");
    Http.await(pool.query("SELECT pg_sleep(1)").execute());
    assertThat(telegram.calls("sendMessage", c -> c.chatId() == 804)).hasSize(1);
    assertThat(telegram.calls("sendMessage", c -> c.chatId() == 805)).isEmpty();
    Ledgers.assertConsistent(pool);
  }

  @Test
  @DisplayName("other failures back off 5, 10, 20, 40 s on the business clock, then give up; a recovery delivers once")
  void backoffThenGiveUp() {
    // A business clock years ahead: rows due at its time are not due for the instance on the real clock.
    MutableClock clock = new MutableClock(Instant.parse("2031-01-01T09:00:00Z"));
    Application app = TestApp.start(service.db(), withTelegram(SETTINGS), clock);
    try {
      Ledgers.seedUser(pool, 820, "0");
      Ledgers.seedUser(pool, 821, "0");
      telegram.outage(820, 10);
      telegram.outage(821, 1);
      Http.await(pool.preparedQuery("""
          INSERT INTO notifications (user_id, chat_id, kind, template, args, dedup_key, next_attempt_at)
          SELECT c, c, 'low_balance', 'balance.low', '{"balance": "1", "threshold": "10"}', 'outage', $1
          FROM unnest(ARRAY[820, 821]::bigint[]) AS c""")
          .execute(Tuple.of(OffsetDateTime.now(clock))));

      for (int attempt = 1; attempt < NotifierVerticle.MAX_ATTEMPTS; attempt++) {
        int expected = attempt;
        Eventually.equals(() -> telegram.calls("sendMessage", c -> c.chatId() == 820).size(), expected, 15);
        // The retry time is written after the answer arrives (until then the row is leased for two
        // minutes): move the clock only once the backoff (at most 40 s here) is recorded.
        OffsetDateTime now = OffsetDateTime.now(clock);
        Eventually.equals(() -> Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE chat_id = 820 "
            + "AND attempts = $1 AND next_attempt_at > $2 AND next_attempt_at <= $3", expected, now,
            now.plusMinutes(1)), 1, 15);
        clock.advance(Duration.ofSeconds(5L << (attempt - 1)));
      }
      Eventually.equals(() -> Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE chat_id = 820 AND status = 'failed' "
          + "AND attempts = 5 AND last_error = '502 Bad Gateway'"), 1, 15);
      clock.advance(Duration.ofHours(1));
      Http.await(pool.query("SELECT pg_sleep(0.5)").execute());
      assertThat(telegram.calls("sendMessage", c -> c.chatId() == 820)).hasSize(5);
      assertThat(telegram.delivered(821)).hasSize(1);
      assertThat(telegram.calls("sendMessage", c -> c.chatId() == 821)).extracting(Call::status).containsExactly(502, 200);
    } finally {
      app.stop();
    }
  }

  private static String fixture(String name) throws IOException {
    try (InputStream in = NotifierTest.class.getResourceAsStream("/fixtures/runner/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    }
  }
}

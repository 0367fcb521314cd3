package io.kopeck.scale;

import static io.kopeck.testsupport.MockPaymentForms.formOf;
import static io.kopeck.testsupport.MockPaymentForms.pathOf;
import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.Invoices;
import io.kopeck.config.KopeckConfig;
import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.FakeTelegram.Call;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MockPaymentForms;
import io.kopeck.testsupport.TestDatabase;
import io.kopeck.testsupport.TestKeys;
import io.kopeck.testsupport.Updates;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import io.vertx.sqlclient.Tuple;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Path;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * Scale-out: two service <em>processes</em> on one database, every request sent to both at once —
 * each charge event, each payment (the mock page's Pay pressed on both), each Telegram update —
 * while both timers renew the same 200 ended subscriptions and both senders drain one outbox into
 * a fake Telegram. Nothing may happen twice.
 */
class TwoProcessesTest {
  static final long ADMIN = 900;
  static final long PAYERS = 1_000;
  static final long RUNNERS = 2_000;
  static final long RENEWING = 3_000;
  static final long NEWCOMERS = 4_000;

  private static TestDatabase db;
  private static FakeTelegram telegram;
  private static final List<Process> processes = new ArrayList<>();
  private static final List<Http> clients = new ArrayList<>();
  private static Vertx vertx;
  private static Pool pool;

  @BeforeAll
  static void start() throws IOException {
    db = TestDatabase.createEmpty();
    telegram = new FakeTelegram();
    List<Integer> ports = List.of(freePort(), freePort());
    for (int i = 0; i < ports.size(); i++) {
      processes.add(serve(ports.get(i), i));
    }
    for (int port : ports) {
      clients.add(awaitReady(port));
    }
    vertx = Vertx.vertx();
    pool = PgBuilder.pool().with(new PoolOptions().setMaxSize(4)).connectingTo(db.url().toConnectOptions())
        .using(vertx).build();
  }

  @AfterAll
  static void stop() throws InterruptedException {
    for (Process process : processes) {
      process.destroy(); // SIGTERM: the graceful path
    }
    for (Process process : processes) {
      process.waitFor(60, TimeUnit.SECONDS);
    }
    clients.forEach(Http::close);
    if (pool != null) {
      Http.await(pool.close());
      Http.await(vertx.close());
    }
    telegram.close();
    db.close();
  }

  private static Map<String, String> env(int port) {
    Map<String, String> env = new HashMap<>();
    env.put("DATABASE_URL", db.url().connectionUri());
    env.put("HTTP_PORT", Integer.toString(port));
    env.put("RUNNER_API_KEYS", TestKeys.RUNNER);
    env.put("ADMIN_API_KEY", TestKeys.ADMIN);
    env.put("ADMIN_CHAT_IDS", Long.toString(ADMIN));
    env.put("TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN);
    env.put("TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET);
    env.put("TELEGRAM_API_URL", telegram.url());
    // Pay may be pressed on either process: both must sign the mock's pages alike.
    env.put("ALLOW_MOCK_PAYMENTS", "true");
    env.put("MOCK_PASSWORD_1", "two-processes-password-1");
    env.put("MOCK_PASSWORD_2", "two-processes-password-2");
    env.put("TELEGRAM_RATE_GLOBAL", "500");
    env.put("TELEGRAM_RATE_PER_CHAT", "20"); // the admin chat gets 50 messages; 1/s would take the test 50 s
    env.put("TIMER_INTERVAL_SECONDS", "1");
    env.put("LOG_LEVEL", "WARN");
    env.put("DB_POOL_SIZE", "6");
    return env;
  }

  private static Process serve(int port, int index) throws IOException {
    String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
    ProcessBuilder builder = new ProcessBuilder(java, "-Xmx384m", "-cp", System.getProperty("java.class.path"),
        "io.kopeck.Main", "serve").redirectErrorStream(true)
        .redirectOutput(new File("target/two-processes-" + index + ".log"));
    builder.environment().keySet().removeIf(k -> k.startsWith("DATABASE_URL") || k.startsWith("LOG_"));
    builder.environment().putAll(env(port));
    return builder.start();
  }

  private static Http awaitReady(int port) {
    Http http = new Http(port);
    boolean ready = Eventually.until(() -> isReady(http), up -> up, 60);
    assertThat(ready).as("service on port %d ready", port).isTrue();
    return http;
  }

  private static boolean isReady(Http http) {
    try {
      return http.get("/ready", null).status() == 200;
    } catch (RuntimeException notListeningYet) {
      return false;
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** The same request to both processes at once; both answers. */
  private static List<Http.Response> both(HttpMethod method, String path, String key, String type, String body) {
    List<Future<Http.Response>> answers = clients.stream().map(c -> c.send(method, path, key, type, body)).toList();
    return answers.stream().map(Http::await).toList();
  }

  private static long count(String sql) {
    return Ledgers.count(pool, sql);
  }

  @Test
  @DisplayName("two processes, every request sent to both: charges, credits, renewals and messages each happen once")
  void nothingTwice() {
    seedRenewals();
    charges();
    payments();
    updates();

    Eventually.equals(() -> count("SELECT count(*) FROM transactions WHERE type = 'subscription'"), 200, 30);
    Eventually.equals(() -> count("SELECT count(*) FROM notifications WHERE status = 'pending'"), 0, 60);
    Http.await(pool.query("SELECT pg_sleep(2)").execute()); // more timer ticks and sender rounds on both

    Ledgers.assertConsistent(pool);
    assertThat(count("SELECT count(*) FROM transactions WHERE type = 'subscription'")).isEqualTo(200);
    for (long user = RENEWING; user < RENEWING + 200; user++) {
      long chat = user;
      assertThat(telegram.delivered(chat)).as("messages to renewed user %d", user).hasSize(1);
    }
    for (long user = PAYERS; user < PAYERS + 20; user++) {
      long chat = user;
      assertThat(telegram.delivered(chat).stream().filter(c -> c.text().contains("Оплата по счёту"))).hasSize(1);
    }
    List<Call> admin = telegram.delivered(ADMIN);
    assertThat(admin.stream().filter(c -> c.text().contains("Оплата: счёт"))).hasSize(20);
    assertThat(admin.stream().filter(c -> c.text().contains("Новый пользователь"))).hasSize(30);
    assertThat(count("SELECT count(*) FROM notifications WHERE status <> 'sent'")).isZero();
    long outboxRows = count("SELECT count(*) FROM notifications");
    long outboxSends = telegram.calls("sendMessage", c -> c.status() == 200 && !c.text().startsWith("Привет")).size();
    assertThat(outboxSends).as("every outbox row sent exactly once").isEqualTo(outboxRows);
  }

  /** 200 subscriptions that ended five minutes ago, balance enough for one renewal. */
  private static void seedRenewals() {
    OffsetDateTime ended = OffsetDateTime.now(ZoneOffset.UTC).minusMinutes(5);
    Http.await(pool.withTransaction(tx -> tx.preparedQuery("""
            INSERT INTO users (id, language_code, token_balance, balance_seq, subscription_end, tariff_id,
                               low_balance_tier)
            SELECT g, 'ru', 1000, 1, $2, (SELECT id FROM tariffs WHERE slug = 'standard'), 0
            FROM generate_series($1::bigint, $1::bigint + 199) g""").execute(Tuple.of(RENEWING, ended))
        .compose(v -> tx.preparedQuery("""
            INSERT INTO transactions (user_id, seq, type, tokens_delta, balance_after, idempotency_key)
            SELECT g, 1, 'topup', 1000, 1000, 'seed' FROM generate_series($1::bigint, $1::bigint + 199) g""")
            .execute(Tuple.of(RENEWING)))));
  }

  /** 50 users × 20 events, each event posted to both processes at once: one charged, one duplicate. */
  private static void charges() {
    for (long user = RUNNERS; user < RUNNERS + 50; user++) {
      Ledgers.seedUser(pool, user, "100");
    }
    Http.await(pool.query("UPDATE users SET cost_message_format = 'off' WHERE id >= " + RUNNERS + " AND id < "
        + (RUNNERS + 50)).execute());
    int charged = 0;
    int duplicates = 0;
    for (int n = 0; n < 20; n++) {
      for (long user = RUNNERS; user < RUNNERS + 50; user++) {
        String event = "{\"event_id\": \"x-" + user + "-" + n + "\", \"user_id\": " + user
            + ", \"total_cost\": 0.5, \"currency\": \"RUB\"}";
        for (Http.Response answer : both(HttpMethod.POST, "/api/v1/track-costs", TestKeys.RUNNER, "application/json", event)) {
          assertThat(answer.status()).isEqualTo(200);
          String status = answer.json().getString("status");
          charged += status.equals("charged") ? 1 : 0;
          duplicates += status.equals("duplicate") ? 1 : 0;
        }
      }
    }
    assertThat(charged).isEqualTo(1000);
    assertThat(duplicates).isEqualTo(1000);
    assertThat(count("SELECT count(*) FROM usage_charges WHERE status = 'charged'")).isEqualTo(1000);
    assertThat(count("SELECT count(*) FROM users WHERE id >= " + RUNNERS + " AND id < " + (RUNNERS + 50)
        + " AND token_balance = 100 - 20 * 1.57")).isEqualTo(50);
  }

  /** 20 invoices, each mock payment page's Pay pressed on both processes: 20 credits. */
  private static void payments() {
    KopeckConfig config = KopeckConfig.load(env(clients.get(0).port()));
    Invoices invoices = MockPaymentForms.invoices(pool, Clock.systemUTC(), config, clients.get(0).port());
    for (long user = PAYERS; user < PAYERS + 20; user++) {
      Ledgers.seedUser(pool, user, "0");
      Invoice invoice = Http.await(invoices.forTariff(user, "basic", null));
      String form = formOf(clients.get(0).get(pathOf(invoice.paymentUrl()), null).body());
      for (Http.Response answer : both(HttpMethod.POST, "/mock-payment/pay", null, "application/x-www-form-urlencoded",
          form)) {
        assertThat(answer.status()).isEqualTo(303);
      }
    }
    assertThat(count("SELECT count(*) FROM transactions WHERE type = 'topup' AND invoice_id IS NOT NULL")).isEqualTo(20);
    assertThat(count("SELECT count(*) FROM invoices WHERE status = 'paid'")).isEqualTo(20);
  }

  /** 30 new people's /start, each update delivered to both processes: 30 greetings, 30 admin notices. */
  private static void updates() {
    for (long user = NEWCOMERS; user < NEWCOMERS + 30; user++) {
      String update = Updates.text(Updates.user(user, "Гость", null, "ru"), "/start").encode();
      for (Future<Http.Response> answer : clients.stream()
          .map(c -> c.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token", TestKeys.WEBHOOK_SECRET, update)).toList()) {
        assertThat(Http.await(answer).status()).isEqualTo(200);
      }
    }
    Eventually.equals(() -> telegram.calls("sendMessage", c -> c.text().startsWith("Привет, Гость")).size(), 30, 30);
    for (long user = NEWCOMERS; user < NEWCOMERS + 30; user++) {
      long chat = user;
      assertThat(telegram.calls("sendMessage", c -> c.chatId() == chat)).hasSize(1);
    }
  }
}

package io.kopeck.devconsole;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Application;
import io.kopeck.config.KopeckConfig;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.TestDatabase;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientResponse;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.util.HashMap;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** SPEC §17: the console never appears in a deployment that looks public, never hands out an operator's secret, never holds up a stop. */
class ConsoleExposureTest {
  private static TestDatabase db;

  @BeforeAll
  static void database() {
    db = TestDatabase.createEmpty();
  }

  @AfterAll
  static void drop() {
    db.close();
  }

  /** The configuration with no DATABASE_URL (the embedded database) and the given settings. */
  private static KopeckConfig embedded(String settings) {
    Map<String, String> env = new HashMap<>();
    for (String pair : settings.isBlank() ? new String[0] : settings.split(" ")) {
      String[] kv = pair.split("=", 2);
      env.put(kv[0], kv[1]);
    }
    return KopeckConfig.load(env);
  }

  @ParameterizedTest(name = "{0} → {1}")
  @DisplayName("DEV_CONSOLE unset on the embedded database: on only when nothing says the deployment is public")
  @CsvSource(delimiter = '|', value = {
      "''|true",
      "PUBLIC_BASE_URL=http://localhost:8080|true",
      "PUBLIC_BASE_URL=https://pay.example.com|false",
      "PAYMENT_PROVIDERS=robokassa ROBOKASSA_MERCHANT_LOGIN=shop ROBOKASSA_PASSWORD_1=p1 ROBOKASSA_PASSWORD_2=p2|false",
      "PAYMENT_PROVIDER=robokassa ROBOKASSA_MERCHANT_LOGIN=shop ROBOKASSA_PASSWORD_1=p1 ROBOKASSA_PASSWORD_2=p2|false",
      "PAYMENT_PROVIDERS=mock,yookassa YOOKASSA_SHOP_ID=1 YOOKASSA_SECRET_KEY=s|false",
      "PAYMENT_PROVIDERS=robokassa ROBOKASSA_MERCHANT_LOGIN=shop ROBOKASSA_PASSWORD_1=p1 ROBOKASSA_PASSWORD_2=p2 "
          + "DEV_CONSOLE=true|true",
      "DEV_CONSOLE=false|false"})
  void onlyOnALaptop(String settings, boolean on) {
    assertThat(embedded(settings).devConsole()).isEqualTo(on);
  }

  @Test
  @DisplayName("/dev/config gives the page secrets made up for this process, never the operator's webhook secret or Runner keys")
  void noOperatorSecrets() {
    Application app = TestApp.start(db, Map.of("DEV_CONSOLE", "true", "TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET,
        "RUNNER_API_KEYS", TestKeys.RUNNER));
    try (Http http = new Http(app.httpPort())) {
      JsonObject config = http.get("/dev/config", null).json();

      assertThat(config.getString("webhook_secret")).isNotBlank().isNotEqualTo(TestKeys.WEBHOOK_SECRET);
      assertThat(config.getString("runner_key")).isNotBlank().isNotEqualTo(TestKeys.RUNNER);
      assertThat(config.encode()).doesNotContain(TestKeys.WEBHOOK_SECRET).doesNotContain(TestKeys.RUNNER);
      // Both secrets open the webhook: the page's, and the operator's for their own callers.
      String update = "{\"update_id\": 1}";
      for (String secret : new String[] {config.getString("webhook_secret"), TestKeys.WEBHOOK_SECRET}) {
        assertThat(Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token", secret,
            update)).status()).isEqualTo(200);
      }
      assertThat(Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token",
          "wrong-secret-0123456789", update)).status()).isEqualTo(401);
    } finally {
      app.stop();
    }
  }

  @Test
  @DisplayName("a stop with the console's event stream open takes no longer than without it (not SHUTDOWN_TIMEOUT_SECONDS)")
  void openEventStreamDoesNotHoldTheStop() throws Exception {
    Application app = TestApp.start(db, Map.of("DEV_CONSOLE", "true", "SHUTDOWN_TIMEOUT_SECONDS", "20"));
    Vertx vertx = Vertx.vertx();
    try {
      HttpClient client = vertx.createHttpClient();
      HttpClientResponse events = Http.await(client.request(HttpMethod.GET, app.httpPort(), "127.0.0.1", "/dev/events")
          .compose(request -> request.send()));
      assertThat(events.statusCode()).isEqualTo(200);

      long started = System.nanoTime();
      app.stop();
      long stopMs = (System.nanoTime() - started) / 1_000_000;

      assertThat(stopMs).as("ms to stop with /dev/events open").isLessThan(5_000);
    } finally {
      Http.await(vertx.close());
    }
  }

  @Test
  @DisplayName("in console mode / leads to /dev; without the console / is a JSON 404")
  void rootLeadsToTheConsole() {
    Application console = TestApp.start(db, Map.of("DEV_CONSOLE", "true"));
    try (Http http = new Http(console.httpPort())) {
      Http.Response root = http.get("/", null);
      assertThat(root.status()).as(root.body()).isEqualTo(302);
      assertThat(root.headers().get("Location")).isEqualTo("/dev");
    } finally {
      console.stop();
    }
    Application plain = TestApp.start(db, Map.of("DEV_CONSOLE", "false"));
    try (Http http = new Http(plain.httpPort())) {
      assertThat(http.get("/", null).status()).isEqualTo(404);
    } finally {
      plain.stop();
    }
  }

  @Test
  @DisplayName("two console instances starting at once on one database both start, with the demo promo codes made once")
  void twoConsolesAtOnce() throws Exception {
    java.util.concurrent.ExecutorService starts = java.util.concurrent.Executors.newFixedThreadPool(2);
    try (TestDatabase fresh = TestDatabase.createEmpty()) {
      var first = starts.submit(() -> TestApp.start(fresh, Map.of("DEV_CONSOLE", "true")));
      var second = starts.submit(() -> TestApp.start(fresh, Map.of("DEV_CONSOLE", "true")));
      Application a = first.get();
      Application b = second.get();
      try {
        assertThat(io.kopeck.testsupport.Ledgers.count(a.pool(),
            "SELECT count(*) FROM promo_codes WHERE code IN ('DEMO10', 'BONUS50', 'TRIAL')")).isEqualTo(3);
      } finally {
        a.stop();
        b.stop();
      }
    } finally {
      starts.shutdown();
    }
  }
}

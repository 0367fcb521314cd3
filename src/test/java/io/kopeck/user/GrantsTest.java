package io.kopeck.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Application;
import io.kopeck.common.JobSummary;
import io.kopeck.common.TimerJob;
import io.kopeck.testsupport.BotChat;
import io.kopeck.testsupport.FakeReceiver;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.TestKeys;
import io.kopeck.testsupport.Updates;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Credit grants (SPEC §21) through the admin API, the Runner API, the bot and the timer, on a real
 * PostgreSQL with a clock the test moves; the ledger (grants included) verified after every test.
 */
class GrantsTest {
  private static final String SIGNING_SECRET = "signing-secret-0123456789-0123456789";
  private static final AtomicLong USERS = new AtomicLong(830_000_000);
  private static final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  private static final FakeReceiver receiver = new FakeReceiver(SIGNING_SECRET);
  private static final FakeTelegram telegram = new FakeTelegram();
  private static final Map<String, String> SETTINGS = Map.ofEntries(
      Map.entry("WEBHOOK_URL", receiver.url()), Map.entry("WEBHOOK_SIGNING_SECRET", SIGNING_SECRET),
      Map.entry("TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN), Map.entry("TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET),
      Map.entry("TELEGRAM_API_URL", telegram.url()), Map.entry("TELEGRAM_RATE_PER_CHAT", "50"),
      Map.entry("RUNNER_API_KEYS", TestKeys.RUNNER), Map.entry("RUNNER_RATE_LIMIT", "0"),
      Map.entry("ADMIN_API_KEY", TestKeys.ADMIN), Map.entry("COST_MULTIPLIER", "1"),
      Map.entry("DISPLAY_TIMEZONE", "UTC"));
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(SETTINGS, clock);
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
  @DisplayName("Usage takes the grant that ends first, then the next, then paid tokens; each grant's rest is taken "
      + "back once at its end, on two instances")
  void consumptionOrderAndExpiry() {
    long user = USERS.incrementAndGet();
    Ledgers.seedUser(pool, user, "100");
    assertThat(grant(user, "late", "30", 10).status()).isEqualTo(201);
    assertThat(grant(user, "soon", "20", 5).status()).isEqualTo(201);
    charge(user, "c1", "25");
    JsonObject balance = balance(user);
    assertThat(balance.getString("token_balance")).isEqualTo("125.0000");
    assertThat(balance.getString("granted")).isEqualTo("25.0000");
    assertThat(remaining(balance)).containsExactly("soon=0.0000", "late=25.0000");
    charge(user, "c2", "10");
    assertThat(remaining(balance(user))).containsExactly("soon=0.0000", "late=15.0000");

    clock.advance(Duration.ofDays(6));
    runOnTwoInstances();
    // Nothing was left of "soon": it ends without a row; "late" still runs.
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1 AND type = 'expiry'", user))
        .isZero();
    assertThat(remaining(balance(user))).containsExactly("late=15.0000");

    charge(user, "c3", "5");
    clock.advance(Duration.ofDays(5));
    runOnTwoInstances();
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1 AND type = 'expiry' "
        + "AND tokens_delta = -10 AND idempotency_key = 'grant-expiry:late'", user)).isEqualTo(1);
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("100");
    assertThat(balance(user).getJsonArray("grants")).isEmpty();
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM webhook_events WHERE user_id = $1 AND type = 'grant.expired'",
        user)).isEqualTo(2);
    // A spend after the grants ended takes paid tokens only.
    assertThat(http.postJson("/api/v1/users/" + user + "/spend", TestKeys.RUNNER,
        "{\"amount\": \"100\", \"idempotency_key\": \"all\"}").status()).isEqualTo(200);
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("0");
  }

  @Test
  @DisplayName("The same grant id again answers the same grant; other terms, a past end, no user or bad input are "
      + "refused and write nothing")
  void idempotentAndRefused() {
    long user = USERS.incrementAndGet();
    Ledgers.seedUser(pool, user, "0");
    Http.Response first = grant(user, "welcome", "50", 30);
    Http.Response again = grant(user, "welcome", "50", 30);
    assertThat(first.status()).isEqualTo(201);
    assertThat(again.status()).isEqualTo(200);
    assertThat(again.json()).isEqualTo(first.json());
    assertThat(grant(user, "welcome", "51", 30).status()).isEqualTo(409);
    assertThat(grant(user, "past", "5", -1).status()).isEqualTo(422);
    assertThat(grant(830_999_999L, "x", "5", 3).status()).isEqualTo(404);
    String path = "/admin/api/v1/users/" + user + "/grants";
    assertThat(http.postJson(path, TestKeys.ADMIN, "{\"grant_id\": \"a\", \"amount\": \"-5\", "
        + "\"expires_at\": \"2099-01-01T00:00:00Z\"}").status()).isEqualTo(400);
    assertThat(http.postJson(path, TestKeys.ADMIN, "{\"grant_id\": \"a b\", \"amount\": \"5\", "
        + "\"expires_at\": \"2099-01-01T00:00:00Z\"}").status()).isEqualTo(400);
    assertThat(http.postJson(path, TestKeys.ADMIN, "{\"grant_id\": \"a\", \"amount\": \"5\", "
        + "\"expires_at\": \"tomorrow\"}").status()).isEqualTo(400);
    assertThat(http.postJson(path, null, "{}").status()).isEqualTo(401);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1", user)).isEqualTo(1);
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("50");
    JsonObject listed = http.get(path, TestKeys.ADMIN).json();
    assertThat(listed.getJsonArray("grants")).hasSize(1);
  }

  @Test
  @DisplayName("/balance says how many tokens expire on which day")
  void balanceScreen() {
    JsonObject user = Updates.user(USERS.incrementAndGet(), "Bo", null, "en");
    BotChat chat = new BotChat(telegram, http, TestKeys.WEBHOOK_SECRET);
    chat.say(user, "/start", "");
    long id = user.getLong("id");
    grant(id, "bonus", "40", 3);
    String day = clock.instant().plus(Duration.ofDays(3)).toString().substring(0, 10);
    String text = chat.say(user, "/balance", "expire on").text();
    assertThat(text).contains("Of which 40 tokens expire on " + day + ".");
  }

  private static Http.Response grant(long user, String id, String amount, int days) {
    return http.postJson("/admin/api/v1/users/" + user + "/grants", TestKeys.ADMIN, new JsonObject().put("grant_id", id)
        .put("amount", amount).put("expires_at", clock.instant().plus(Duration.ofDays(days)).toString())
        .put("reason", "test").encode());
  }

  private static void charge(long user, String event, String cost) {
    Http.Response charged = http.postJson("/api/v1/track-costs", TestKeys.RUNNER, new JsonObject()
        .put("event_id", user + "-" + event).put("user_id", user).put("total_cost", cost).put("currency", "RUB").encode());
    assertThat(charged.status()).as(charged.body()).isEqualTo(200);
  }

  private static JsonObject balance(long user) {
    return http.get("/api/v1/users/" + user + "/balance", TestKeys.RUNNER).json();
  }

  private static List<String> remaining(JsonObject balance) {
    JsonArray grants = balance.getJsonArray("grants");
    return grants.stream().map(g -> ((JsonObject) g).getString("grant_id") + "=" + ((JsonObject) g).getString("remaining"))
        .toList();
  }

  /** The grant-expiry job of this instance and of a second one on the same database, at once. */
  private static void runOnTwoInstances() {
    Map<String, String> second = new HashMap<>(SETTINGS);
    second.remove("TELEGRAM_BOT_TOKEN");
    second.remove("TELEGRAM_WEBHOOK_SECRET");
    Application other = TestApp.start(service.db(), second, clock);
    try {
      List<JobSummary> done = Http.await(Future.all(job(service.app()).run(), job(other).run())).list();
      assertThat(done).allMatch(summary -> summary.failure() == null);
    } finally {
      other.stop();
    }
  }

  private static TimerJob job(Application app) {
    return app.services().timerJob("grant-expiry");
  }
}

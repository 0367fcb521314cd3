package io.kopeck.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The admin API for one account: show, adjust (idempotent), block and unblock. */
class UserAdminApiTest {
  static final String KEY = TestKeys.ADMIN;

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("ADMIN_API_KEY", KEY, "RUNNER_API_KEYS", TestKeys.RUNNER));
  private static Pool pool;
  private static Http http;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
  }



  private static Http.Response adjust(long user, String body) {
    return http.postJson("/admin/api/v1/users/" + user + "/adjust", KEY, body);
  }

  @Test
  @DisplayName("every user route needs the admin key: 401 without it or with another, nothing changed")
  void auth() {
    Ledgers.seedUser(pool, 40, "10");
    assertThat(http.get("/admin/api/v1/users/40", null).status()).isEqualTo(401);
    assertThat(http.get("/admin/api/v1/users/40", TestKeys.RUNNER).status()).isEqualTo(401);
    assertThat(http.postJson("/admin/api/v1/users/40/adjust", "wrong",
        "{\"amount\": 5, \"reason\": \"x\", \"idempotency_key\": \"a\"}").status()).isEqualTo(401);
    assertThat(http.postJson("/admin/api/v1/users/40/block", null, "").status()).isEqualTo(401);
    assertThat(Ledgers.balance(pool, 40)).isEqualByComparingTo("10");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = 40 AND is_blocked")).isZero();
  }

  @Test
  @DisplayName("adjust: credit, the same key again answers the first result, a debit, a debit past the floor 409")
  void adjustIdempotently() {
    Ledgers.seedUser(pool, 41, "100");

    Http.Response first = adjust(41, "{\"amount\": \"50.5\", \"reason\": \"goodwill\", \"idempotency_key\": \"t-1\"}");
    Http.Response again = adjust(41, "{\"amount\": \"50.5\", \"reason\": \"goodwill\", \"idempotency_key\": \"t-1\"}");
    Http.Response debit = adjust(41, "{\"amount\": -200, \"reason\": \"clawback\", \"idempotency_key\": \"t-2\"}");
    Http.Response past = adjust(41, "{\"amount\": -2000, \"reason\": \"too much\", \"idempotency_key\": \"t-3\"}");

    assertThat(first.status()).isEqualTo(200);
    assertThat(first.json().getString("balance_after")).isEqualTo("150.5000");
    assertThat(first.json().getBoolean("duplicate")).isFalse();
    assertThat(again.json().getBoolean("duplicate")).isTrue();
    assertThat(again.json().getLong("transaction_id")).isEqualTo(first.json().getLong("transaction_id"));
    assertThat(again.json().getString("balance_after")).isEqualTo("150.5000");
    assertThat(debit.json().getString("balance_after")).isEqualTo("-49.5000");
    assertThat(past.status()).isEqualTo(409);
    assertThat(past.json().getString("error")).isEqualTo("balance_floor");
    assertThat(Ledgers.balance(pool, 41)).isEqualByComparingTo("-49.5");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = 41 AND type = 'adjustment'"))
        .isEqualTo(2);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE action = 'user.adjust' AND entity_id = '41'"))
        .isEqualTo(2);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE user_id = 41 AND template = 'adjustment.done'"))
        .isEqualTo(2);
  }

  @ParameterizedTest(name = "{0} → 400 {1}")
  @CsvSource(delimiter = '|', value = {
      "{\"amount\": \"abc\", \"reason\": \"r\", \"idempotency_key\": \"k\"}|invalid_amount",
      "{\"amount\": 0, \"reason\": \"r\", \"idempotency_key\": \"k\"}|invalid_amount",
      "{\"amount\": 0.00001, \"reason\": \"r\", \"idempotency_key\": \"k\"}|invalid_amount",
      "{\"amount\": 1e30, \"reason\": \"r\", \"idempotency_key\": \"k\"}|invalid_amount",
      "{\"amount\": 1e400, \"reason\": \"r\", \"idempotency_key\": \"k\"}|invalid_json",
      "{\"reason\": \"r\", \"idempotency_key\": \"k\"}|invalid_amount",
      "{\"amount\": 5, \"idempotency_key\": \"k\"}|invalid_reason",
      "{\"amount\": 5, \"reason\": \"  \", \"idempotency_key\": \"k\"}|invalid_reason",
      "{\"amount\": 5, \"reason\": \"r\"}|invalid_idempotency_key",
      "{\"amount\": 5, \"reason\": \"r\", \"idempotency_key\": \"has space\"}|invalid_idempotency_key",
      "[1, 2]|invalid_json",
      "not json|invalid_json"})
  void badAdjustments(String body, String error) {
    Ledgers.seedUser(pool, 42, "0");
    Http.Response answer = adjust(42, body);
    assertThat(answer.status()).isEqualTo(400);
    assertThat(answer.json().getString("error")).isEqualTo(error);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = 42")).isZero();
  }

  @Test
  @DisplayName("bad or unknown user ids: 400 and 404 as JSON")
  void userIds() {
    assertThat(http.get("/admin/api/v1/users/abc", KEY).json().getString("error")).isEqualTo("invalid_user_id");
    assertThat(http.get("/admin/api/v1/users/-1", KEY).status()).isEqualTo(400);
    assertThat(http.get("/admin/api/v1/users/123456", KEY).status()).isEqualTo(404);
    assertThat(adjust(123456, "{\"amount\": 5, \"reason\": \"r\", \"idempotency_key\": \"k\"}").status()).isEqualTo(404);
    assertThat(http.postJson("/admin/api/v1/users/123456/block", KEY, "").status()).isEqualTo(404);
  }

  @Test
  @DisplayName("show: profile, balance, subscription and the last transactions, newest first")
  void show() {
    Ledgers.seedUser(pool, 43, "10");
    for (int i = 0; i < 25; i++) {
      Ledgers.seedUser(pool, 43, "1");
    }
    JsonObject user = http.get("/admin/api/v1/users/43", KEY).json();

    assertThat(user.getLong("id")).isEqualTo(43);
    assertThat(user.getString("token_balance")).isEqualTo("35.0000");
    assertThat(user.getBoolean("subscription_active")).isFalse();
    assertThat(user.getJsonArray("transactions")).hasSize(20);
    assertThat(user.getJsonArray("transactions").getJsonObject(0).getLong("seq")).isEqualTo(26);
    assertThat(user.getJsonArray("transactions").getJsonObject(0).getString("balance_after")).isEqualTo("35.0000");
  }

  @Test
  @DisplayName("block refuses spends and makes can_spend false; unblock restores; repeats change nothing")
  void blockAndUnblock() {
    Ledgers.seedUser(pool, 44, "10");
    JsonObject blocked = http.postJson("/admin/api/v1/users/44/block", KEY, "").json();
    JsonObject again = http.postJson("/admin/api/v1/users/44/block", KEY, "").json();
    Http.Response spend = http.postJson("/api/v1/users/44/spend", TestKeys.RUNNER,
        "{\"amount\": 1, \"idempotency_key\": \"s-1\"}");
    Http.Response balance = http.get("/api/v1/users/44/balance", TestKeys.RUNNER);

    assertThat(blocked.getBoolean("is_blocked")).isTrue();
    assertThat(blocked.getBoolean("changed")).isTrue();
    assertThat(again.getBoolean("changed")).isFalse();
    assertThat(spend.status()).isEqualTo(403);
    assertThat(balance.json().getBoolean("can_spend")).isFalse();

    JsonObject unblocked = http.postJson("/admin/api/v1/users/44/unblock", KEY, "").json();
    assertThat(unblocked.getBoolean("is_blocked")).isFalse();
    assertThat(http.get("/api/v1/users/44/balance", TestKeys.RUNNER).json().getBoolean("can_spend")).isTrue();
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE entity_id = '44' "
        + "AND action IN ('user.block', 'user.unblock')")).isEqualTo(2);
  }
}

package io.kopeck.user;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.common.TimerJob;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MockPaymentForms;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * BONUS_TOKENS_TTL_DAYS (SPEC §21): a promo's bonus tokens and a trial's tokens are given as grants that
 * end; what a purchase buys stays paid tokens. The ledger (grants included) is verified after every test.
 */
class BonusGrantsTest {
  private static final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("BONUS_TOKENS_TTL_DAYS", "7",
      "RUNNER_API_KEYS", TestKeys.RUNNER, "ADMIN_API_KEY", TestKeys.ADMIN, "PAYMENT_PROVIDERS", "mock"), clock);
  private static Pool pool;
  private static Http http;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
    promo("{\"code\": \"PLUS50\", \"discount_type\": \"bonus_tokens\", \"discount_value\": 50}");
    promo("{\"code\": \"TRY8\", \"discount_type\": \"trial\", \"tariff\": \"trial\"}");
  }

  @Test
  @DisplayName("A purchase with a bonus code: the tariff's tokens are paid tokens, the bonus a grant for 7 days")
  void promoBonusIsAGrant() {
    long user = 840_000_001L;
    Ledgers.seedUser(pool, user, "0");
    Http.Response link = http.postJson("/api/v1/users/" + user + "/payment-links", TestKeys.RUNNER,
        "{\"tariff\": \"basic\", \"promo_code\": \"PLUS50\"}");
    assertThat(link.status()).as(link.body()).isEqualTo(201);
    MockPaymentForms.pay(http, link.json().getString("url"));
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1 AND type = 'topup' "
        + "AND tokens_delta = 200", user)).isEqualTo(1);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1 AND type = 'grant' "
        + "AND tokens_delta = 50 AND idempotency_key = 'grant:promo-bonus:" + link.json().getLong("inv_id") + "'", user))
        .isEqualTo(1);
    JsonObject balance = http.get("/api/v1/users/" + user + "/balance", TestKeys.RUNNER).json();
    assertThat(balance.getString("token_balance")).isEqualTo("250.0000");
    assertThat(balance.getString("granted")).isEqualTo("50.0000");

    clock.advance(Duration.ofDays(8));
    Http.await(job().run());
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("200");
  }

  @Test
  @DisplayName("A trial's tokens are a grant that ends with the TTL")
  void trialIsAGrant() {
    long user = 840_000_002L;
    Ledgers.seedUser(pool, user, "0");
    Http.await(service.app().services().trials().activate(user, "TRY8"));
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM grants WHERE user_id = $1 AND source = 'trial' "
        + "AND amount = 30", user)).isEqualTo(1);
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("30");
    clock.advance(Duration.ofDays(8));
    Http.await(job().run());
    assertThat(Ledgers.balance(pool, user)).isEqualByComparingTo("0");
  }

  private static TimerJob job() {
    return service.app().services().timerJob("grant-expiry");
  }

  private static void promo(String json) {
    Http.Response made = http.postJson("/admin/api/v1/promo-codes", TestKeys.ADMIN, json);
    assertThat(made.status()).as(made.body()).isEqualTo(201);
  }
}

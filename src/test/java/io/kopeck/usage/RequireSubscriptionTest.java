package io.kopeck.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.RunningService;
import io.kopeck.testsupport.TestKeys;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RequireSubscriptionTest {
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-26T10:00:00Z"));

  @Test
  @DisplayName("with REQUIRE_SUBSCRIPTION, spends need an active subscription and can_spend says why not")
  void subscriptionRequired() {
    try (RunningService service = RunningService.start(Map.of("RUNNER_API_KEYS", TestKeys.RUNNER, "REQUIRE_SUBSCRIPTION", "true"),
        CLOCK)) {
      Ledgers.seedUser(service.pool(), 5L, "10");
      Http http = service.http();

      Http.Response refused = http.postJson("/api/v1/users/5/spend", TestKeys.RUNNER, "{\"amount\": 1, \"idempotency_key\": \"a\"}");
      String reason = http.get("/api/v1/users/5/balance", TestKeys.RUNNER).json().getString("reason");
      Http.await(service.pool().preparedQuery("UPDATE users SET subscription_end = $1 WHERE id = 5")
          .execute(Tuple.of(CLOCK.instant().plus(Duration.ofHours(1)).atOffset(ZoneOffset.UTC))));
      Http.Response allowed = http.postJson("/api/v1/users/5/spend", TestKeys.RUNNER, "{\"amount\": 1, \"idempotency_key\": \"a\"}");
      CLOCK.advance(Duration.ofHours(2));
      Http.Response lapsed = http.postJson("/api/v1/users/5/spend", TestKeys.RUNNER, "{\"amount\": 1, \"idempotency_key\": \"b\"}");

      assertThat(refused.status()).isEqualTo(403);
      assertThat(refused.json().getString("error")).isEqualTo("subscription_expired");
      assertThat(reason).isEqualTo("subscription_required");
      assertThat(allowed.json().getBoolean("duplicate")).isFalse();
      assertThat(allowed.json().getString("balance_after")).isEqualTo("9.0000");
      assertThat(lapsed.json().getString("error")).isEqualTo("subscription_expired");
      Ledgers.assertConsistent(service.pool());
    }
  }
}

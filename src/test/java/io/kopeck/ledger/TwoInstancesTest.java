package io.kopeck.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Application;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.RunningService;
import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.Future;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** Two service instances, one database: the row locks keep every charge exactly once, without deadlocks. */
class TwoInstancesTest {
  static final String KEY = TestKeys.RUNNER;

  @Test
  @DisplayName("two instances charging the same 10 users concurrently, with the same events sent to both, "
      + "charge every event once and leave exact balances")
  void sameUsersOnTwoInstances() {
    Map<String, String> settings = Map.of("RUNNER_API_KEYS", KEY, "BILLING_LANES", "3", "BILLING_BATCH_MAX_SIZE", "50");
    try (RunningService first = RunningService.start(settings)) {
      Application second = TestApp.start(first.db(), settings);
      try (Http secondHttp = new Http(second.httpPort())) {
        for (long user = 1; user <= 10; user++) {
          Ledgers.seedUser(first.pool(), user, "100");
        }
        List<Future<Http.Response>> sent = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
          // Every event goes to both instances; users in descending and ascending order interleave.
          String event = new JsonObject().put("event_id", "e-" + i).put("user_id", 1 + (i * 7) % 10)
              .put("total_cost", "0.01").put("currency", "RUB").encode();
          sent.add(first.http().send(HttpMethod.POST, "/api/v1/track-costs", KEY, "application/json", event));
          sent.add(secondHttp.send(HttpMethod.POST, "/api/v1/track-costs", KEY, "application/json", event));
        }

        List<JsonObject> answers = Http.await(Future.all(sent)).<Http.Response>list().stream()
            .map(Http.Response::json).toList();

        assertThat(answers).filteredOn(a -> "charged".equals(a.getString("status"))).hasSize(1000);
        assertThat(answers).filteredOn(a -> "duplicate".equals(a.getString("status"))).hasSize(1000);
        for (long user = 1; user <= 10; user++) {
          // 100 events of 0.0314 tokens each.
          assertThat(Ledgers.balance(first.pool(), user)).isEqualByComparingTo(new BigDecimal("96.86"));
        }
        Ledgers.assertConsistent(first.pool());
      } finally {
        second.stop();
      }
    }
  }
}

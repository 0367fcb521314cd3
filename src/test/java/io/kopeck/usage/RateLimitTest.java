package io.kopeck.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.RunningService;
import io.kopeck.testsupport.TestKeys;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class RateLimitTest {

  @Test
  @DisplayName("the bucket allows a second's worth of requests, then asks to wait, and refills with time")
  void bucket() {
    AtomicLong nanos = new AtomicLong(0);
    RateLimiter limiter = new RateLimiter(2, nanos::get);

    assertThat(limiter.acquire(0)).isZero();
    assertThat(limiter.acquire(0)).isZero();
    assertThat(limiter.acquire(0)).isEqualTo(1);
    assertThat(limiter.acquire(1)).as("another key has its own bucket").isZero();
    nanos.addAndGet(500_000_000L);
    assertThat(limiter.acquire(0)).isZero();
    assertThat(new RateLimiter(0, nanos::get).acquire(0)).as("0 = off").isZero();
  }

  @Test
  @DisplayName("over the per-key limit the Runner API answers 429 with Retry-After")
  void http429() {
    try (RunningService service = RunningService.start(Map.of("RUNNER_API_KEYS", TestKeys.RUNNER, "RUNNER_RATE_LIMIT", "3"))) {
      int limited = 0;
      Http.Response last = null;
      for (int i = 0; i < 10; i++) {
        Http.Response response = service.http().get("/api/v1/users/1/balance", TestKeys.RUNNER);
        if (response.status() == 429) {
          limited++;
          last = response;
        }
      }
      assertThat(limited).isGreaterThanOrEqualTo(6);
      assertThat(last.headers().get("Retry-After")).isEqualTo("1");
      assertThat(last.json().getString("error")).isEqualTo("rate_limited");
    }
  }
}

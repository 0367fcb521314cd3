package io.kopeck.usage;

import io.kopeck.web.BearerAuth;
import java.util.List;

/** The Runner keys and their rate limit, shared by every HTTP verticle instance of the process. */
public record RunnerAccess(BearerAuth auth, RateLimiter limiter) {

  /** {@code keys}: RUNNER_API_KEYS; {@code ratePerSecond}: RUNNER_RATE_LIMIT (0 = none). */
  public static RunnerAccess of(List<String> keys, int ratePerSecond) {
    return new RunnerAccess(new BearerAuth(keys), new RateLimiter(ratePerSecond, System::nanoTime));
  }
}

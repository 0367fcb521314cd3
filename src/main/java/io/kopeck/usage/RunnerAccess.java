package io.kopeck.usage;

import io.kopeck.web.BearerAuth;
import java.util.List;

/**
 * The Runner keys (as Bearer, a bare Authorization value or X-API-Key) and their rate limit, shared
 * by every HTTP verticle instance of the process.
 */
public record RunnerAccess(BearerAuth auth, RateLimiter limiter) {

  /** {@code keys}: RUNNER_API_KEYS; {@code ratePerSecond}: RUNNER_RATE_LIMIT (0 = none). */
  public static RunnerAccess of(List<String> keys, int ratePerSecond) {
    return new RunnerAccess(BearerAuth.tolerant(keys), new RateLimiter(ratePerSecond, System::nanoTime));
  }
}

package io.kopeck.usage;

import io.kopeck.app.BearerAuth;
import io.kopeck.app.KopeckConfig;

/** The Runner keys and their rate limit, shared by every HTTP verticle instance of the process. */
public record RunnerAccess(BearerAuth auth, RateLimiter limiter) {

  public static RunnerAccess of(KopeckConfig config) {
    return new RunnerAccess(new BearerAuth(config.runnerApiKeys()),
        new RateLimiter(config.runnerRateLimit(), System::nanoTime));
  }
}

package io.kopeck.common;

import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;

/** The injected clock's "now" as the database stores it: an instant at UTC. */
public final class Times {
  private Times() {
  }

  public static OffsetDateTime utcNow(Clock clock) {
    return OffsetDateTime.now(clock).withOffsetSameInstant(ZoneOffset.UTC);
  }
}

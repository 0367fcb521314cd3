package io.kopeck.usage;

import java.math.BigDecimal;

/**
 * The multiplier of a defined track (SPEC §18): an event that names one is charged at it. Read for
 * every event, so implementations answer from memory.
 */
@FunctionalInterface
public interface TrackMultipliers {
  /** No track defined: every event at the configured COST_MULTIPLIER. */
  TrackMultipliers NONE = track -> null;

  /** The multiplier of the track named {@code track}, or null (not a defined track: the configured one). */
  BigDecimal of(String track);
}

package io.kopeck.catalog;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;

/**
 * Subscription period arithmetic (SPEC §7): hours, days and calendar months counted in the display
 * time zone; a month added to 31 January ends on the last day of February. An extension starts
 * from the later of now and the current end.
 */
public final class Periods {
  private Periods() {
  }

  public static OffsetDateTime extend(OffsetDateTime currentEnd, OffsetDateTime now, String unit, int value,
                                      ZoneId zone) {
    OffsetDateTime from = currentEnd != null && currentEnd.isAfter(now) ? currentEnd : now;
    return add(from, unit, value, zone);
  }

  public static OffsetDateTime add(OffsetDateTime from, String unit, int value, ZoneId zone) {
    ZonedDateTime local = from.atZoneSameInstant(zone);
    ZonedDateTime end = switch (unit) {
      case "hour" -> local.plusHours(value);
      case "day" -> local.plusDays(value);
      case "month" -> local.plusMonths(value);
      default -> throw new IllegalArgumentException("unknown period unit " + unit);
    };
    return end.toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC);
  }
}

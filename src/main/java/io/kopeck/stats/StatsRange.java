package io.kopeck.stats;

import java.time.Clock;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.time.temporal.ChronoUnit;

/**
 * The days a report covers, in the display time zone, both ends included ({@code from=2026-11-01&to=2026-11-30}
 * is November). Defaults: the last 30 days up to today. At most 366 days.
 */
public record StatsRange(LocalDate from, LocalDate to, ZoneId zone) {
  static final int MAX_DAYS = 366;

  public static StatsRange parse(String from, String to, Clock clock, ZoneId zone) {
    LocalDate today = LocalDate.now(clock.withZone(zone));
    LocalDate end = to == null || to.isBlank() ? today : date("to", to);
    LocalDate start = from == null || from.isBlank() ? end.minusDays(29) : date("from", from);
    if (start.isAfter(end)) {
      throw StatsRefusal.INVALID_RANGE.because("from must not be after to");
    }
    if (ChronoUnit.DAYS.between(start, end) >= MAX_DAYS) {
      throw StatsRefusal.INVALID_RANGE.because("a report covers at most " + MAX_DAYS + " days");
    }
    return new StatsRange(start, end, zone);
  }

  private static LocalDate date(String name, String text) {
    // Four-digit years only: "+999999999-12-31" is a LocalDate, but no database timestamp.
    if (!text.matches("\\d{4}-\\d{2}-\\d{2}")) {
      throw StatsRefusal.INVALID_DATE.because(name + " must be a date like 2026-11-30");
    }
    try {
      return LocalDate.parse(text);
    } catch (DateTimeParseException e) {
      throw StatsRefusal.INVALID_DATE.because(name + " must be a date like 2026-11-30");
    }
  }

  /** The first instant of {@code from} in the display zone. */
  OffsetDateTime start() {
    return startOf(from);
  }

  /** The first instant after {@code to}. */
  OffsetDateTime end() {
    return startOf(to.plusDays(1));
  }

  OffsetDateTime startOf(LocalDate day) {
    return day.atStartOfDay(zone).toOffsetDateTime().withOffsetSameInstant(ZoneOffset.UTC);
  }
}

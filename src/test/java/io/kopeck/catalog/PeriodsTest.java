package io.kopeck.catalog;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.OffsetDateTime;
import java.time.ZoneId;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class PeriodsTest {
  static final ZoneId MOSCOW = ZoneId.of("Europe/Moscow");

  @ParameterizedTest(name = "{0} + {2} {1} = {3}")
  @DisplayName("calendar arithmetic in the display time zone, months clamped to the month's last day")
  @CsvSource({
      // 31 Jan 12:00 MSK + 1 month = 28 Feb 12:00 MSK (2027 is not a leap year)
      "2027-01-31T09:00:00Z, month, 1, 2027-02-28T09:00:00Z",
      "2028-01-31T09:00:00Z, month, 1, 2028-02-29T09:00:00Z",
      // 31 Jan 23:30 UTC is already 1 Feb 02:30 in Moscow: one month later is 1 Mar 02:30 MSK
      "2027-01-31T23:30:00Z, month, 1, 2027-02-28T23:30:00Z",
      // 30 Jan 22:00 UTC = 31 Jan 01:00 MSK → 28 Feb 01:00 MSK = 27 Feb 22:00 UTC
      "2027-01-30T22:00:00Z, month, 1, 2027-02-27T22:00:00Z",
      "2026-11-26T12:00:00Z, day, 8, 2026-12-04T12:00:00Z",
      "2026-11-26T12:00:00Z, hour, 36, 2026-11-28T00:00:00Z",
      "2026-10-31T09:00:00Z, month, 12, 2027-10-31T09:00:00Z"})
  void add(String from, String unit, int value, String expected) {
    assertThat(Periods.add(OffsetDateTime.parse(from), unit, value, MOSCOW))
        .isEqualTo(OffsetDateTime.parse(expected));
  }

  @Test
  @DisplayName("an extension starts from the later of now and the current end")
  void extendFromLater() {
    OffsetDateTime now = OffsetDateTime.parse("2026-11-26T12:00:00Z");

    assertThat(Periods.extend(null, now, "day", 1, MOSCOW)).isEqualTo(OffsetDateTime.parse("2026-11-27T12:00:00Z"));
    assertThat(Periods.extend(now.minusDays(3), now, "day", 1, MOSCOW))
        .isEqualTo(OffsetDateTime.parse("2026-11-27T12:00:00Z"));
    assertThat(Periods.extend(now.plusDays(3), now, "day", 1, MOSCOW))
        .isEqualTo(OffsetDateTime.parse("2026-11-30T12:00:00Z"));
  }
}

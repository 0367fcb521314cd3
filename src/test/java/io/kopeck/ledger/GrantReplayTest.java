package io.kopeck.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.ledger.GrantReplay.Grant;
import io.kopeck.ledger.GrantReplay.Step;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The consumption order of SPEC §21, replayed over ledger rows (no database: the rule alone). */
class GrantReplayTest {
  private static final OffsetDateTime T = OffsetDateTime.of(2027, 1, 1, 0, 0, 0, 0, ZoneOffset.UTC);

  @Test
  @DisplayName("Debits take the grant that ends first, then the next, then paid tokens")
  void earliestEndFirst() {
    List<Grant> grants = List.of(grant("late", "30", 2, 10, null, null), grant("soon", "20", 3, 5, null, null));
    GrantReplay.Result result = GrantReplay.replay(grants, List.of(
        step(2, "grant", "30", "130", "grant:late"), step(3, "grant", "20", "150", "grant:soon"),
        step(4, "usage", "-25", "125", null), step(5, "spend", "-10", "115", "x")));
    assertThat(result.remaining()).containsEntry("soon", dec("0")).containsEntry("late", dec("15"));
    assertThat(result.granted()).isEqualByComparingTo("15");
  }

  @Test
  @DisplayName("A refund takes back paid tokens first, and grants only for what paid tokens do not cover")
  void refundsTakePaidFirst() {
    List<Grant> grants = List.of(grant("g", "50", 2, 10, null, null));
    GrantReplay.Result result = GrantReplay.replay(grants, List.of(
        step(2, "grant", "50", "150", "grant:g"), step(3, "refund", "-80", "70", "refund:a"),
        step(4, "refund", "-30", "40", "refund:b")));
    // 100 paid before the grant: the first refund takes 80 of them, the second the last 20 and 10 of the grant.
    assertThat(result.remaining()).containsEntry("g", dec("40"));
  }

  @Test
  @DisplayName("An ended grant takes no more debits; its rest at its end is what its expiry row must take")
  void endedGrants() {
    List<Grant> grants = List.of(grant("a", "10", 1, 1, 3L, "6"), grant("b", "10", 2, 9, null, null));
    GrantReplay.Result result = GrantReplay.replay(grants, List.of(
        step(1, "grant", "10", "10", "grant:a"), step(2, "grant", "10", "20", "grant:b"),
        step(3, "expiry", "-6", "14", "grant-expiry:a"), step(4, "usage", "-3", "11", null)));
    assertThat(result.restAtExpiry()).containsEntry("a", dec("10"));
    assertThat(result.remaining()).containsOnlyKeys("b").containsEntry("b", dec("7"));
    assertThat(GrantReplay.startSeq(grants)).isEqualTo(1);
  }

  private static Grant grant(String id, String amount, long seq, int days, Long expiredSeq, String expired) {
    return new Grant(id, dec(amount), seq, T.plusDays(days), expiredSeq, expired == null ? null : dec(expired));
  }

  private static Step step(long seq, String type, String delta, String after, String key) {
    return new Step(seq, type, dec(delta), dec(after), key);
  }

  private static BigDecimal dec(String value) {
    return new BigDecimal(value);
  }
}

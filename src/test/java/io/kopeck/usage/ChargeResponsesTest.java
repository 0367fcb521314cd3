package io.kopeck.usage;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.ledger.PostingResult;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The charge answer written straight to text is the JSON the tree encoder would have written. */
class ChargeResponsesTest {
  private static PostingResult applied(boolean duplicate, Long transactionId, String debited, String after) {
    BigDecimal delta = new BigDecimal(debited).negate();
    BigDecimal balanceAfter = new BigDecimal(after);
    return new PostingResult(PostingResult.Status.APPLIED, null, duplicate, transactionId, delta,
        balanceAfter.subtract(delta), balanceAfter);
  }

  /** The answer as a JsonObject tree built field by field, as the answer was written before. */
  private static String viaTree(String eventId, PostingResult result, Integer line) {
    JsonObject tree = new JsonObject().put("event_id", eventId)
        .put("status", result.duplicate() ? "duplicate" : "charged")
        .put("tokens_charged", result.debited().setScale(4).toPlainString())
        .put("balance_after", result.balanceAfter().setScale(4).toPlainString())
        .put("transaction_id", result.transactionId());
    return ChargeResponses.withLine(tree, line).encode();
  }

  @Test
  @DisplayName("charged, duplicate and free answers, with and without a line number, match the tree encoding byte for byte")
  void sameTextAsTheTree() {
    PostingResult[] results = {applied(false, 42L, "0.0042", "999999.9958"), applied(true, 42L, "0.0042", "1.0000"),
        applied(false, null, "0", "12.5"), applied(false, Long.MAX_VALUE, "1000000000", "0")};
    String[] ids = {"ev-1", "quote\"back\\slash", "tab\tand\u0001control", "ключ-события-✓", "e/../1 <&>"};
    for (PostingResult result : results) {
      for (String id : ids) {
        for (Integer line : new Integer[] {null, 1, 4096}) {
          String text = ChargeResponses.usage(id, result, line);
          assertThat(text).isEqualTo(viaTree(id, result, line));
          assertThat(new JsonObject(text).getString("event_id")).isEqualTo(id);
        }
      }
    }
  }

  @Test
  @DisplayName("a refused charge still answers with its reason and the duplicate flag")
  void refused() {
    PostingResult refused = new PostingResult(PostingResult.Status.REFUSED, io.kopeck.ledger.LedgerRefusal.BALANCE_FLOOR,
        false, null, BigDecimal.ZERO, BigDecimal.ONE, BigDecimal.ONE);
    JsonObject answer = new JsonObject(ChargeResponses.usage("ev-2", refused, 7));
    assertThat(answer.getString("status")).isEqualTo("rejected");
    assertThat(answer.getString("error")).isEqualTo("balance_floor");
    assertThat(answer.getBoolean("duplicate")).isFalse();
    assertThat(answer.getInteger("line")).isEqualTo(7);
  }
}

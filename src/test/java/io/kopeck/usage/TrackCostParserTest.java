package io.kopeck.usage;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kopeck.ledger.UsageCharge;
import java.io.IOException;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The track_cost parser on its own (SPEC §6.2, §11): exact numbers, precise refusals, nothing unclean through. */
class TrackCostParserTest {
  private final TrackCostParser parser = new TrackCostParser("RUB", TrackMultipliers.NONE);

  private static String event(String fields) {
    return "{\"event_id\": \"e-1\", \"user_id\": 7, \"currency\": \"RUB\", " + fields + "}";
  }

  private InvalidEvent refused(String text) {
    Throwable thrown = org.assertj.core.api.Assertions.catchThrowable(() -> parser.parse(text));
    assertThat(thrown).isInstanceOf(InvalidEvent.class);
    return (InvalidEvent) thrown;
  }

  @Test
  @DisplayName("the Runner's fixture parses with every field, numbers exact as written, node costs as exact JSON")
  void fixture() throws IOException {
    UsageCharge charge = parser.parse(TrackCostApiTest.fixture("track_cost_basic.json"));

    assertThat(charge.eventId()).isEqualTo("task-0001");
    assertThat(charge.userId()).isEqualTo(700000001L);
    assertThat(charge.track()).isEqualTo("cv_analysis");
    assertThat(charge.totalCost().toPlainString()).isEqualTo("0.004");
    assertThat(charge.apiCalls()).isEqualTo(3);
    assertThat(charge.totalTokens()).isEqualTo(166L);
    assertThat(charge.nodeCostsJson()).isEqualTo("{\"greeting\":0.001,\"farewell\":0.001,\"cost_summary\":0.002}");
  }

  @Test
  @DisplayName("a cost may be a decimal string; binary floating point never touches it; unknown fields are ignored")
  void exactAndLenient() {
    UsageCharge text = parser.parse(event("\"total_cost\": \"0.123456789012\", \"whatever\": [1, 2]"));
    UsageCharge number = parser.parse(event("\"total_cost\": 0.100000000001"));

    assertThat(text.totalCost().toPlainString()).isEqualTo("0.123456789012");
    assertThat(number.totalCost().toPlainString()).isEqualTo("0.100000000001");
    assertThat(refused(event("\"total_cost\": 0.30000000000000004")).getMessage())
        .isEqualTo("total_cost has more than 12 decimal places");
  }

  @Test
  @DisplayName("each wrong field is named in the refusal, with the event id when it could be read")
  void refusals() {
    assertThat(refused(event("\"total_cost\": -1")).getMessage()).isEqualTo("total_cost must not be negative");
    assertThat(refused(event("\"total_cost\": \"1e3\"")).getMessage())
        .isEqualTo("total_cost must be a number or a decimal string");
    assertThat(refused("{\"event_id\": \"e-1\", \"user_id\": 7, \"currency\": \"RUB\"}").getMessage())
        .isEqualTo("total_cost is required");
    assertThat(refused(event("\"total_cost\": 1, \"api_calls\": 1.5")).getMessage())
        .isEqualTo("api_calls must be a non-negative integer");
    assertThat(refused(event("\"total_cost\": 1")
        .replace("\"RUB\"", "\"USD\"")).getMessage()).isEqualTo("currency must be RUB");
    assertThat(refused(event("\"total_cost\": -1")).eventId()).isEqualTo("e-1");
    assertThat(refused("{\"user_id\": 7}").getMessage()).isEqualTo("event_id is required and must be a string");
    assertThat(refused("not json").getMessage()).startsWith("malformed JSON");
  }

  @Test
  @DisplayName("U+0000, control characters and unpaired surrogates never pass (SPEC §11)")
  void hygiene() {
    assertThat(refused(event("\"total_cost\": 1, \"track\": \"a\\u0000b\"")).getMessage()).contains("U+0000");
    assertThat(refused(event("\"total_cost\": 1").replace("e-1", "e\\ud800")).getMessage())
        .contains("unpaired surrogate");
    assertThat(refused(event("\"total_cost\": 1").replace("e-1", "e\\t1")).getMessage())
        .isEqualTo("event_id contains a control character (U+0009)");
    assertThat(refused(event("\"total_cost\": 1, \"node_costs\": {\"a\\nb\": 1}")).getMessage())
        .isEqualTo("a node_costs name contains a control character (U+000A)");
    assertThatThrownBy(() -> parser.parse(event("\"total_cost\": 1, \"track\": \"x\\u0001\"")))
        .isInstanceOf(InvalidEvent.class);
  }
}

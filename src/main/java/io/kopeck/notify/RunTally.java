package io.kopeck.notify;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.kopeck.ledger.PostingResult;
import io.kopeck.ledger.UsageCharge;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * One user's runs within a cost-message window, summed exactly (and the runs of windows held back
 * behind the user's unsent message, see {@link #held}). Node breakdowns are kept as the
 * Runner's JSON text and parsed only when the window closes, off the billing engine's thread.
 * Mutated only inside ConcurrentHashMap.compute or merge, or by the flush that removed it and holds
 * it back before putting it back; read only after removal from the map.
 */
final class RunTally {
  private static final ObjectMapper JSON = new ObjectMapper().enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  long closesAtNanos;
  private int holds;
  private final String firstEventId;
  private String track;
  private boolean mixedTracks;
  private int runs;
  private BigDecimal tokens = BigDecimal.ZERO;
  private BigDecimal cost = BigDecimal.ZERO;
  private long apiCalls;
  private long freeRequests;
  private long promptTokens;
  private long completionTokens;
  private long totalTokens;
  private final List<String> nodeCosts = new ArrayList<>();

  RunTally(String firstEventId, long closesAtNanos) {
    this.firstEventId = firstEventId;
    this.closesAtNanos = closesAtNanos;
  }

  RunTally add(UsageCharge charge, PostingResult result) {
    runs++;
    tokens = tokens.add(result.debited());
    cost = cost.add(charge.totalCost());
    apiCalls += charge.apiCalls() == null ? 0 : charge.apiCalls();
    freeRequests += charge.freeRequests() == null ? 0 : charge.freeRequests();
    promptTokens += charge.promptTokens() == null ? 0 : charge.promptTokens();
    completionTokens += charge.completionTokens() == null ? 0 : charge.completionTokens();
    totalTokens += charge.totalTokens() == null ? 0 : charge.totalTokens();
    noteTrack(charge.track());
    if (charge.nodeCostsJson() != null) {
      nodeCosts.add(charge.nodeCostsJson());
    }
    return this;
  }

  /** How often this tally was held back already. */
  int holds() {
    return holds;
  }

  /**
   * Holds this tally back, because the user's previous message is unsent, as a window that closes
   * at {@code closesAtNanos}. It keeps its first event, so its message keeps its name.
   */
  RunTally held(long closesAtNanos) {
    this.closesAtNanos = closesAtNanos;
    holds++;
    return this;
  }

  /** Adds the runs of a later tally of the same user. */
  RunTally absorb(RunTally newer) {
    runs += newer.runs;
    tokens = tokens.add(newer.tokens);
    cost = cost.add(newer.cost);
    apiCalls += newer.apiCalls;
    freeRequests += newer.freeRequests;
    promptTokens += newer.promptTokens;
    completionTokens += newer.completionTokens;
    totalTokens += newer.totalTokens;
    if (newer.mixedTracks) {
      track = null;
      mixedTracks = true;
    } else {
      noteTrack(newer.track);
    }
    nodeCosts.addAll(newer.nodeCosts);
    return this;
  }

  private void noteTrack(String runTrack) {
    if (track == null && !mixedTracks) {
      track = runTrack;
    } else if (track != null && !track.equals(runTrack)) {
      track = null;
      mixedTracks = true;
    }
  }

  String dedupKey() {
    return "costs:" + firstEventId;
  }

  /** The outbox arguments; every amount as an exact decimal string. */
  JsonObject toArgs() {
    JsonObject nodes = new JsonObject();
    summedNodes().forEach((node, sum) -> nodes.put(node, sum.toPlainString()));
    return new JsonObject().put("runs", runs).put("track", track).put("tokens", tokens.toPlainString())
        .put("cost", cost.toPlainString()).put("api_calls", apiCalls).put("free_requests", freeRequests)
        .put("prompt_tokens", promptTokens).put("completion_tokens", completionTokens)
        .put("total_tokens", totalTokens).put("node_costs", nodes);
  }

  private Map<String, BigDecimal> summedNodes() {
    Map<String, BigDecimal> sums = new TreeMap<>();
    for (String json : nodeCosts) {
      try {
        JsonNode node = JSON.readTree(json);
        for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext(); ) {
          Map.Entry<String, JsonNode> field = it.next();
          if (field.getValue().isNumber()) {
            sums.merge(field.getKey(), field.getValue().decimalValue(), BigDecimal::add);
          }
        }
      } catch (IOException e) {
        // Validated by the parser before the charge; a breakdown that cannot be read is left out of the message.
      }
    }
    return sums;
  }
}

package io.kopeck.ledger;

import java.math.BigDecimal;

/**
 * A validated {@code track_cost} event as the ledger records it. {@code totalCost} is the cost the
 * Runner reported, unrounded; {@code nodeCostsJson} is its node breakdown as exact JSON text;
 * {@code multiplier} is the multiplier of the defined track the event names (SPEC §18), or null for
 * the configured COST_MULTIPLIER.
 */
public record UsageCharge(long userId, String eventId, String track, BigDecimal totalCost, String currency,
                          Integer apiCalls, Integer freeRequests, Long promptTokens, Long completionTokens,
                          Long totalTokens, String nodeCostsJson, BigDecimal multiplier) implements Charge {

  /** An event charged at the configured multiplier. */
  public UsageCharge(long userId, String eventId, String track, BigDecimal totalCost, String currency,
                     Integer apiCalls, Integer freeRequests, Long promptTokens, Long completionTokens,
                     Long totalTokens, String nodeCostsJson) {
    this(userId, eventId, track, totalCost, currency, apiCalls, freeRequests, promptTokens, completionTokens,
        totalTokens, nodeCostsJson, null);
  }
}

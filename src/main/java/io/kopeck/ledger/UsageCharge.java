package io.kopeck.ledger;

import java.math.BigDecimal;

/**
 * A validated {@code track_cost} event as the ledger records it. {@code totalCost} is the cost the
 * Runner reported, unrounded; {@code nodeCostsJson} is its node breakdown as exact JSON text.
 */
public record UsageCharge(long userId, String eventId, String track, BigDecimal totalCost, String currency,
                          Integer apiCalls, Integer freeRequests, Long promptTokens, Long completionTokens,
                          Long totalTokens, String nodeCostsJson) implements Charge {
}

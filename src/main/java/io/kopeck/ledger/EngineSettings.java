package io.kopeck.ledger;

import io.kopeck.common.Topology;
import io.vertx.sqlclient.Pool;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.ZoneId;

/** What the billing engine needs to know, resolved once by the composition root. */
public record EngineSettings(Pool pool, Clock clock, ZoneId displayZone, BigDecimal multiplier, BigDecimal floor,
                             boolean requireSubscription, int lanes, int lanesParallelAt, int maxBatch,
                             long maxDelayMs, Topology topology) {
}

package io.kopeck.ledger;

import io.kopeck.app.KopeckConfig;
import io.vertx.sqlclient.Pool;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.ZoneId;

/** What the billing engine needs to know, resolved once from the configuration. */
public record EngineSettings(Pool pool, Clock clock, ZoneId displayZone, BigDecimal multiplier, BigDecimal floor,
                             boolean requireSubscription, int lanes, int maxBatch, long maxDelayMs) {

  public static EngineSettings of(KopeckConfig config, Pool pool, Clock clock) {
    return new EngineSettings(pool, clock, config.displayTimezone(), config.costMultiplier(), config.balanceFloor(),
        config.requireSubscription(), config.billingLanes(), config.billingBatchMaxSize(),
        config.billingBatchMaxDelayMs());
  }
}

package io.kopeck.common;

import java.math.BigDecimal;
import java.time.Duration;
import java.time.ZoneId;
import java.util.List;

/**
 * The rules every feature that moves money shares: how far a balance may fall, the time zone dates
 * are shown and months counted in, which chats hear of it, and whether a top-up by a user without
 * a subscription starts one (TOPUP_ACTIVATES_SUBSCRIPTION, paid with DEFAULT_TARIFF's fee), and how long
 * promo bonus tokens and trial tokens last (BONUS_TOKENS_TTL_DAYS; null: they never expire, SPEC §21).
 */
public record BillingRules(BigDecimal balanceFloor, ZoneId displayTimezone, List<Long> adminChatIds,
                           boolean topupActivatesSubscription, String defaultTariff, Duration bonusTokensTtl) {

  public BillingRules(BigDecimal balanceFloor, ZoneId displayTimezone, List<Long> adminChatIds) {
    this(balanceFloor, displayTimezone, adminChatIds, false, "", null);
  }
}

package io.kopeck.common;

import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.List;

/**
 * The rules every feature that moves money shares: how far a balance may fall, the time zone dates
 * are shown and months counted in, and which chats hear of it.
 */
public record BillingRules(BigDecimal balanceFloor, ZoneId displayTimezone, List<Long> adminChatIds) {
}

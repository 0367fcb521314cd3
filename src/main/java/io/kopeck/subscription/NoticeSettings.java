package io.kopeck.subscription;

import java.math.BigDecimal;
import java.util.List;

/** When subscribers are told: days before the end, and the balances below which it is low (highest first). */
public record NoticeSettings(List<Integer> subscriptionNotifyDays, List<BigDecimal> lowBalanceThresholds) {
}

package io.kopeck.subscription;

import java.math.BigDecimal;
import java.util.List;

/** When subscribers are told: days before the end, and the balance below which it is low. */
public record NoticeSettings(List<Integer> subscriptionNotifyDays, BigDecimal lowBalanceThreshold) {
}

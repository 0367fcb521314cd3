package io.kopeck.catalog;

import java.math.BigDecimal;

/**
 * How invoices are made: the tariff of custom top-ups, their bounds and rate (in roubles and in
 * Stars), the double-tap window, the expiry, how many may be pending per user.
 */
public record InvoiceSettings(String defaultTariff, int invoiceIdempotencyMinutes, int invoiceTtlHours,
                              BigDecimal minTopupRub, BigDecimal maxTopupRub, BigDecimal tokensPerRub,
                              int minTopupStars, int maxTopupStars, BigDecimal tokensPerStar,
                              boolean starsSubscriptions, int maxPendingPerUser) {
}

package io.kopeck.catalog;

import java.math.BigDecimal;

/** How invoices are made: the tariff of custom top-ups, their bounds and rate, the double-tap window, the expiry. */
public record InvoiceSettings(String defaultTariff, int invoiceIdempotencyMinutes, int invoiceTtlHours,
                              BigDecimal minTopupRub, BigDecimal maxTopupRub, BigDecimal tokensPerRub) {
}

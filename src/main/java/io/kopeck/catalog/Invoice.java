package io.kopeck.catalog;

import io.kopeck.ledger.Amounts;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;

/**
 * An invoice (SPEC §3): what the user pays (in roubles, or in Stars when the currency is XTR), what
 * they get, through which provider, and where it stands.
 */
public record Invoice(UUID id, long invId, long userId, UUID tariffId, UUID promoCodeId, BigDecimal amount,
                      BigDecimal originalAmount, BigDecimal tokens, BigDecimal bonusTokens, String periodUnit,
                      Integer periodValue, String status, String provider, String currency, String providerPaymentId,
                      boolean starSubscription, String paymentUrl, OffsetDateTime paidAt, OffsetDateTime expiresAt,
                      OffsetDateTime createdAt) {

  public static final String STARS = "XTR";

  static final String COLUMNS = "id, inv_id, user_id, tariff_id, promo_code_id, amount, original_amount, tokens, "
      + "bonus_tokens, period_unit, period_value, status, provider, currency, provider_payment_id, star_subscription, "
      + "payment_url, paid_at, expires_at, created_at";

  static Invoice of(Row row) {
    return new Invoice(row.getUUID("id"), row.getLong("inv_id"), row.getLong("user_id"), row.getUUID("tariff_id"),
        row.getUUID("promo_code_id"), row.getBigDecimal("amount"), row.getBigDecimal("original_amount"),
        row.getBigDecimal("tokens"), row.getBigDecimal("bonus_tokens"), row.getString("period_unit"),
        row.getInteger("period_value"), row.getString("status"), row.getString("provider"),
        row.getString("currency"), row.getString("provider_payment_id"), row.getBoolean("star_subscription"),
        row.getString("payment_url"), row.getOffsetDateTime("paid_at"), row.getOffsetDateTime("expires_at"),
        row.getOffsetDateTime("created_at"));
  }

  public boolean inStars() {
    return STARS.equals(currency);
  }

  /** Whole Stars, for an invoice in XTR. */
  public int stars() {
    return amount.intValueExact();
  }

  public JsonObject toJson() {
    return new JsonObject()
        .put("inv_id", invId)
        .put("user_id", userId)
        .put("amount", inStars() ? Integer.toString(stars()) : amount.toPlainString())
        .put("original_amount", inStars() ? originalAmount.toBigInteger().toString() : originalAmount.toPlainString())
        .put("currency", currency)
        .put("tokens", Amounts.tokenText(tokens))
        .put("bonus_tokens", Amounts.tokenText(bonusTokens))
        .put("period_unit", periodUnit)
        .put("period_value", periodValue)
        .put("status", status)
        .put("provider", provider)
        .put("provider_payment_id", providerPaymentId)
        .put("star_subscription", starSubscription)
        .put("payment_url", paymentUrl)
        .put("paid_at", paidAt == null ? null : paidAt.toInstant().toString())
        .put("expires_at", expiresAt.toInstant().toString())
        .put("created_at", createdAt.toInstant().toString());
  }
}

package io.kopeck.user;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.StrictJson;
import java.math.BigDecimal;

/**
 * A validated balance correction: a non-zero token amount with at most four decimals (never
 * rounded), a reason for the audit log, and the caller's idempotency key.
 */
public record Adjustment(BigDecimal amount, String reason, String idempotencyKey) {
  private static final BigDecimal LIMIT = new BigDecimal("1000000000");

  public Adjustment {
    if (amount == null || amount.signum() == 0 || amount.stripTrailingZeros().scale() > 4
        || amount.abs().compareTo(LIMIT) >= 0) {
      throw UserRefusal.INVALID_AMOUNT.because(
          "amount must be a non-zero number of tokens, at most 4 decimals, below 1000000000 in size");
    }
    if (reason == null || reason.isBlank() || reason.length() > 500) {
      throw UserRefusal.INVALID_REASON.because("reason is required, up to 500 characters");
    }
    if (idempotencyKey == null || !idempotencyKey.matches("[A-Za-z0-9._:-]{1,100}")) {
      throw UserRefusal.INVALID_IDEMPOTENCY_KEY.because(
          "idempotency_key is required: 1 to 100 of letters, digits, '.', '_', ':' and '-'");
    }
    amount = amount.setScale(4);
    reason = reason.strip();
  }

  /** From {@code {"amount": "-5", "reason": "…", "idempotency_key": "…"}}. */
  public static Adjustment fromJson(ObjectNode body) {
    BigDecimal amount;
    try {
      amount = StrictJson.decimal(body, "amount");
    } catch (IllegalArgumentException e) {
      throw UserRefusal.INVALID_AMOUNT.because(e.getMessage());
    }
    return new Adjustment(amount, text(body, "reason"), text(body, "idempotency_key"));
  }

  /** A string field of a request body, or null when it is absent or not a string. */
  static String text(ObjectNode body, String field) {
    JsonNode node = body.get(field);
    return node != null && node.isTextual() ? node.textValue() : null;
  }
}

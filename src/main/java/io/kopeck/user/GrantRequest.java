package io.kopeck.user;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.StrictJson;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;

/**
 * A validated grant (SPEC §21): the caller's id for it, a positive token amount with at most four
 * decimals (never rounded), when it ends, and why it is given.
 */
public record GrantRequest(String grantId, BigDecimal amount, OffsetDateTime expiresAt, String reason) {
  private static final BigDecimal LIMIT = new BigDecimal("1000000000");

  public GrantRequest {
    if (grantId == null || !grantId.matches("[A-Za-z0-9._:-]{1,100}")) {
      throw UserRefusal.INVALID_GRANT.because("grant_id is required: 1 to 100 of letters, digits, '.', '_', ':' and '-'");
    }
    if (amount == null || amount.signum() <= 0 || amount.stripTrailingZeros().scale() > 4 || amount.compareTo(LIMIT) >= 0) {
      throw UserRefusal.INVALID_AMOUNT.because("amount must be a positive number of tokens, at most 4 decimals, "
          + "below 1000000000");
    }
    if (expiresAt == null) {
      throw UserRefusal.INVALID_GRANT.because("expires_at is required: an ISO-8601 time with its offset");
    }
    if (reason != null && (reason.isBlank() || reason.length() > 500)) {
      throw UserRefusal.INVALID_REASON.because("reason, when given, is 1 to 500 characters");
    }
    amount = amount.setScale(4);
    expiresAt = expiresAt.withOffsetSameInstant(ZoneOffset.UTC);
    reason = reason == null ? null : reason.strip();
  }

  /** From {@code {"grant_id": "…", "amount": "50", "expires_at": "2027-01-31T00:00:00Z", "reason": "…"}}. */
  public static GrantRequest fromJson(ObjectNode body) {
    BigDecimal amount;
    try {
      amount = StrictJson.decimal(body, "amount");
    } catch (IllegalArgumentException e) {
      throw UserRefusal.INVALID_AMOUNT.because(e.getMessage());
    }
    String expires = Adjustment.text(body, "expires_at");
    OffsetDateTime expiresAt;
    try {
      expiresAt = expires == null ? null : OffsetDateTime.parse(expires);
    } catch (DateTimeParseException e) {
      throw UserRefusal.INVALID_GRANT.because("expires_at must be an ISO-8601 time with its offset, e.g. "
          + "2027-01-31T00:00:00Z");
    }
    return new GrantRequest(Adjustment.text(body, "grant_id"), amount, expiresAt, Adjustment.text(body, "reason"));
  }
}

package io.kopeck.ledger;

import java.math.BigDecimal;
import java.util.Objects;
import java.util.UUID;

/**
 * A request to change one user's balance by {@code delta} (negative = debit). The idempotency key
 * is scoped to the user and should be namespaced by its source ("invoice:…", "adjust:…").
 */
public record Posting(long userId, TransactionType type, BigDecimal delta, BalanceRule rule,
                      String idempotencyKey, UUID invoiceId, String description, String metadataJson) {

  public Posting {
    Objects.requireNonNull(type);
    Objects.requireNonNull(rule);
    delta = Amounts.exactTokens(delta);
    if (delta.signum() == 0) {
      throw new IllegalArgumentException("a posting must change the balance");
    }
    if (delta.signum() > 0 && rule != BalanceRule.CREDIT || delta.signum() < 0 && rule == BalanceRule.CREDIT) {
      throw new IllegalArgumentException("credits use BalanceRule.CREDIT, debits one of the debit rules");
    }
  }
}

package io.kopeck.subscription;

import io.kopeck.common.Refusal;

/** Why a renewal asked for by the user is refused. */
public enum SubscriptionRefusal implements Refusal {
  USER_NOT_FOUND(Kind.NOT_FOUND),
  NO_RENEWAL_TARIFF(Kind.CONFLICT),
  INSUFFICIENT_BALANCE(Kind.CONFLICT);

  private final Kind kind;

  SubscriptionRefusal(Kind kind) {
    this.kind = kind;
  }

  @Override
  public Kind kind() {
    return kind;
  }
}

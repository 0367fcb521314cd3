package io.kopeck.user;

import io.kopeck.common.Refusal;

/** Why an admin operation on an account is refused. */
public enum UserRefusal implements Refusal {
  USER_NOT_FOUND(Kind.NOT_FOUND),
  BALANCE_FLOOR(Kind.CONFLICT),
  INVALID_AMOUNT(Kind.INVALID),
  INVALID_REASON(Kind.INVALID),
  INVALID_IDEMPOTENCY_KEY(Kind.INVALID),
  INVALID_GRANT(Kind.INVALID),
  GRANT_ENDS_IN_PAST(Kind.UNPROCESSABLE),
  GRANT_CONFLICT(Kind.CONFLICT);

  private final Kind kind;

  UserRefusal(Kind kind) {
    this.kind = kind;
  }

  @Override
  public Kind kind() {
    return kind;
  }
}

package io.kopeck.events;

/** The events Kopeck sends to WEBHOOK_URL (SPEC §21). */
public enum EventType {
  USER_CREATED("user.created"),
  PAYMENT_SUCCEEDED("payment.succeeded"),
  PAYMENT_REFUNDED("payment.refunded"),
  BALANCE_LOW("balance.low"),
  SUBSCRIPTION_RENEWED("subscription.renewed"),
  SUBSCRIPTION_EXPIRED("subscription.expired"),
  RUN_FINISHED("run.finished"),
  GRANT_EXPIRED("grant.expired");

  private final String wireName;

  EventType(String wireName) {
    this.wireName = wireName;
  }

  /** The {@code type} field of the event's body. */
  public String wireName() {
    return wireName;
  }
}

package io.kopeck.ledger;

import io.vertx.core.json.JsonObject;

/** One broken ledger invariant (SPEC §2), for one user or one key. */
public record Violation(int invariant, String check, Long userId, String detail) {

  public JsonObject toJson() {
    return new JsonObject().put("invariant", invariant).put("check", check).put("user_id", userId)
        .put("detail", detail);
  }

  @Override
  public String toString() {
    return "invariant " + invariant + " (" + check + ")" + (userId == null ? "" : " user " + userId) + ": " + detail;
  }
}

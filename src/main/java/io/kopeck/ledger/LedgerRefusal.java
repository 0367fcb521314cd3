package io.kopeck.ledger;

import io.kopeck.common.Refusal;
import java.util.Locale;

/** Why the ledger refused a posting or a charge; each code is an API {@code error}. */
public enum LedgerRefusal implements Refusal {
  USER_NOT_FOUND(Kind.NOT_FOUND, "No such user"),
  BALANCE_FLOOR(Kind.CONFLICT, "The charge would take the balance below the floor; nothing was debited"),
  INSUFFICIENT_BALANCE(Kind.CONFLICT, "The balance does not cover this spend"),
  USER_BLOCKED(Kind.FORBIDDEN, "The user is blocked"),
  SUBSCRIPTION_EXPIRED(Kind.FORBIDDEN, "An active subscription is required"),
  /** A spend past the user's daily limit (usage still goes through: the run happened, SPEC §14). */
  DAILY_LIMIT_REACHED(Kind.FORBIDDEN, "This spend would pass the user's daily spending limit"),
  /** No hold has this id (SPEC §19). */
  HOLD_NOT_FOUND(Kind.NOT_FOUND, "No such hold"),
  /** The hold was released, expired or settled already; nothing changed. */
  HOLD_NOT_ACTIVE(Kind.CONFLICT, "The hold is no longer active"),
  /** The hold id belongs to another user's hold. */
  HOLD_ID_TAKEN(Kind.CONFLICT, "This hold id is taken by another user's hold"),
  /** The database refused what a usage event carries: the same event would be refused again (SPEC §11). */
  INVALID_EVENT(Kind.UNPROCESSABLE, "The database cannot store this event as it is; it will not be charged"),
  /** The same for a spend. */
  INVALID_REQUEST(Kind.INVALID, "The database cannot store this spend as it is; it will not be charged");

  private final Kind kind;
  private final String message;

  LedgerRefusal(Kind kind, String message) {
    this.kind = kind;
    this.message = message;
  }

  @Override
  public Kind kind() {
    return kind;
  }

  /** The human text of API answers. */
  public String message() {
    return message;
  }

  /** A code read back from a stored usage row (its {@code reject_reason}). */
  static LedgerRefusal ofCode(String code) {
    return valueOf(code.toUpperCase(Locale.ROOT));
  }
}

package io.kopeck.common;

import java.util.Locale;

/**
 * A feature saying no in its own words: a stable machine code (the API's {@code error}) and what
 * kind of no it is. Features declare their refusals as enums; the HTTP edge maps the kind to a
 * status and the bot maps the refusal to a text, each in one place.
 */
public interface Refusal {

  /** e.g. "tariff_not_found", the {@code error} of an API answer: an enum constant's name in lower case. */
  default String code() {
    return this instanceof Enum<?> constant ? constant.name().toLowerCase(Locale.ROOT) : getClass().getSimpleName();
  }

  Kind kind();

  /** What the caller can make of it; the HTTP edge turns each into one status. */
  enum Kind {
    /** The request itself is wrong (400). */
    INVALID,
    /** The request is well-formed but its content cannot be accepted (422). */
    UNPROCESSABLE,
    /** Something it names does not exist (404). */
    NOT_FOUND,
    /** The current state does not allow it (409). */
    CONFLICT,
    /** The account may not do it (403). */
    FORBIDDEN,
    /** A service it depends on could not be reached; nothing changed, the same call may be retried (503). */
    UNAVAILABLE
  }

  /** The failure that carries this refusal and a message for people. */
  default Refused because(String message) {
    return new Refused(this, message);
  }
}

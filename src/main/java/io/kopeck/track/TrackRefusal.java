package io.kopeck.track;

import io.kopeck.common.Refusal;

/** Why a track definition or a run of a track was refused; each code is an API {@code error}. */
public enum TrackRefusal implements Refusal {
  /** A definition with a bad field; the message names it. */
  INVALID_TRACK(Kind.INVALID),
  TRACK_NOT_FOUND(Kind.NOT_FOUND),
  TRACK_EXISTS(Kind.CONFLICT),
  /** Another track has this command. */
  COMMAND_TAKEN(Kind.CONFLICT),
  // Why a run does not start (SPEC §18), in the order they are checked.
  TRACK_INACTIVE(Kind.CONFLICT),
  USER_BLOCKED(Kind.FORBIDDEN),
  SUBSCRIPTION_REQUIRED(Kind.FORBIDDEN),
  DAILY_LIMIT_REACHED(Kind.FORBIDDEN),
  RUNNER_UNAVAILABLE(Kind.UNAVAILABLE),
  INSUFFICIENT_BALANCE(Kind.CONFLICT),
  /** The Runner refused the task (its {@code detail} is the message). */
  RUNNER_REFUSED(Kind.UNPROCESSABLE);

  private final Kind kind;

  TrackRefusal(Kind kind) {
    this.kind = kind;
  }

  @Override
  public Kind kind() {
    return kind;
  }
}

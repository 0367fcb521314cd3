package io.kopeck.usage;

/** A track_cost event that cannot be charged as sent (422 invalid_event); nothing is written. */
final class InvalidEvent extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final String eventId;

  InvalidEvent(String eventId, String message) {
    super(message, null, false, false);
    this.eventId = eventId;
  }

  String eventId() {
    return eventId;
  }
}

package io.kopeck.ledger;

/** A batch could not be committed; nothing of it was written and the charge may be retried. */
final class BatchFailedException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  BatchFailedException(Throwable cause) {
    super("billing batch not committed: " + cause.getMessage(), cause);
  }
}

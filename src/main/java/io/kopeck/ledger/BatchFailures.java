package io.kopeck.ledger;

import io.kopeck.common.SqlStates;

/**
 * Why a batch did not commit, as far as it matters for the charges in it (SPEC §11): a data or
 * constraint error is caused by something in the batch and will come back on every retry of the
 * same charges, so the culprit must be found and refused alone; anything else (connection lost,
 * serialization failure, deadlock, timeout, server shutting down) is the database's moment and
 * worth another try.
 */
final class BatchFailures {
  private BatchFailures() {
  }

  /**
   * SQLSTATE classes 22 (data exception), 23 (integrity constraint) and 54 (program limit exceeded)
   * — except 23505, a unique key taken meanwhile by another writer: retried, the charge then reads
   * that committed row and is answered as its duplicate, as exactly-once requires.
   */
  static boolean causedByContent(Throwable failure) {
    String state = SqlStates.of(failure);
    if (state == null || state.equals(SqlStates.UNIQUE_VIOLATION)) {
      return false;
    }
    String sqlClass = state.substring(0, 2);
    return sqlClass.equals("22") || sqlClass.equals("23") || sqlClass.equals("54");
  }
}

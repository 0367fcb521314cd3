package io.kopeck.common;

import io.vertx.pgclient.PgException;

/** What PostgreSQL said went wrong: the SQLSTATE of a failure, wherever in its causes it sits. */
public final class SqlStates {
  /** A unique key already taken. */
  public static final String UNIQUE_VIOLATION = "23505";

  private SqlStates() {
  }

  /** The SQLSTATE of the first PostgreSQL error among {@code failure} and its causes, or null. */
  public static String of(Throwable failure) {
    for (Throwable e = failure; e != null; e = e.getCause() == e ? null : e.getCause()) {
      if (e instanceof PgException pg && pg.getSqlState() != null) {
        return pg.getSqlState();
      }
    }
    return null;
  }

  public static boolean isUniqueViolation(Throwable failure) {
    return UNIQUE_VIOLATION.equals(of(failure));
  }
}

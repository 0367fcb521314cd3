package io.kopeck.common;

import io.vertx.sqlclient.Tuple;

/**
 * Multi-row {@code INSERT … VALUES} statements and their parameters. On Citus a VALUES insert of
 * one shard's rows is routed to that shard and commits in one phase, where {@code INSERT … SELECT}
 * from parameter arrays goes through the coordinator and commits in two.
 */
public final class ValuesSql {
  private ValuesSql() {
  }

  /**
   * "head (shared, $k::cast, …), (shared, …)": every row starts with the same leading parameters
   * ({@code shared}, numbered 1..{@code sharedCount}), then one parameter per cast.
   */
  public static String values(String head, String shared, int sharedCount, String[] casts, int rows) {
    StringBuilder sql = new StringBuilder(head);
    int next = sharedCount + 1;
    for (int row = 0; row < rows; row++) {
      sql.append(row == 0 ? "(" : ", (").append(shared);
      for (String cast : casts) {
        sql.append(", $").append(next++).append("::").append(cast);
      }
      sql.append(')');
    }
    return sql.toString();
  }

  /** The parallel column arrays as row-major parameters after {@code shared}. */
  public static Tuple rowWise(Tuple shared, Object[] columns) {
    int rows = ((Object[]) columns[0]).length;
    for (int row = 0; row < rows; row++) {
      for (Object column : columns) {
        shared.addValue(((Object[]) column)[row]);
      }
    }
    return shared;
  }
}

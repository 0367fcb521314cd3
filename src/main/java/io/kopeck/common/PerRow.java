package io.kopeck.common;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;

/**
 * One statement that names a single row, run once per row and sent in one round trip. On Citus each
 * execution is routed to its row's shard, where one statement over all the rows would run on every
 * shard.
 */
public final class PerRow {
  private PerRow() {
  }

  /** Every row the executions answered, in the order of {@code params}; nothing is sent for none. */
  public static Future<List<Row>> execute(SqlClient client, String sql, List<Tuple> params) {
    if (params.isEmpty()) {
      return Future.succeededFuture(List.of());
    }
    return client.preparedQuery(sql).executeBatch(params).map(results -> {
      List<Row> rows = new ArrayList<>();
      for (RowSet<Row> result = results; result != null; result = result.next()) {
        result.forEach(rows::add);
      }
      return rows;
    });
  }
}

package io.kopeck.common;

import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.ArrayList;
import java.util.List;
import java.util.function.UnaryOperator;

/**
 * A timer's claim of the rows it acts on, inside the caller's transaction, so that instances
 * running the same job at once never act on one row twice.
 *
 * <p>On one PostgreSQL the statement runs as written: candidates locked with {@code FOR UPDATE SKIP
 * LOCKED}. Citus locks rows of one shard per statement only (SPEC §16), so there the candidates are
 * read without a lock, then each is locked by a statement that names its row by the distribution
 * column and repeats the condition: a row changed meanwhile no longer qualifies, a row another
 * instance holds is skipped, exactly as before.
 */
public final class RowClaim {
  private final String single;
  private final String candidates;
  private final String one;
  private final List<String> keyColumns;
  private Boolean distributed;

  /**
   * @param query      SELECT … FROM … WHERE … with {@code params} parameters
   * @param order      ORDER BY … LIMIT … (its parameters among those of the query)
   * @param lock       FOR UPDATE [OF …] SKIP LOCKED
   * @param keys       the row's key as (expression in the query, column of the result) pairs, the
   *                   distribution column first
   */
  public RowClaim(String query, String order, String lock, int params, String... keys) {
    this(query, null, order, lock, params, keys);
  }

  /**
   * As above, with a condition ({@code candidateFilter}, no parameters of its own) that picks the
   * candidates but is not repeated when a candidate is locked on Citus: one Citus cannot route with
   * a lock (a correlated sub-select over the same table), true of the row while it stays unclaimed.
   */
  public RowClaim(String query, String candidateFilter, String order, String lock, int params, String... keys) {
    String filtered = candidateFilter == null ? query : query + " AND (" + candidateFilter + ")";
    this.single = filtered + " " + order + " " + lock;
    this.candidates = filtered + " " + order;
    StringBuilder onlyThisRow = new StringBuilder(query);
    List<String> columns = new ArrayList<>();
    for (int i = 0; i < keys.length; i += 2) {
      onlyThisRow.append(" AND ").append(keys[i]).append(" = $").append(params + 1 + i / 2);
      columns.add(keys[i + 1]);
    }
    this.one = onlyThisRow + " " + order + " " + lock;
    this.keyColumns = List.copyOf(columns);
  }

  /** Claims row by row whatever the database (the Citus way works on any PostgreSQL; tests use it). */
  RowClaim rowByRow() {
    distributed = true;
    return this;
  }

  /** The claimed rows, locked until the caller's transaction ends. */
  public Future<List<Row>> claim(SqlConnection tx, Tuple params) {
    return claim(tx, params, UnaryOperator.identity());
  }

  /**
   * As {@link #claim(SqlConnection, Tuple)}, where the caller will use only some of the rows (e.g.
   * one per chat): row by row, only the candidates {@code worthLocking} keeps are locked. The caller
   * still picks from what comes back.
   */
  public Future<List<Row>> claim(SqlConnection tx, Tuple params, UnaryOperator<List<Row>> worthLocking) {
    Future<Boolean> mode = distributed != null ? Future.succeededFuture(distributed)
        : Topology.read(tx).map(topology -> distributed = topology.distributed());
    return mode.compose(citus -> citus ? claimOneByOne(tx, params, worthLocking)
        : tx.preparedQuery(single).execute(params).map(RowClaim::list));
  }

  /** The candidates unlocked, then a lock statement per candidate, all sent in one round trip. */
  private Future<List<Row>> claimOneByOne(SqlConnection tx, Tuple params, UnaryOperator<List<Row>> worthLocking) {
    return tx.preparedQuery(candidates).execute(params).compose(rows -> {
      List<Tuple> locks = new ArrayList<>();
      for (Row candidate : worthLocking.apply(list(rows))) {
        Tuple onlyThis = Tuple.tuple();
        for (int i = 0; i < params.size(); i++) {
          onlyThis.addValue(params.getValue(i));
        }
        keyColumns.forEach(column -> onlyThis.addValue(candidate.getValue(column)));
        locks.add(onlyThis);
      }
      return PerRow.execute(tx, one, locks);
    });
  }

  private static List<Row> list(Iterable<Row> rows) {
    List<Row> list = new ArrayList<>();
    rows.forEach(list::add);
    return list;
  }
}

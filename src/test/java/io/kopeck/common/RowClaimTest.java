package io.kopeck.common;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.ServiceExtension;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A timer's claim, both ways: the single statement of one PostgreSQL and the row-by-row locks used
 * on Citus (which work on any PostgreSQL). Both claim the same rows and skip rows another
 * transaction holds, so two instances never act on one row.
 */
class RowClaimTest {
  private static final long FIRST = 8_800_001;

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of());
  private static Pool pool;

  @BeforeAll
  static void seed() {
    pool = service.pool();
    Http.await(pool.query("INSERT INTO users (id) SELECT g FROM generate_series(" + FIRST + ", " + (FIRST + 9) + ") g")
        .execute());
  }

  private static RowClaim claim() {
    return new RowClaim("SELECT id FROM users WHERE id BETWEEN $1 AND $2", "ORDER BY id LIMIT $3",
        "FOR UPDATE SKIP LOCKED", 3, "id", "id");
  }

  private static List<Long> ids(List<Row> rows) {
    return rows.stream().map(row -> row.getLong("id")).toList();
  }

  private static List<Long> claimIn(SqlConnection conn, RowClaim claim, int limit) {
    return ids(Http.await(claim.claim(conn, Tuple.of(FIRST, FIRST + 9, limit))));
  }

  @Test
  @DisplayName("row by row claims what the single statement claims: the first rows by the order, up to the limit")
  void sameRows() {
    List<Long> single = Http.await(pool.withTransaction(tx -> claim().claim(tx, Tuple.of(FIRST, FIRST + 9, 4))
        .map(RowClaimTest::ids)));
    List<Long> rowByRow = Http.await(pool.withTransaction(tx -> claim().rowByRow()
        .claim(tx, Tuple.of(FIRST, FIRST + 9, 4)).map(RowClaimTest::ids)));

    assertThat(single).containsExactly(FIRST, FIRST + 1, FIRST + 2, FIRST + 3);
    assertThat(rowByRow).isEqualTo(single);
  }

  @Test
  @DisplayName("row by row, only the candidates the caller keeps are locked: the others stay free for another claim")
  void locksOnlyWhatTheCallerKeeps() {
    SqlConnection first = Http.await(pool.getConnection());
    SqlConnection second = Http.await(pool.getConnection());
    try {
      Http.await(first.query("BEGIN").execute());
      Http.await(second.query("BEGIN").execute());

      List<Long> kept = ids(Http.await(claim().rowByRow().claim(first, Tuple.of(FIRST, FIRST + 9, 10),
          rows -> rows.stream().filter(row -> row.getLong("id") % 2 == 0).toList())));
      List<Long> others = claimIn(second, claim().rowByRow(), 10);

      assertThat(kept).hasSize(5).allMatch(id -> id % 2 == 0);
      assertThat(others).hasSize(5).allMatch(id -> id % 2 == 1);
    } finally {
      Http.await(first.query("ROLLBACK").execute().compose(v -> first.close()));
      Http.await(second.query("ROLLBACK").execute().compose(v -> second.close()));
    }
  }

  @Test
  @DisplayName("rows another transaction holds are skipped, both ways: two claims at once share the rows")
  void skipsRowsHeldElsewhere() {
    SqlConnection first = Http.await(pool.getConnection());
    SqlConnection second = Http.await(pool.getConnection());
    try {
      Http.await(first.query("BEGIN").execute());
      Http.await(second.query("BEGIN").execute());

      List<Long> held = claimIn(first, claim().rowByRow(), 5);
      List<Long> rest = claimIn(second, claim().rowByRow(), 10);
      List<Long> restSingle = claimIn(second, claim(), 10);

      assertThat(held).containsExactly(FIRST, FIRST + 1, FIRST + 2, FIRST + 3, FIRST + 4);
      assertThat(rest).containsExactly(FIRST + 5, FIRST + 6, FIRST + 7, FIRST + 8, FIRST + 9);
      // The second transaction holds those now itself; the first five stay the first's.
      assertThat(restSingle).containsExactlyElementsOf(rest);
    } finally {
      Http.await(first.query("ROLLBACK").execute().compose(v -> first.close()));
      Http.await(second.query("ROLLBACK").execute().compose(v -> second.close()));
    }
  }

  @Test
  @DisplayName("a candidate filter picks the rows both ways, and is left out of the row-by-row lock statements")
  void candidateFilter() {
    RowClaim odd = new RowClaim("SELECT id FROM users u WHERE id BETWEEN $1 AND $2",
        "NOT EXISTS (SELECT 1 FROM users e WHERE e.id = u.id AND e.id % 2 = 0)", "ORDER BY id LIMIT $3",
        "FOR UPDATE SKIP LOCKED", 3, "id", "id");
    List<Long> single = Http.await(pool.withTransaction(tx -> odd.claim(tx, Tuple.of(FIRST, FIRST + 9, 3))
        .map(RowClaimTest::ids)));
    RowClaim oddRowByRow = new RowClaim("SELECT id FROM users u WHERE id BETWEEN $1 AND $2",
        "NOT EXISTS (SELECT 1 FROM users e WHERE e.id = u.id AND e.id % 2 = 0)", "ORDER BY id LIMIT $3",
        "FOR UPDATE SKIP LOCKED", 3, "id", "id").rowByRow();
    List<Long> rowByRow = Http.await(pool.withTransaction(tx -> oddRowByRow.claim(tx, Tuple.of(FIRST, FIRST + 9, 3))
        .map(RowClaimTest::ids)));

    assertThat(single).hasSize(3).allMatch(id -> id % 2 == 1);
    assertThat(rowByRow).isEqualTo(single);
  }
}

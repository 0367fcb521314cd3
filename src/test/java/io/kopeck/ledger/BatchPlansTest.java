package io.kopeck.ledger;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.ServiceExtension;
import io.vertx.core.Future;
import io.vertx.sqlclient.Row;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The batch writer plans its lock, look-up of earlier usage charges, insert and balance update once
 * per connection (generic plans), possibly on a fresh install's empty tables; those plans must
 * still be primary-key probes, never scans.
 */
class BatchPlansTest {
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of());
  private static final Pattern PARAMETER = Pattern.compile("\\$(\\d+)");

  @Test
  @DisplayName("on empty tables the batch's generic plans (user lock, usage look-up, ledger + usage insert, "
      + "balance update) probe primary keys and scan no table sequentially")
  void genericPlansOnEmptyTables() {
    List<String> statements = List.of(LedgerSql.LOCK_USERS, GroupCommitWriter.FIND_USAGE, BatchStatement.LEDGER_AND_USAGE,
        LedgerSql.UPDATE_ACCOUNTS);
    String plans = Http.await(service.pool().withTransaction(tx -> {
      Future<List<String>> explained = tx.query(GroupCommitWriter.BATCH_PLANNING).execute().map(v -> new ArrayList<>());
      for (int i = 0; i < statements.size(); i++) {
        String name = "batch_" + i;
        String sql = statements.get(i);
        explained = explained.compose(lines -> tx.query("PREPARE " + name + " AS " + sql).execute()
            .compose(v -> tx.query("EXPLAIN EXECUTE " + name + nulls(sql)).execute())
            .map(rows -> {
              for (Row row : rows) {
                lines.add(row.getString(0));
              }
              return lines;
            }));
      }
      return explained.map(lines -> String.join("\n", lines));
    }));

    assertThat(plans).contains("Index Scan on users_pkey", "Index Scan using usage_charges_pkey")
        .doesNotContain("Seq Scan");
  }

  /** As many NULL arguments as the statement has parameters: a generic plan does not look at them. */
  private static String nulls(String sql) {
    int highest = 0;
    Matcher parameter = PARAMETER.matcher(sql);
    while (parameter.find()) {
      highest = Math.max(highest, Integer.parseInt(parameter.group(1)));
    }
    return "(" + String.join(", ", Collections.nCopies(highest, "NULL")) + ")";
  }
}

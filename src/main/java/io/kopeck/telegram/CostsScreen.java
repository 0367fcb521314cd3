package io.kopeck.telegram;

import io.kopeck.botapi.Html;
import io.kopeck.i18n.Texts;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.util.Map;

/** /costs (SPEC §8): total spent on runs, number of runs, average, the last 30 days, top nodes by cost. */
final class CostsScreen {
  private static final String TOTALS = """
      SELECT count(*) AS runs, coalesce(sum(tokens_charged), 0) AS spent,
        count(*) FILTER (WHERE created_at >= #{since}) AS recent_runs,
        coalesce(sum(tokens_charged) FILTER (WHERE created_at >= #{since}), 0) AS recent_spent
      FROM usage_charges WHERE user_id = #{user_id} AND status = 'charged'""";
  private static final String TOP_NODES = """
      SELECT node.key AS node, sum(node.value::text::numeric) AS cost
      FROM usage_charges u, jsonb_each(u.node_costs) node
      WHERE u.user_id = #{user_id} AND u.status = 'charged'
      GROUP BY node.key ORDER BY cost DESC, node.key LIMIT 5""";

  private final Pool pool;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> totals;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> topNodes;

  CostsScreen(Pool pool) {
    this.pool = pool;
    this.totals = SqlTemplate.forQuery(pool, TOTALS);
    this.topNodes = SqlTemplate.forQuery(pool, TOP_NODES);
  }

  Future<Void> show(Chat chat) {
    Texts texts = chat.texts();
    OffsetDateTime since = chat.now().minusDays(30);
    return totals.execute(Map.of("user_id", chat.userId(), "since", since)).compose(rows -> {
      Row totals = rows.iterator().next();
      long runs = totals.getLong("runs");
      if (runs == 0) {
        return chat.send(texts.get("costs.empty"));
      }
      BigDecimal spent = totals.getBigDecimal("spent");
      // The average is shown, not stored: rounded here to the ledger's four places.
      BigDecimal average = spent.divide(BigDecimal.valueOf(runs), 4, RoundingMode.HALF_UP);
      StringBuilder text = new StringBuilder(texts.get("costs.text", texts.tokens(spent), texts.count(runs),
          texts.tokens(average), texts.tokens(totals.getBigDecimal("recent_spent")),
          texts.count(totals.getLong("recent_runs"))));
      return topNodes.execute(Map.of("user_id", chat.userId())).compose(nodes -> {
        if (nodes.size() > 0) {
          text.append(texts.get("costs.top"));
          for (Row node : nodes) {
            text.append(texts.get("costs.node", Html.escape(node.getString("node")), texts.number(node.getBigDecimal("cost"))));
          }
        }
        return chat.send(text.toString());
      });
    });
  }
}

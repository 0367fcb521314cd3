package io.kopeck.notify;

import io.kopeck.botapi.Html;
import io.kopeck.i18n.Texts;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.Map;

/**
 * The per-run cost message (SPEC §6.2). Basic: done, tokens charged, cost in RUB, API calls and
 * tokens used; detailed adds the prompt/completion split and the cost per node. A zero-cost run
 * says "free" when free requests were used and "local model" otherwise.
 */
final class RunCostText {
  private RunCostText() {
  }

  static String render(JsonObject args, Texts t, boolean detailed) {
    int runs = args.getInteger("runs");
    String what = runs == 1 && args.getString("track") != null
        ? t.get("notice.costs.one_run", Html.escape(args.getString("track")))
        : t.get("notice.costs.runs", Integer.toString(runs));
    BigDecimal tokens = new BigDecimal(args.getString("tokens"));
    BigDecimal cost = new BigDecimal(args.getString("cost"));
    String charged = tokens.signum() > 0 ? t.get("notice.costs.charged", t.tokens(tokens), t.rubExact(cost))
        : t.get(args.getLong("free_requests", 0L) > 0 ? "notice.costs.free" : "notice.costs.local");
    StringBuilder details = new StringBuilder();
    if (args.getLong("api_calls", 0L) > 0 || args.getLong("total_tokens", 0L) > 0) {
      details.append(t.get("notice.costs.calls", count(t, args, "api_calls"), count(t, args, "total_tokens")));
    }
    if (detailed) {
      if (args.getLong("prompt_tokens", 0L) > 0 || args.getLong("completion_tokens", 0L) > 0) {
        details.append(t.get("notice.costs.detailed_split", count(t, args, "prompt_tokens"),
            count(t, args, "completion_tokens")));
      }
      JsonObject nodes = args.getJsonObject("node_costs", new JsonObject());
      if (!nodes.isEmpty()) {
        details.append(t.get("notice.costs.node_title"));
        // Most expensive first (jsonb does not keep the order they were written in).
        nodes.getMap().entrySet().stream()
            .map(node -> Map.entry(node.getKey(), new BigDecimal(node.getValue().toString())))
            .sorted(Map.Entry.<String, BigDecimal>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
            .forEach(node -> details.append(t.get("notice.costs.node", Html.escape(node.getKey()),
                t.number(node.getValue()))));
      }
    }
    return t.get("notice.costs.basic", what, charged, details.toString());
  }

  private static String count(Texts t, JsonObject args, String name) {
    return t.count(args.getLong(name, 0L));
  }
}

package io.kopeck.track;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.botapi.Html;
import io.kopeck.botapi.TelegramText;
import io.kopeck.common.StrictJson;
import io.kopeck.common.Times;
import io.kopeck.i18n.Texts;
import io.kopeck.notify.Outbox;
import io.kopeck.notify.Outbox.Rendered;
import io.kopeck.usage.BotRunEvents;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Shows a run the bot started as its events arrive (SPEC §18), through the outbox (pacing, 429, 403)
 * in stream order: {@code progress} edits the run's status message (at most once per
 * {@link #EDIT_EVERY_NANOS}); {@code bot_output} text becomes messages (Markdown rendered, the rest
 * escaped, split at 4,096 characters), a file a document; costs are recorded for the price at the end;
 * {@code result} (the legacy form) is a message. Every message is keyed by the event that made it, so
 * a stream replayed after a restart repeats nothing.
 */
final class RunOutput implements BotRunEvents {
  private static final Logger log = LoggerFactory.getLogger(RunOutput.class);
  static final long EDIT_EVERY_NANOS = 3_000_000_000L;
  private static final int MAX_CAPTION = 1024;
  private static final int MAX_PROGRESS = 300;
  private static final Pattern FILENAME = Pattern.compile("[^A-Za-z0-9._ ()\\[\\]-]");
  private static final String STATE = """
      SELECT r.status, r.status_message_id, coalesce(u.language_override, u.language_code) AS language
      FROM runner_runs r JOIN users u ON u.id = r.user_id WHERE r.user_id = $1 AND r.run_id = $2""";
  // A replayed event's cost is the same key again: recorded once.
  private static final String COST = """
      UPDATE runner_runs SET costs = costs || jsonb_build_object($3::text, $4::text), updated_at = now()
      WHERE user_id = $1 AND run_id = $2 AND status = 'following'""";

  private final Pool pool;
  private final Clock clock;
  private final String currency;
  private final TrackCatalog catalog;
  private final RunSettlement settlement;
  private final Map<String, Long> lastEdit = new ConcurrentHashMap<>();

  RunOutput(Pool pool, Clock clock, String currency, TrackCatalog catalog, RunSettlement settlement) {
    this.pool = pool;
    this.clock = clock;
    this.currency = currency;
    this.catalog = catalog;
    this.settlement = settlement;
  }

  @Override
  public Future<Boolean> event(FollowedRun run, String key, String type, ObjectNode data) {
    return pool.preparedQuery(STATE).execute(Tuple.of(run.userId(), run.runId())).compose(rows -> {
      Row state = rows.size() == 0 ? null : rows.iterator().next();
      if (state == null || !state.getString("status").equals("following")) {
        return Future.succeededFuture(false);
      }
      return show(run, key, type, data, state).map(true);
    });
  }

  @Override
  public Future<Void> ended(FollowedRun run, String status, String error) {
    lastEdit.remove(run.runId());
    return settlement.end(run.userId(), run.runId(), status, error).mapEmpty();
  }

  private Future<Void> show(FollowedRun run, String key, String type, ObjectNode data, Row state) {
    String outputType = data.path("output_type").asText("");
    if (type.equals("track_cost") || type.equals("bot_output") && outputType.equals("track_cost")) {
      return cost(run, key, data);
    }
    return switch (type) {
      case "progress" -> progress(run, key, data, state);
      case "bot_output" -> outputType.equals("file") ? file(run, key, data) : text(run, key, data);
      case "result" -> queue(run, key, TelegramText.plain(text(data, "content", "result")));
      default -> Future.succeededFuture();
    };
  }

  private Future<Void> cost(FollowedRun run, String key, ObjectNode data) {
    BigDecimal cost;
    try {
      cost = StrictJson.decimal(data, "total_cost");
    } catch (IllegalArgumentException e) {
      cost = null;
    }
    String eventCurrency = data.path("currency").asText(currency);
    if (cost == null || cost.signum() < 0 || !eventCurrency.equals(currency)) {
      log.warn("Run cost event ignored {} {} {}", kv("run_id", run.runId()), kv("event", key),
          kv("reason", cost == null || cost.signum() < 0 ? "total_cost missing or negative" : "currency " + eventCurrency));
      return Future.succeededFuture();
    }
    return pool.preparedQuery(COST).execute(Tuple.of(run.userId(), run.runId(), key, cost.toPlainString()))
        .mapEmpty();
  }

  /** The status message edited in place, at most once per 3 s (what comes between is skipped). */
  private Future<Void> progress(FollowedRun run, String key, ObjectNode data, Row state) {
    Long messageId = state.getLong("status_message_id");
    long now = System.nanoTime();
    Long last = lastEdit.get(run.runId());
    if (messageId == null || last != null && now - last < EDIT_EVERY_NANOS) {
      return Future.succeededFuture();
    }
    lastEdit.put(run.runId(), now);
    Texts t = Texts.forLanguage(state.getString("language"));
    String content = text(data, "content", "message");
    content = content.length() > MAX_PROGRESS ? content.substring(0, MAX_PROGRESS) + "…" : content;
    JsonNode percent = data.get("progress");
    String html = t.get("run.progress", Html.escape(title(run, state)), Html.escape(content),
        percent != null && percent.canConvertToInt() ? " — " + percent.intValue() + "%" : "");
    return Outbox.rendered(pool, Rendered.edit(run.userId(), "run_progress", messageId, html,
        "run:" + run.runId() + ":" + key, "run:" + run.runId()), Times.utcNow(clock));
  }

  private Future<Void> text(FollowedRun run, String key, ObjectNode data) {
    String content = text(data, "content", "text");
    boolean markdown = "markdown".equalsIgnoreCase(data.path("format").asText(""));
    return queue(run, key, markdown ? TelegramText.markdown(content) : TelegramText.plain(content));
  }

  private Future<Void> file(FollowedRun run, String key, ObjectNode data) {
    String name = FILENAME.matcher(data.path("filename").asText("output.txt")).replaceAll("_");
    String filename = name.isBlank() || name.startsWith(".") ? "output.txt" : name.length() > 64
        ? name.substring(name.length() - 64) : name;
    String caption = text(data, "caption", "title");
    caption = caption.length() > MAX_CAPTION - 10 ? caption.substring(0, MAX_CAPTION - 10) + "…" : caption;
    return Outbox.rendered(pool, Rendered.document(run.userId(), "run_file", filename, text(data, "content", "text"),
        Html.escape(caption), "run:" + run.runId() + ":" + key, "run:" + run.runId()), Times.utcNow(clock));
  }

  private Future<Void> queue(FollowedRun run, String key, List<String> messages) {
    List<Rendered> rendered = new ArrayList<>();
    for (int i = 0; i < messages.size(); i++) {
      rendered.add(Rendered.message(run.userId(), "run_output", messages.get(i), null,
          "run:" + run.runId() + ":" + key + ":" + i, "run:" + run.runId()));
    }
    return Outbox.rendered(pool, rendered, Times.utcNow(clock));
  }

  private String title(FollowedRun run, Row state) {
    Track track = catalog.cached(run.track());
    return track == null ? run.track() : track.title(state.getString("language"));
  }

  /** The first of {@code fields} that is a string, or empty. */
  private static String text(ObjectNode data, String... fields) {
    for (String field : fields) {
      if (data.path(field).isTextual()) {
        return data.get(field).textValue();
      }
    }
    return "";
  }
}

package io.kopeck.track;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.botapi.Html;
import io.kopeck.common.StrictJson;
import io.kopeck.common.Times;
import io.kopeck.events.EventType;
import io.kopeck.events.Events;
import io.kopeck.i18n.Texts;
import io.kopeck.ledger.BalanceRule;
import io.kopeck.ledger.Holds;
import io.kopeck.ledger.Ledger;
import io.kopeck.ledger.Posting;
import io.kopeck.ledger.TransactionType;
import io.kopeck.notify.Outbox;
import io.kopeck.notify.Outbox.Rendered;
import io.kopeck.track.Track.Price;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Ends a run the bot started, once (SPEC §18): in one transaction under the user's lock, the run
 * leaves {@code following}, its price is computed from the costs it reported and the price its
 * track had when it started, one ledger row keyed {@code run:<task_id>:settle} is posted (charged
 * like usage, down to the floor), its hold is settled by that charge or released, and the user's
 * "done, charged N, balance M" message is queued behind the run's output. A run that already ended
 * (cancelled meanwhile, or ended by another instance) is left as it is.
 */
final class RunSettlement {
  private static final Logger log = LoggerFactory.getLogger(RunSettlement.class);
  private static final String END = """
      UPDATE runner_runs SET status = $3, error = $4, finished_at = $5, updated_at = $5, claimed_by = NULL,
        lease_until = NULL
      WHERE user_id = $1 AND run_id = $2 AND origin = 'bot' AND status = 'following'
      RETURNING track, price::text AS price, costs::text AS costs, hold_id, ref, status_message_id,
        (SELECT coalesce(u.language_override, u.language_code) FROM users u WHERE u.id = $1) AS language""";
  private static final String CHARGED = "UPDATE runner_runs SET tokens = $3::text::numeric WHERE user_id = $1 AND run_id = $2";

  private final Pool pool;
  private final Events events;
  private final Clock clock;
  private final Ledger ledger;
  private final Holds holds;
  private final BigDecimal floor;
  private final TrackCatalog catalog;
  private final LongFunction<JsonArray> ratingButtons;

  /** {@code ratingButtons}: the bot's 🤮 😐 🤩 buttons for a run's {@code ref}. */
  RunSettlement(Pool pool, Clock clock, Ledger ledger, Holds holds, BigDecimal floor, TrackCatalog catalog,
                LongFunction<JsonArray> ratingButtons, Events events) {
    this.events = events;
    this.pool = pool;
    this.clock = clock;
    this.ledger = ledger;
    this.holds = holds;
    this.floor = floor;
    this.catalog = catalog;
    this.ratingButtons = ratingButtons;
  }

  /** Ends the run as {@code done}, {@code failed} or {@code cancelled}; false when it had ended already. */
  Future<Boolean> end(long userId, String runId, String status, String error) {
    OffsetDateTime now = Times.utcNow(clock);
    return pool.withTransaction(tx -> ledger.lockUser(tx, userId).compose(balance -> tx.preparedQuery(END)
        .execute(Tuple.of(userId, runId, status, error, now)).compose(rows -> rows.size() == 0
            ? Future.succeededFuture(false)
            : settle(tx, userId, runId, status, error, balance, rows.iterator().next()).map(true))));
  }

  private Future<Void> settle(SqlConnection tx, long userId, String runId, String status, String error,
                              BigDecimal balance, Row run) {
    String slug = run.getString("track");
    Price price = TrackDefinition.price(StrictJson.readObject(run.getString("price")));
    List<BigDecimal> costs = costs(new JsonObject(run.getString("costs")));
    BigDecimal priced = RunPrice.of(price, costs, status.equals("done"));
    // The run happened: it is charged down to the floor, and what lies beyond the floor is not charged.
    BigDecimal room = balance.subtract(floor).max(BigDecimal.ZERO);
    BigDecimal tokens = priced.min(room);
    if (tokens.compareTo(priced) < 0) {
      log.warn("Run charged down to the balance floor only {} {} {}", kv("run_id", runId), kv("priced", priced),
          kv("charged", tokens));
    }
    Posting charge = tokens.signum() == 0 ? null : new Posting(userId, TransactionType.USAGE, tokens.negate(),
        BalanceRule.DOWN_TO_FLOOR, "run:" + runId + ":settle", null, "track " + slug,
        new JsonObject().put("run_id", runId).put("track", slug).put("status", status)
            .put("reported_cost", costs.stream().reduce(BigDecimal.ZERO, BigDecimal::add).toPlainString())
            .put("multiplier", price.multiplier().toPlainString()).put("priced", priced.toPlainString()).encode());
    return holds.closeForRun(tx, userId, run.getString("hold_id"), charge).compose(closed -> {
      BigDecimal after = closed.charge() != null && closed.charge().applied() ? closed.charge().balanceAfter() : balance;
      BigDecimal charged = closed.charge() != null && closed.charge().applied() ? closed.charge().debited()
          : BigDecimal.ZERO.setScale(4);
      return tx.preparedQuery(CHARGED).execute(Tuple.of(userId, runId, charged.toPlainString()))
          .compose(v -> catalog.find(slug).map(track -> track.title(language(run))).otherwise(slug))
          .compose(title -> Outbox.rendered(tx, endMessages(userId, runId, status, error, title, charged, after,
              run), Times.utcNow(clock)))
          .compose(v -> events.emit(tx, userId, EventType.RUN_FINISHED, runId, new JsonObject().put("user_id", userId)
              .put("run_id", runId).put("track", slug).put("status", status).put("error", error)
              .put("tokens", charged.toPlainString()).put("balance", after.toPlainString())));
    });
  }

  /** The status message's last edit (it stops moving), then the final message with its buttons. */
  private List<Rendered> endMessages(long userId, String runId, String status, String error, String title,
                                     BigDecimal charged, BigDecimal balance, Row run) {
    List<Rendered> messages = new ArrayList<>();
    Long statusMessage = run.getLong("status_message_id");
    if (statusMessage != null) {
      String html = Texts.forLanguage(language(run)).get("run.status." + status, Html.escape(title));
      messages.add(Rendered.edit(userId, "run_progress", statusMessage, html, "run:" + runId + ":status",
          "run:" + runId));
    }
    messages.add(finalMessage(userId, runId, status, error, title, charged, balance, run));
    return messages;
  }

  private Rendered finalMessage(long userId, String runId, String status, String error, String title,
                                BigDecimal charged, BigDecimal balance, Row run) {
    Texts t = Texts.forLanguage(language(run));
    String html = switch (status) {
      case "done" -> t.get("run.done", Html.escape(title), t.tokens(charged), t.tokens(balance));
      case "cancelled" -> t.get("run.cancelled", Html.escape(title), t.tokens(charged), t.tokens(balance));
      default -> t.get("run.failed", Html.escape(title), Html.escape(shorten(error)), t.tokens(charged),
          t.tokens(balance));
    };
    JsonArray buttons = status.equals("done") ? ratingButtons.apply(run.getLong("ref")) : null;
    return Rendered.message(userId, "run_end", html, buttons, "run:" + runId + ":end", "run:" + runId);
  }

  private static String language(Row run) {
    return run.getString("language");
  }

  private static String shorten(String error) {
    String text = error == null || error.isBlank() ? "?" : error.strip();
    return text.length() > 1000 ? text.substring(0, 1000) + "…" : text;
  }

  private static List<BigDecimal> costs(JsonObject costs) {
    List<BigDecimal> values = new ArrayList<>();
    costs.forEach(entry -> values.add(new BigDecimal(String.valueOf(entry.getValue()))));
    return values;
  }
}

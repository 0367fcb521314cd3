package io.kopeck.payment;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.pengrad.telegrambot.model.stars.StarTransaction;
import com.pengrad.telegrambot.model.stars.partner.TransactionPartnerUser;
import com.pengrad.telegrambot.request.GetStarTransactions;
import io.kopeck.audit.AuditLog;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.botapi.BotApi;
import io.kopeck.common.BillingRules;
import io.kopeck.common.JobSummary;
import io.kopeck.common.TimerJob;
import io.kopeck.common.Times;
import io.kopeck.notify.Outbox;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stars reconciliation (SPEC §12): pages through {@code getStarTransactions} back to {@code since}
 * and compares with the payments Kopeck recorded. Reports incoming payments Kopeck has no record of
 * and recorded payments Telegram does not list; with {@code apply}, each unknown payment whose payload
 * names an invoice goes through the same exactly-once path as a successful_payment (so a second run
 * changes nothing). A payment Telegram already refunded is left alone.
 */
public final class StarsReconciliation {
  private static final Logger log = LoggerFactory.getLogger(StarsReconciliation.class);
  private static final int PAGE = 100;
  /** Never more than this many pages in one run (10,000 transactions), whatever Telegram answers. */
  private static final int MAX_PAGES = 100;
  private static final String RECORDED = """
      SELECT provider_payment_id FROM payments WHERE provider = 'stars' AND created_at >= $1""";
  private static final String KNOWN = """
      SELECT provider_payment_id FROM payments WHERE provider = 'stars' AND provider_payment_id = ANY($1)""";
  private static final String LAST_RUN = """
      SELECT max((new_value->>'ran_at')::timestamptz) AS at FROM audit_log
      WHERE action = 'stars.reconcile' AND entity_type = 'job'""";

  /** What a run found (and, with apply, credited). */
  public record Report(List<JsonObject> unknown, List<String> missingAtTelegram, int applied, int scanned) {
    public JsonObject toJson() {
      return new JsonObject().put("scanned", scanned).put("unknown", new JsonArray(new ArrayList<>(unknown)))
          .put("missing_at_telegram", new JsonArray(missingAtTelegram)).put("applied", applied);
    }
  }

  private final Pool pool;
  private final Clock clock;
  private final BotApi api;
  private final StarsPayments stars;
  private final BillingRules rules;

  public StarsReconciliation(Pool pool, Clock clock, BotApi api, StarsPayments stars, BillingRules rules) {
    this.pool = pool;
    this.clock = clock;
    this.api = api;
    this.stars = stars;
    this.rules = rules;
  }

  public Future<Report> run(OffsetDateTime since, boolean apply) {
    return transactions(since, 0, new ArrayList<>(), 0).compose(all -> compare(all, since, apply))
        .onSuccess(report -> log.info("Stars reconciliation {} {} {} {}", kv("scanned", report.scanned()),
            kv("unknown", report.unknown().size()), kv("missing_at_telegram", report.missingAtTelegram().size()),
            kv("applied", report.applied())));
  }

  /** Once a day on the timer: the last two days, report only; admins hear of anything unknown. */
  public TimerJob dailyJob() {
    return new TimerJob("stars-reconcile", () -> {
      long started = System.nanoTime();
      OffsetDateTime now = Times.utcNow(clock);
      return pool.preparedQuery(LAST_RUN).execute().compose(rows -> {
        OffsetDateTime last = rows.iterator().next().getOffsetDateTime("at");
        if (last != null && last.isAfter(now.minus(Duration.ofDays(1)))) {
          return Future.succeededFuture(JobSummary.counted("stars-reconcile", "reported", 0, started));
        }
        return run(now.minusDays(2), false).compose(report -> remember(report, now))
            .map(report -> JobSummary.counted("stars-reconcile", "reported",
                report.unknown().size() + report.missingAtTelegram().size(), started));
      });
    });
  }

  private Future<Report> remember(Report report, OffsetDateTime now) {
    boolean found = !report.unknown().isEmpty() || !report.missingAtTelegram().isEmpty();
    return pool.withTransaction(tx -> AuditLog.record(tx, new Actor("timer", null), "stars.reconcile",
            "job", "stars", null, null, report.toJson().put("ran_at", now.toString()))
        .compose(v -> !found ? Future.succeededFuture()
            : Outbox.aboutNoUser(tx, "admin_stars_reconcile", "admin.stars.reconcile",
                new JsonObject().put("unknown", report.unknown().size())
                    .put("missing", report.missingAtTelegram().size()), "stars-reconcile:" + now.toLocalDate(),
                rules.adminChatIds(), now)))
        .map(report);
  }

  /** Every transaction back to {@code since}, newest first as Telegram pages them. */
  private Future<List<StarTransaction>> transactions(OffsetDateTime since, int offset, List<StarTransaction> sofar,
                                                     int pages) {
    return api.call(new GetStarTransactions().offset(offset).limit(PAGE)).compose(answer -> {
      if (!answer.isOk() || answer.result() == null) {
        return Future.failedFuture(PaymentRefusal.PROVIDER_UNAVAILABLE.because(
            "getStarTransactions: " + answer.errorCode() + " " + answer.description()));
      }
      StarTransaction[] page = answer.result().transactions();
      boolean older = false;
      for (StarTransaction transaction : page == null ? new StarTransaction[0] : page) {
        if (transaction.date() < since.toEpochSecond()) {
          older = true;
        } else {
          sofar.add(transaction);
        }
      }
      boolean more = page != null && page.length == PAGE && !older && pages + 1 < MAX_PAGES;
      return more ? transactions(since, offset + PAGE, sofar, pages + 1) : Future.succeededFuture(sofar);
    });
  }

  private Future<Report> compare(List<StarTransaction> all, OffsetDateTime since, boolean apply) {
    Map<String, StarTransaction> incoming = new LinkedHashMap<>();
    Set<String> givenBack = new HashSet<>();
    for (StarTransaction t : all) {
      if (t.source() instanceof TransactionPartnerUser) {
        incoming.put(t.id(), t);
      } else if (t.receiver() instanceof TransactionPartnerUser) {
        givenBack.add(t.id()); // a refund carries the id of the payment it returns
      }
    }
    givenBack.forEach(incoming::remove);
    String[] ids = incoming.keySet().toArray(new String[0]);
    return pool.preparedQuery(KNOWN).execute(Tuple.of(ids)).compose(rows -> {
      Set<String> known = new HashSet<>();
      rows.forEach(row -> known.add(row.getString("provider_payment_id")));
      List<StarTransaction> unknown = incoming.values().stream().filter(t -> !known.contains(t.id())).toList();
      return pool.preparedQuery(RECORDED).execute(Tuple.of(since)).compose(recorded -> {
        List<String> missing = new ArrayList<>();
        for (Row row : recorded) {
          String id = row.getString("provider_payment_id");
          if (!incoming.containsKey(id) && !givenBack.contains(id)) {
            missing.add(id);
          }
        }
        return credit(unknown, apply).map(applied -> new Report(unknown.stream().map(StarsReconciliation::describe)
            .toList(), missing, applied, all.size()));
      });
    });
  }

  private Future<Integer> credit(List<StarTransaction> unknown, boolean apply) {
    Future<Integer> chain = Future.succeededFuture(0);
    if (!apply) {
      return chain;
    }
    for (StarTransaction t : unknown) {
      TransactionPartnerUser source = (TransactionPartnerUser) t.source();
      if (StarsPayments.invIdOf(source.invoicePayload()) == null || source.user() == null) {
        continue; // names no invoice of ours: reported, never credited
      }
      Receipt receipt = StarsPayments.receipt(source.user().id(), t.id(), source.invoicePayload(), t.amount(), "XTR",
          source.subscriptionPeriod() != null, false, null);
      chain = chain.compose(n -> stars.receive(receipt)
          .map(received -> received.outcome() == Payments.Outcome.CREDITED ? n + 1 : n));
    }
    return chain;
  }

  private static JsonObject describe(StarTransaction t) {
    TransactionPartnerUser source = (TransactionPartnerUser) t.source();
    return new JsonObject().put("charge_id", t.id()).put("amount", t.amount()).put("date", t.date())
        .put("user_id", source.user() == null ? null : source.user().id()).put("payload", source.invoicePayload());
  }
}

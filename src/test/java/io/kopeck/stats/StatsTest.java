package io.kopeck.stats;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.Invoices;
import io.kopeck.config.KopeckConfig;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MockPaymentForms;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import java.math.BigDecimal;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.util.Map;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * The admin report over three days of real purchases (mock payment pages), usage (the Runner API)
 * and a refund, each day stamped by a movable clock.
 */
class StatsTest {
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-10T09:00:00Z"));
  static final Map<String, String> SETTINGS = Map.of("ADMIN_API_KEY", TestKeys.ADMIN, "RUNNER_API_KEYS", TestKeys.RUNNER);

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(SETTINGS, CLOCK);
  private static Pool pool;
  private static Http http;
  private static Invoices invoices;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
    KopeckConfig config = service.app().config();
    invoices = MockPaymentForms.invoices(pool, CLOCK, config, service.app().httpPort());
    seedThreeDays();
  }


  private static void pay(Invoice invoice) {
    assertThat(MockPaymentForms.pay(http, invoice.paymentUrl()).status()).isEqualTo(303);
  }

  private static void run(String id, long user, String track, String cost, String nodes) {
    Http.Response answer = http.postJson("/api/v1/track-costs", TestKeys.RUNNER, "{\"event_id\": \"" + id + "\", \"user_id\": "
        + user + ", \"track\": \"" + track + "\", \"total_cost\": " + cost + ", \"currency\": \"RUB\", \"node_costs\": "
        + nodes + "}");
    assertThat(answer.status()).isEqualTo(200);
  }

  /** 10 Nov: user 61 buys Standard and runs cv twice; 11 Nov: user 62 tops up 250 and runs apply; 12 Nov: refund. */
  private static void seedThreeDays() {
    Ledgers.seedUser(pool, 61, "0");
    Ledgers.seedUser(pool, 62, "0");
    pay(Http.await(invoices.forTariff(61, "standard", null)));
    run("cv-1", 61, "cv", "0.004", "{\"greeting\": 0.001, \"farewell\": 0.001, \"cost_summary\": 0.002}");
    run("cv-2", 61, "cv", "0.004", "{\"greeting\": 0.001, \"farewell\": 0.001, \"cost_summary\": 0.002}");
    CLOCK.advance(Duration.ofDays(1));
    Invoice custom = Http.await(invoices.forAmount(62, new BigDecimal("250"), null));
    pay(custom);
    run("ap-1", 62, "apply", "1.00", "{\"llm\": 1.0}");
    CLOCK.advance(Duration.ofDays(1));
    assertThat(http.postJson("/admin/api/v1/invoices/" + custom.invId() + "/refund", TestKeys.ADMIN, "").status()).isEqualTo(200);
  }

  private static JsonObject report(String query) {
    Http.Response answer = http.get("/admin/api/v1/stats" + query, TestKeys.ADMIN);
    assertThat(answer.status()).as(answer.body()).isEqualTo(200);
    return answer.json();
  }

  @Test
  @DisplayName("three days: revenue, paying users, refunds, top-ups by tariff, usage by day, track and node, "
      + "subscriptions — the same figures live and once the closed days are rolled up")
  void threeDays() {
    assertThreeDays(report("?from=2026-11-10&to=2026-11-12"));

    int rolled = Http.await(new UsageRollup(pool, CLOCK, ZoneId.of("Europe/Moscow")).run());
    assertThat(rolled).as("10 and 11 November are closed; the 12th is today").isEqualTo(2);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM usage_daily_track")).isEqualTo(2);
    assertThat(Http.await(new UsageRollup(pool, CLOCK, ZoneId.of("Europe/Moscow")).run())).isZero();
    assertThreeDays(report("?from=2026-11-10&to=2026-11-12"));
    run("cv-3", 61, "cv", "0.004", "{\"greeting\": 0.001, \"farewell\": 0.001, \"cost_summary\": 0.002}");

    JsonObject withToday = report("?from=2026-11-10&to=2026-11-12");
    assertThat(withToday.getJsonArray("usage_by_day")).hasSize(3);
    assertThat(withToday.getJsonArray("usage_by_day").getJsonObject(2)).isEqualTo(new JsonObject()
        .put("day", "2026-11-12").put("runs", 1L).put("tokens", "0.0126").put("cost_rub", "0.004"));
    assertThat(withToday.getJsonArray("usage_by_node").getJsonObject(1)).isEqualTo(new JsonObject()
        .put("node", "cost_summary").put("calls", 3L).put("cost_rub", "0.006"));
  }

  private static void assertThreeDays(JsonObject stats) {
    assertThat(stats.getJsonObject("revenue")).isEqualTo(new JsonObject().put("paid_invoices", 2L)
        .put("revenue_rub", "749.00").put("revenue_xtr", 0L).put("paying_users", 2L).put("tokens_sold", "850.0000")
        .put("refunds", 1L).put("refunded_rub", "250.00").put("refunded_xtr", 0L));
    JsonArray topUps = stats.getJsonArray("top_ups");
    assertThat(topUps.getJsonObject(0)).isEqualTo(new JsonObject().put("tariff", "standard").put("invoices", 1L)
        .put("revenue_rub", "499.00").put("revenue_xtr", 0L).put("tokens", "600.0000"));
    assertThat(topUps.getJsonObject(1).getString("tariff")).isEqualTo("custom");
    assertThat(stats.getJsonArray("usage_by_day")).containsExactly(
        new JsonObject().put("day", "2026-11-10").put("runs", 2L).put("tokens", "0.0252").put("cost_rub", "0.008"),
        new JsonObject().put("day", "2026-11-11").put("runs", 1L).put("tokens", "3.1400").put("cost_rub", "1.00"));
    assertThat(stats.getJsonArray("usage_by_track").getJsonObject(0).getString("track")).isEqualTo("apply");
    assertThat(stats.getJsonArray("usage_by_node")).containsExactly(
        new JsonObject().put("node", "llm").put("calls", 1L).put("cost_rub", "1.0"),
        new JsonObject().put("node", "cost_summary").put("calls", 2L).put("cost_rub", "0.004"),
        new JsonObject().put("node", "farewell").put("calls", 2L).put("cost_rub", "0.002"),
        new JsonObject().put("node", "greeting").put("calls", 2L).put("cost_rub", "0.002"));
    assertThat(stats.getJsonObject("users").getLong("active_subscriptions")).isEqualTo(1);
  }

  @Test
  @DisplayName("one day only: figures of other days stay out")
  void oneDay() {
    JsonObject stats = report("?from=2026-11-11&to=2026-11-11");

    assertThat(stats.getJsonObject("revenue").getString("revenue_rub")).isEqualTo("250.00");
    assertThat(stats.getJsonObject("revenue").getLong("refunds")).isZero();
    assertThat(stats.getJsonArray("usage_by_day")).hasSize(1);
    assertThat(stats.getJsonArray("usage_by_node")).hasSize(1);
  }

  @Test
  @DisplayName("bad ranges are 400 with a JSON error; no key is 401")
  void badRanges() {
    assertThat(http.get("/admin/api/v1/stats?from=2026-13-01", TestKeys.ADMIN).json().getString("error")).isEqualTo("invalid_date");
    assertThat(http.get("/admin/api/v1/stats?from=2026-11-12&to=2026-11-10", TestKeys.ADMIN).json().getString("error"))
        .isEqualTo("invalid_range");
    assertThat(http.get("/admin/api/v1/stats?from=2024-01-01&to=2026-01-01", TestKeys.ADMIN).status()).isEqualTo(400);
    assertThat(http.get("/admin/api/v1/stats", null).status()).isEqualTo(401);
    assertThat(report("").getString("to")).isEqualTo("2026-11-12");
  }
}

package io.kopeck.track;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.BotChat;
import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.FakeTelegram.Call;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.SeedRunner;
import io.kopeck.testsupport.SeedRunner.Event;
import io.kopeck.testsupport.SeedRunner.Script;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.kopeck.testsupport.Updates;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Tracks end to end (SPEC §18, §19): updates through the webhook, a fake Telegram, a fake Runner
 * speaking the seed's wire format (the shared fixtures), a real PostgreSQL; the ledger verified after
 * every test.
 */
class TrackRunsTest {
  static final String SECRET = TestKeys.WEBHOOK_SECRET;
  static final long ADMIN_CHAT = 901;
  private static final AtomicLong USERS = new AtomicLong(770_000_000);

  private static final FakeTelegram telegram = new FakeTelegram();
  private static final SeedRunner runner = new SeedRunner();
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.ofEntries(
      Map.entry("TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN), Map.entry("TELEGRAM_WEBHOOK_SECRET", SECRET),
      Map.entry("TELEGRAM_API_URL", telegram.url()), Map.entry("ADMIN_CHAT_IDS", Long.toString(ADMIN_CHAT)),
      Map.entry("TELEGRAM_RATE_PER_CHAT", "50"), Map.entry("TELEGRAM_RATE_GLOBAL", "500"),
      Map.entry("RUNNER_API_KEYS", TestKeys.RUNNER), Map.entry("RUNNER_RATE_LIMIT", "0"),
      Map.entry("ADMIN_API_KEY", TestKeys.ADMIN), Map.entry("RUNNER_BASE_URL", runner.url()),
      Map.entry("RUNNER_STREAM_KEY", SeedRunner.KEY), Map.entry("RUNNER_STREAM_BACKOFF_MS", "50"),
      Map.entry("RUNNER_STREAM_LEASE_SECONDS", "6"), Map.entry("DB_POOL_SIZE", "16"),
      Map.entry("COST_MESSAGE_WINDOW_MS", "300")));
  private static Pool pool;
  private static Http http;
  private static BotChat chat;

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
    chat = new BotChat(telegram, http, SECRET);
    define("""
        {"slug": "summary", "command": "summary", "title": {"ru": "Выжимка", "en": "Summary"},
         "description": {"en": "Summarise a text"},
         "input": {"kind": "text", "field": "text", "max_chars": 500},
         "runner": {"path": "/summarise", "user_field": "telegram_id"},
         "price": {"multiplier": "2", "minimum": "0", "on_failure": "free"}, "hold": "5", "sort_order": 1}""");
    define("""
        {"slug": "cv", "command": "cv", "title": {"ru": "Анализ резюме", "en": "CV review"},
         "input": {"kind": "file", "field": "file", "max_bytes": 1024, "extensions": ["pdf", "txt"]},
         "runner": {"path": "/analyze-cv"},
         "price": {"multiplier": "3.14", "fallback": "1", "on_failure": "free"}, "hold": "1", "sort_order": 2}""");
    define("""
        {"slug": "skills", "command": "skills", "title": {"en": "Skills"},
         "input": {"kind": "urls", "field": "vacancies_list", "max_items": 3},
         "runner": {"path": "/api/skills/analyze"},
         "price": {"fixed": "1"}, "hold": "1", "sort_order": 3}""");
  }

  @AfterAll
  static void stop() {
    telegram.close();
    runner.close();
  }

  private static JsonObject define(String json) {
    Http.Response created = http.postJson("/admin/api/v1/tracks", TestKeys.ADMIN, json);
    assertThat(created.status()).as(created.body()).isEqualTo(201);
    return created.json();
  }

  private static JsonObject newUser(String balance) {
    long id = USERS.incrementAndGet();
    Ledgers.seedUser(pool, id, balance);
    return Updates.user(id, "Ann", "Lee", "en");
  }

  private static long id(JsonObject user) {
    return user.getLong("id");
  }

  /** Runs {@code command} with {@code input} to its end; the run's row once settled. */
  private static Row runToEnd(JsonObject user, String command, String input) {
    chat.say(user, "/" + command, command.equals("summary") ? "send the text" : "");
    chat.post(Updates.text(user, input));
    return settled(user);
  }

  private static Row settled(JsonObject user) {
    return Eventually.until(() -> lastRun(user), row -> row != null && !row.getString("status").equals("following"),
        20);
  }

  private static Row lastRun(JsonObject user) {
    var rows = Http.await(pool.preparedQuery("""
        SELECT run_id, status, tokens, rating, hold_id, ref, track, error FROM runner_runs
        WHERE user_id = $1 ORDER BY created_at DESC LIMIT 1""").execute(Tuple.of(id(user))));
    return rows.size() == 0 ? null : rows.iterator().next();
  }

  private static BigDecimal held(JsonObject user) {
    return Http.await(pool.preparedQuery("SELECT held FROM users WHERE id = $1").execute(Tuple.of(id(user))))
        .iterator().next().getBigDecimal(0);
  }

  private static List<Call> callsTo(JsonObject user) {
    return telegram.calls().stream().filter(c -> c.params().containsKey("chat_id") && c.chatId() == id(user)).toList();
  }

  /** The run's final message (its buttons with it), waited for. */
  private static Call finalMessage(JsonObject user) {
    return telegram.awaitOne("sendMessage", id(user), c -> c.text() != null && c.text().contains("Charged"));
  }

  @Test
  @DisplayName("a text track: the task made by multipart form, the seed stream shown in order (progress edited, Markdown rendered and escaped, the file sent), charged once by its price, the hold released, the rating stored")
  void textTrack() {
    JsonObject user = newUser("100");
    runner.nextTask(id(user), new Script(SeedRunner.fixture("task_stream_ok.sse")));

    Call prompt = chat.say(user, "/summary", "send the text");
    chat.post(Updates.text(user, "Python developer, 4 years"));
    Row run = settled(user);
    Call last = finalMessage(user);

    SeedRunner.Received task = runner.received().stream().filter(r -> run.getString("run_id").equals(r.taskId()))
        .findFirst().orElseThrow();
    assertThat(prompt.text()).contains("Summary").contains("500");
    assertThat(task.path()).isEqualTo("/summarise");
    assertThat(task.fields()).containsEntry("telegram_id", Long.toString(id(user)))
        .containsEntry("text", "Python developer, 4 years");
    assertThat(run.getString("status")).isEqualTo("done");
    // 0.004 RUB reported × 2 = 0.008, no minimum: one ledger row under the run's settle key.
    assertThat(run.getBigDecimal("tokens")).isEqualByComparingTo("0.008");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1 AND idempotency_key = $2",
        id(user), "run:" + run.getString("run_id") + ":settle")).isEqualTo(1);
    assertThat(Ledgers.balance(pool, id(user))).isEqualByComparingTo("99.992");
    assertThat(held(user)).isEqualByComparingTo("0");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM holds WHERE user_id = $1 AND hold_id = $2 AND status = 'settled'",
        id(user), "run:" + run.getString("run_id"))).isEqualTo(1);

    List<Call> calls = callsTo(user);
    Call starting = calls.stream().filter(c -> "sendMessage".equals(c.method()) && c.text().contains("starting"))
        .findFirst().orElseThrow();
    Call output = calls.stream().filter(c -> c.method().equals("sendMessage") && c.text().contains("Итог"))
        .findFirst().orElseThrow();
    Call file = telegram.awaitOne("sendDocument", id(user), c -> true);
    assertThat(output.text()).isEqualTo("<b>Итог</b>: резюме подходит для 7 из 10 вакансий.\n\n"
        + "<i>Сильные стороны</i>: Python, SQL.\nСлабое место: нет ссылок на проекты &lt;script&gt;");
    assertThat(output.params().getString("parse_mode")).isEqualTo("HTML");
    assertThat(file.params().getString("document_filename")).isEqualTo("cv_analysis.md");
    assertThat(file.params().getString("caption")).isEqualTo("Полный разбор");
    assertThat(file.params().getString("document_content")).startsWith("## Анализ резюме");
    assertThat(calls.indexOf(output)).isLessThan(calls.indexOf(file));
    assertThat(calls.indexOf(file)).isLessThan(calls.indexOf(last));
    assertThat(calls.stream().filter(c -> c.method().equals("editMessageText")
        && c.params().getValue("message_id").toString().equals(starting.messageId().toString())))
        .extracting(Call::text).anyMatch(text -> text.contains("Executing node: parse_cv"));
    assertThat(last.text()).contains("Summary: done. Charged 0.008").contains("balance 99.992");
    assertThat(last.buttons()).hasSize(3);

    int before = telegram.calls().size();
    chat.post(Updates.press(user, last.messageId(), last.buttons().get(2)));
    telegram.awaitAnswer(c -> telegram.calls().indexOf(c) >= before);
    assertThat(lastRun(user).getShort("rating")).isEqualTo((short) 3);
    JsonObject stats = http.get("/admin/api/v1/stats", TestKeys.ADMIN).json();
    assertThat(stats.getJsonArray("bot_runs_by_track").stream().map(JsonObject.class::cast)
        .filter(t -> t.getString("track").equals("summary")).findFirst().orElseThrow().getInteger("ratings"))
        .isGreaterThanOrEqualTo(1);
  }

  @Test
  @DisplayName("a file track: the document fetched from Telegram and sent to the Runner as a file part; too large or the wrong kind is refused with no task")
  void fileTrack() {
    JsonObject user = newUser("10");
    byte[] cv = "Ann Lee, Python developer".getBytes(StandardCharsets.UTF_8);
    telegram.addFile("cv-" + id(user), cv);
    telegram.addFile("big-" + id(user), new byte[2000]);
    int tasksBefore = runner.received().size();

    chat.say(user, "/cv", "send the file");
    chat.post(Updates.document(user, "big-" + id(user), "cv.txt", "text/plain", 2000));
    telegram.awaitOne("sendMessage", id(user), c -> c.text().contains("too large"));
    chat.post(Updates.document(user, "cv-" + id(user), "cv.docx", "application/msword", cv.length));
    telegram.awaitOne("sendMessage", id(user), c -> c.text().contains("not taken here"));
    assertThat(runner.received()).hasSize(tasksBefore);

    runner.nextTask(id(user), new Script(List.of(Event.of(new JsonObject().put("type", "bot_output").put("output_type", "text")
        .put("content", "Looks fine")), Event.of(new JsonObject().put("type", "complete")))));
    chat.post(Updates.document(user, "cv-" + id(user), "cv.txt", "text/plain", cv.length));
    Row run = settled(user);

    SeedRunner.Received task = runner.received().get(runner.received().size() - 1);
    assertThat(task.path()).isEqualTo("/analyze-cv");
    assertThat(task.filename()).isEqualTo("cv.txt");
    assertThat(task.file()).isEqualTo(cv);
    assertThat(task.fields()).containsEntry("telegram_id", Long.toString(id(user)));
    // No cost arrived: the fallback, 1 token, without the multiplier.
    assertThat(run.getBigDecimal("tokens")).isEqualByComparingTo("1");
    assertThat(finalMessage(user).text()).contains("CV review: done. Charged 1");
  }

  static Stream<Arguments> priceRules() {
    Event cost = Event.of(new JsonObject().put("type", "track_cost").put("total_cost", "0.5").put("currency", "RUB"));
    Event botCost = Event.of(new JsonObject().put("type", "bot_output").put("output_type", "track_cost")
        .put("total_cost", 0.25).put("currency", "RUB"));
    Event done = Event.of(new JsonObject().put("type", "done"));
    Event error = Event.of(new JsonObject().put("type", "error").put("content", "Вакансия не найдена"));
    return Stream.of(
        Arguments.of("multiplier: Σ costs × 3 (two events, both forms)", "{\"multiplier\": \"3\"}",
            List.of(cost, botCost, done), "2.25"),
        Arguments.of("minimum: above Σ × multiplier", "{\"multiplier\": \"3\", \"minimum\": \"5\"}",
            List.of(cost, done), "5"),
        Arguments.of("fallback: no cost arrived", "{\"multiplier\": \"3\", \"minimum\": \"5\", \"fallback\": \"0.7\"}",
            List.of(done), "0.7"),
        Arguments.of("fixed: whatever the costs", "{\"multiplier\": \"3\", \"fixed\": \"4\"}",
            List.of(cost, done), "4"),
        Arguments.of("cap: at most", "{\"multiplier\": \"100\", \"cap\": \"10\"}", List.of(cost, done), "10"),
        Arguments.of("on_failure free", "{\"multiplier\": \"3\", \"on_failure\": \"free\"}", List.of(cost, error), "0"),
        Arguments.of("on_failure cost", "{\"multiplier\": \"3\", \"minimum\": \"5\", \"on_failure\": \"cost\"}",
            List.of(cost, error), "1.5"),
        Arguments.of("on_failure minimum", "{\"multiplier\": \"3\", \"minimum\": \"2\", \"on_failure\": \"minimum\"}",
            List.of(cost, error), "2"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("priceRules")
  @DisplayName("each price rule, through a whole run")
  void priceRule(String rule, String price, List<Event> events, String expected) {
    String slug = "p" + Math.abs(rule.hashCode() % 100000);
    define("""
        {"slug": "%s", "command": "%s", "title": {"en": "Priced"}, "input": {"kind": "text", "field": "q"},
         "runner": {"path": "/priced"}, "price": %s, "hold": "1"}""".formatted(slug, slug, price));
    JsonObject user = newUser("50");
    runner.nextTask(id(user), new Script(events));

    chat.say(user, "/" + slug, "Priced");
    chat.post(Updates.text(user, "go"));
    Row run = settled(user);

    assertThat(run.getBigDecimal("tokens")).as(rule).isEqualByComparingTo(expected);
    assertThat(Ledgers.balance(pool, id(user))).as(rule).isEqualByComparingTo(new BigDecimal("50").subtract(
        new BigDecimal(expected)));
    assertThat(held(user)).isEqualByComparingTo("0");
    if (run.getString("status").equals("failed")) {
      assertThat(finalMessage(user).text()).contains("Вакансия не найдена");
    }
  }

  @Test
  @DisplayName("not enough available for the hold: no task, a top-up button; a Runner refusing shows its detail escaped and releases the hold")
  void refusedBeforeOrByTheRunner() {
    JsonObject poor = newUser("4");
    int before = runner.received().size();
    chat.say(poor, "/summary", "send the text");
    chat.post(Updates.text(poor, "text"));
    Call refused = telegram.awaitOne("sendMessage", id(poor), c -> c.text().contains("Not enough tokens"));
    assertThat(refused.buttons()).isNotEmpty();
    assertThat(runner.received()).hasSize(before);

    JsonObject user = newUser("20");
    runner.refuseNext(400, "Файл слишком большой: <максимум> 1 МБ");
    chat.say(user, "/summary", "send the text");
    chat.post(Updates.text(user, "text"));
    Call detail = telegram.awaitOne("editMessageText", id(user), c -> c.text().contains("did not start"));
    assertThat(detail.text()).contains("Файл слишком большой: &lt;максимум&gt; 1 МБ");
    assertThat(held(user)).isEqualByComparingTo("0");
    assertThat(lastRun(user)).isNull();
    assertThat(Ledgers.balance(pool, id(user))).isEqualByComparingTo("20");
  }

  @Test
  @DisplayName("an unhealthy Runner: no task, nothing held, the maintenance message; /healthcheck asks the Runner now")
  void unhealthyRunner() {
    JsonObject user = newUser("20");
    JsonObject admin = Updates.user(ADMIN_CHAT, "Admin", "A", "en");
    int before = runner.received().size();
    runner.healthy(false);
    try {
      // The admins' check asks the Runner now, and what it hears is what the next 30 s of starts believe.
      chat.post(Updates.text(admin, "/healthcheck"));
      telegram.awaitOne("sendMessage", ADMIN_CHAT, c -> c.text().contains("NOT healthy"));
      chat.say(user, "/summary", "send the text");
      chat.post(Updates.text(user, "hello"));
      telegram.awaitOne("sendMessage", id(user), c -> c.text().contains("maintenance"));
      assertThat(held(user)).isEqualByComparingTo("0");
      assertThat(lastRun(user)).isNull();
      assertThat(runner.received()).hasSize(before);
    } finally {
      runner.healthy(true);
      int calls = telegram.calls().size();
      chat.post(Updates.text(admin, "/healthcheck"));
      telegram.awaitOne("sendMessage", ADMIN_CHAT, c -> telegram.calls().indexOf(c) >= calls
          && c.text().contains("healthy ✅"));
    }
  }

  @Test
  @DisplayName("/cancel mid-stream: the run is cancelled and priced by on_failure, the hold released, later output not shown")
  void cancelMidStream() {
    define("""
        {"slug": "slow", "command": "slow", "title": {"en": "Slow"}, "input": {"kind": "text", "field": "q"},
         "runner": {"path": "/slow"}, "price": {"multiplier": "2", "on_failure": "cost"}, "hold": "3"}""");
    JsonObject user = newUser("30");
    Event cost = Event.of(new JsonObject().put("type", "track_cost").put("total_cost", "1").put("currency", "RUB"));
    Event late = Event.of(new JsonObject().put("type", "bot_output").put("output_type", "text")
        .put("content", "too late to show"));
    runner.nextTask(id(user), new Script(List.of(cost, late, Event.of(new JsonObject().put("type", "done"))), 1, 0));

    chat.say(user, "/slow", "Slow");
    chat.post(Updates.text(user, "go"));
    Eventually.until(() -> Ledgers.count(pool, "SELECT count(*) FROM runner_runs WHERE user_id = $1 AND costs <> '{}'",
        id(user)), n -> n == 1, 20);
    assertThat(held(user)).isEqualByComparingTo("3");
    assertThat(chat.say(user, "/balance", "Held for runs in progress").text())
        .contains("Held for runs in progress: 3 tokens. Available: 27 tokens.");
    chat.say(user, "/cancel", "cancelled");
    Row run = settled(user);
    runner.release(run.getString("run_id"));

    assertThat(run.getString("status")).isEqualTo("cancelled");
    assertThat(run.getBigDecimal("tokens")).isEqualByComparingTo("2");
    assertThat(held(user)).isEqualByComparingTo("0");
    assertThat(finalMessage(user).text()).contains("Slow: cancelled. Charged 2");
    Eventually.until(() -> runner.connections(run.getString("run_id")), n -> n >= 1, 5);
    sleepQuietly(1_000);
    assertThat(telegram.calls("sendMessage", c -> c.chatId() == id(user) && c.text().contains("too late"))).isEmpty();
  }

  @Test
  @DisplayName("a second track command while a run goes: the first is cancelled, the second starts")
  void secondCommandCancelsTheFirst() {
    JsonObject user = newUser("30");
    runner.nextTask(id(user), new Script(List.of(Event.of(new JsonObject().put("type", "progress").put("content", "x")),
        Event.of(new JsonObject().put("type", "done"))), 1, 0));
    chat.say(user, "/summary", "send the text");
    chat.post(Updates.text(user, "first"));
    Row first = Eventually.until(() -> lastRun(user), row -> row != null, 20);

    runner.nextTask(id(user), new Script(List.of(Event.of(new JsonObject().put("type", "done")))));
    chat.say(user, "/skills", "links");
    chat.post(Updates.text(user, "https://hh.ru/vacancy/1\nhttps://hh.ru/vacancy/2"));
    Row second = Eventually.until(() -> lastRun(user),
        row -> row != null && !row.getString("run_id").equals(first.getString("run_id"))
            && row.getString("status").equals("done"), 20);
    runner.release(first.getString("run_id"));

    assertThat(Http.await(pool.preparedQuery("SELECT status FROM runner_runs WHERE run_id = $1")
        .execute(Tuple.of(first.getString("run_id")))).iterator().next().getString("status")).isEqualTo("cancelled");
    assertThat(second.getBigDecimal("tokens")).isEqualByComparingTo("1");
    assertThat(runner.received().get(runner.received().size() - 1).fields())
        .containsEntry("vacancies_list", "https://hh.ru/vacancy/1\nhttps://hh.ru/vacancy/2");
    assertThat(held(user)).isEqualByComparingTo("0");
  }

  @Test
  @DisplayName("50 users start runs at once: 50 tasks, 50 settlements, one ledger row each")
  void fiftyUsersAtOnce() {
    List<JsonObject> users = new ArrayList<>();
    for (int i = 0; i < 50; i++) {
      users.add(newUser("20"));
    }
    users.forEach(user -> chat.post(Updates.text(user, "/summary")));
    Eventually.until(() -> Ledgers.count(pool, "SELECT count(*) FROM bot_sessions WHERE user_id = ANY($1)",
        (Object) users.stream().map(TrackRunsTest::id).toArray(Long[]::new)), n -> n == 50, 30);
    users.forEach(user -> chat.post(Updates.text(user, "text of " + id(user))));

    Long[] ids = users.stream().map(TrackRunsTest::id).toArray(Long[]::new);
    Eventually.until(() -> Ledgers.count(pool, "SELECT count(*) FROM runner_runs WHERE user_id = ANY($1) AND status = 'done'",
        (Object) ids), n -> n == 50, 60);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = ANY($1) AND idempotency_key LIKE 'run:%:settle'",
        (Object) ids)).isEqualTo(50);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM users WHERE id = ANY($1) AND held = 0 AND token_balance = 19.992",
        (Object) ids)).isEqualTo(50);
  }

  @Test
  @DisplayName("a cost the API reports for a defined track uses that track's multiplier; GET /api/v1/runs/{id} names track and origin")
  void apiCostsUseTheTrackMultiplier() {
    JsonObject user = newUser("20");
    Http.Response charged = http.postJson("/api/v1/track-costs", TestKeys.RUNNER, new JsonObject()
        .put("event_id", "api-" + id(user)).put("user_id", id(user)).put("track", "summary").put("total_cost", "1.5")
        .put("currency", "RUB").encode());
    Http.Response other = http.postJson("/api/v1/track-costs", TestKeys.RUNNER, new JsonObject()
        .put("event_id", "api2-" + id(user)).put("user_id", id(user)).put("track", "not_defined")
        .put("total_cost", "1").put("currency", "RUB").encode());

    assertThat(charged.json().getString("tokens_charged")).isEqualTo("3.0000");
    assertThat(other.json().getString("tokens_charged")).isEqualTo("3.1400");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM usage_charges WHERE user_id = $1 AND multiplier = 2",
        id(user))).isEqualTo(1);

    runner.nextTask(id(user), new Script(SeedRunner.fixture("task_stream_ok.sse")));
    Row run = runToEnd(user, "summary", "x");
    JsonObject shown = http.get("/api/v1/runs/" + run.getString("run_id"), TestKeys.RUNNER).json();
    assertThat(shown.getString("track")).isEqualTo("summary");
    assertThat(shown.getString("origin")).isEqualTo("bot");
    assertThat(shown.getString("status")).isEqualTo("done");
    assertThat(shown.getString("tokens_charged")).isEqualTo("0.0080");
  }

  @Test
  @DisplayName("definitions: bad fields are 400 naming the field, a built-in or taken command 409/400, changes audited; /help and the start menu show tracks")
  void definitions() {
    for (String[] bad : List.of(
        new String[] {"{\"slug\": \"x1\", \"command\": \"x1\", \"title\": {\"en\": \"X\"}, \"input\": {\"kind\": \"pdf\"}, \"runner\": {\"path\": \"/x\"}}", "input.kind"},
        new String[] {"{\"slug\": \"x2\", \"command\": \"balance\", \"title\": {\"en\": \"X\"}, \"input\": {\"kind\": \"none\"}, \"runner\": {\"path\": \"/x\"}}", "command /balance"},
        new String[] {"{\"slug\": \"x3\", \"command\": \"x3\", \"title\": {\"en\": \"X\"}, \"input\": {\"kind\": \"none\"}, \"runner\": {\"path\": \"/x\"}, \"price\": {\"minimum\": \"5\", \"cap\": \"1\"}}", "price.cap"},
        new String[] {"{\"slug\": \"x4\", \"command\": \"x4\", \"title\": {\"en\": \"X\"}, \"input\": {\"kind\": \"none\"}, \"runner\": {\"path\": \"http://evil/x\"}}", "runner.path"},
        new String[] {"{\"slug\": \"x5\", \"command\": \"x5\", \"title\": {\"en\": \"X\"}, \"input\": {\"kind\": \"none\"}, \"runner\": {\"path\": \"/x\"}, \"price\": {\"on_failur\": \"free\"}}", "price.on_failur"},
        new String[] {"{\"slug\": \"x6\", \"command\": \"x6\", \"title\": {\"en\": \"X\"}, \"input\": {\"kind\": \"none\"}, \"runner\": {\"path\": \"/x\"}, \"price\": {\"multiplier\": \"-1\"}}", "price.multiplier"},
        new String[] {"{\"slug\": \"x7\", \"command\": \"x7\", \"title\": {\"en\": \"X\"}, \"input\": {\"kind\": \"none\"}, \"runner\": {\"path\": \"/x\"}, \"price\": {\"multiplier\": 1e999999}}", "number"})) {
      Http.Response answer = http.postJson("/admin/api/v1/tracks", TestKeys.ADMIN, bad[0]);
      assertThat(answer.status()).as(bad[0]).isEqualTo(400);
      assertThat(answer.json().getString("message")).as(bad[0]).contains(bad[1]);
    }
    Http.Response taken = http.postJson("/admin/api/v1/tracks", TestKeys.ADMIN, """
        {"slug": "other", "command": "summary", "title": {"en": "X"}, "input": {"kind": "none"}, "runner": {"path": "/x"}}""");
    assertThat(taken.status()).isEqualTo(409);
    assertThat(taken.json().getString("error")).isEqualTo("command_taken");

    define("""
        {"slug": "temp", "command": "temp", "title": {"en": "Temp"}, "input": {"kind": "none"}, "runner": {"path": "/t"}}""");
    Http.Response patched = Http.await(http.send(HttpMethod.PATCH, "/admin/api/v1/tracks/temp", TestKeys.ADMIN,
        "application/json", "{\"price\": {\"multiplier\": \"7\"}, \"is_active\": false}"));
    assertThat(patched.status()).as(patched.body()).isEqualTo(200);
    assertThat(patched.json().getJsonObject("price").getString("multiplier")).isEqualTo("7");
    assertThat(patched.json().getBoolean("is_active")).isFalse();
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM audit_log WHERE entity_type = 'track' AND entity_id = 'temp'"))
        .isEqualTo(2);
    JsonArray listed = http.get("/admin/api/v1/tracks", TestKeys.ADMIN).json().getJsonArray("tracks");
    assertThat(listed.stream().map(t -> ((JsonObject) t).getString("slug"))).contains("summary", "cv", "temp");

    List<Call> menus = telegram.await("setMyCommands", c -> "en".equals(c.params().getString("language_code"))
        && c.params().getJsonArray("commands").encode().contains("\"command\":\"cv\""), 1, 10);
    Call menu0 = menus.get(menus.size() - 1);
    List<String> commands = menu0.params().getJsonArray("commands").stream()
        .map(c -> ((JsonObject) c).getString("command")).toList();
    // start, then the tracks' commands, then the bot's own.
    assertThat(commands.get(0)).isEqualTo("start");
    assertThat(commands.indexOf("summary")).isPositive().isLessThan(commands.indexOf("balance"));
    assertThat(menu0.params().getJsonArray("commands").encode()).contains("\"description\":\"CV review\"");

    JsonObject user = newUser("1");
    Call help = chat.say(user, "/help", "Tracks");
    assertThat(help.text()).contains("/summary — Summary").contains("/cv — CV review").doesNotContain("/temp");
    int before = telegram.calls().size();
    chat.post(Updates.text(user, "/start"));
    Call menu = telegram.awaitOne("sendMessage", id(user), c -> telegram.calls().indexOf(c) >= before
        && c.text().contains("What shall I run"));
    assertThat(menu.buttons()).contains("1:trk:summary", "1:trk:cv");
  }

  private static void sleepQuietly(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }
}

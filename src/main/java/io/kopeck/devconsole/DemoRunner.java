package io.kopeck.devconsole;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.StrictJson;
import io.kopeck.web.HttpRoutes;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.security.MessageDigest;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * A Runner inside the console (SPEC §18), speaking the seed Runner's wire format at
 * {@code /dev/runner}: {@code GET /health}, {@code POST /demo} (multipart: {@code telegram_id},
 * {@code text}) answering a task, and {@code GET /tasks/{id}/stream}, whose server-sent events are
 * progress, two outputs (Markdown and plain), a file and a cost, then {@code complete}: the first
 * minute with the console shows a whole priced run of the {@code demo} track.
 */
public final class DemoRunner implements HttpRoutes {
  private static final long STEP_MS = 700;
  private static final String TRACK = """
      {"slug": "demo", "command": "demo", "title": {"ru": "Демо-трек", "en": "Demo track"},
       "description": {"ru": "Пример запуска: пришлите любой текст", "en": "A sample run: send any text"},
       "input": {"kind": "text", "field": "text", "max_chars": 2000},
       "runner": {"path": "/demo", "user_field": "telegram_id"},
       "price": {"multiplier": "3.14", "minimum": "0.1", "fallback": "1", "fixed": null, "cap": "50",
                 "on_failure": "free"},
       "hold": "1", "requires_subscription": false, "sort_order": 0, "is_active": true}""";

  /** The demo tasks this process created, by id (the text each was given), shared by every HTTP verticle. */
  public static final class Tasks {
    private final Map<String, String> texts = new ConcurrentHashMap<>();
  }

  private final Tasks tasks;
  private final String key;

  /** {@code key}: RUNNER_STREAM_KEY, which Kopeck sends as {@code X-API-Key}. */
  public DemoRunner(Tasks tasks, String key) {
    this.tasks = tasks;
    this.key = key;
  }

  /** The demo track's definition, seeded in console mode when no track is defined. */
  public static ObjectNode track() {
    return StrictJson.readObject(TRACK);
  }

  @Override
  public void mount(Router router) {
    router.route("/dev/runner/*").handler(this::authorized);
    router.get("/dev/runner/health").handler(ctx -> ctx.json(new JsonObject().put("status", "healthy")));
    router.post("/dev/runner/demo").handler(HttpRoutes.body(64 * 1024)).handler(this::create);
    router.get("/dev/runner/tasks/:id/stream").handler(this::stream);
  }

  private void authorized(RoutingContext ctx) {
    String given = ctx.request().getHeader("X-API-Key");
    if (given == null || !MessageDigest.isEqual(given.getBytes(), key.getBytes())) {
      ctx.response().setStatusCode(401).end(new JsonObject().put("detail", "Invalid API key").encode());
      return;
    }
    ctx.next();
  }

  private void create(RoutingContext ctx) {
    String text = ctx.request().getFormAttribute("text");
    if (text == null || text.isBlank()) {
      ctx.response().setStatusCode(422).end(new JsonObject().put("detail", "text is required").encode());
      return;
    }
    String id = UUID.randomUUID().toString();
    tasks.texts.put(id, text);
    ctx.json(new JsonObject().put("task_id", id).put("status", "queued").put("queue_position", 0)
        .put("stream_url", "/tasks/" + id + "/stream"));
  }

  private void stream(RoutingContext ctx) {
    String text = tasks.texts.get(ctx.pathParam("id"));
    if (text == null) {
      ctx.response().setStatusCode(404).end(new JsonObject().put("detail", "No such task").encode());
      return;
    }
    String lastId = ctx.request().getHeader("Last-Event-ID");
    int from = lastId == null ? 0 : Math.max(0, parse(lastId));
    HttpServerResponse response = ctx.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-store");
    response.write(": demo runner\n\n");
    play(ctx, response, events(text), from);
  }

  private void play(RoutingContext ctx, HttpServerResponse response, List<JsonObject> events, int index) {
    if (response.closed()) {
      return;
    }
    if (index >= events.size()) {
      response.end();
      return;
    }
    JsonObject event = events.get(index);
    response.write("id: " + (index + 1) + "\nevent: " + event.getString("type") + "\ndata: " + event.encode() + "\n\n");
    ctx.vertx().setTimer(STEP_MS, id -> play(ctx, response, events, index + 1));
  }

  private static List<JsonObject> events(String text) {
    int words = text.strip().split("\\s+").length;
    String cost = "0.0" + (10 + Math.min(89, words)); // a little more for a longer text
    return List.of(
        new JsonObject().put("type", "progress").put("content", "Reading your text").put("progress", 10),
        new JsonObject().put("type", "progress").put("content", "Thinking").put("progress", 50),
        new JsonObject().put("type", "bot_output").put("output_type", "text").put("format", "markdown")
            .put("content", "**Summary**: " + words + " word" + (words == 1 ? "" : "s") + " received.\n\n"
                + "_Demo output_ from the console's own Runner. Raw HTML such as <b>this</b> is shown as text."),
        new JsonObject().put("type", "progress").put("content", "Writing the report").put("progress", 90),
        new JsonObject().put("type", "bot_output").put("output_type", "text")
            .put("content", "Second output, plain text: " + text.strip().lines().findFirst().orElse("")),
        new JsonObject().put("type", "bot_output").put("output_type", "file").put("filename", "demo-report.md")
            .put("caption", "The whole report").put("content", "# Demo report\n\nYou wrote:\n\n> "
                + text.strip().replace("\n", "\n> ") + "\n"),
        new JsonObject().put("type", "track_cost").put("total_cost", cost).put("currency", "RUB").put("api_calls", 2)
            .put("free_requests", 0).put("node_costs", new JsonObject().put("read", "0.002").put("write", "0.008"))
            .put("prompt_tokens", 40 + words).put("completion_tokens", 120).put("total_tokens", 160 + words),
        new JsonObject().put("type", "complete").put("status", "completed"));
  }

  private static int parse(String id) {
    try {
      return Integer.parseInt(id.strip());
    } catch (NumberFormatException e) {
      return 0;
    }
  }
}

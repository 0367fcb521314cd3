package io.kopeck.testsupport;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local Runner speaking exactly the seed's wire format (shared/fixtures/runner): {@code GET /health}
 * answering {@code {"status": "healthy"}} (or not), task creation by multipart form at any other path
 * answered like task_created.json (or a non-200 with a {@code detail}, like task_error.json), and the
 * task's stream at {@code /api/tasks/{id}/stream} — {@code event:} and {@code data:} lines without ids,
 * as the seed sends them, replayed from the start on every connection. A script can hold its stream
 * open after some events until released (a run in progress). Every call checks {@code X-API-Key}.
 */
public final class SeedRunner implements AutoCloseable {
  public static final String KEY = "seed-runner-key-0123456789";

  /** One server-sent event: its {@code event:} name and its {@code data:} JSON. */
  public record Event(String name, String data) {
    public static Event of(JsonObject data) {
      return new Event(data.getString("type"), data.encode());
    }
  }

  /** A task as the Runner received it: the path, the form fields, the file (name, bytes) if one came. */
  public record Received(String path, Map<String, String> fields, String filename, byte[] file, String taskId) {
  }

  /** What the next task will stream, where it waits, and its queue position. */
  public record Script(List<Event> events, int holdAfter, int queuePosition) {
    public Script(List<Event> events) {
      this(events, -1, 0);
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Map<String, ConcurrentLinkedQueue<Script>> nextScripts = new ConcurrentHashMap<>();
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  private final Map<String, Promise<Void>> holds = new ConcurrentHashMap<>();
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();
  private final AtomicInteger healthChecks = new AtomicInteger();
  private volatile boolean healthy = true;
  private volatile JsonObject refusal;
  private volatile long stepMillis = 5;

  public SeedRunner() {
    server = Http.await(vertx.createHttpServer().requestHandler(this::handle).listen(0));
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The seed's own stream fixture, e.g. {@code task_stream_ok.sse}, as events. */
  public static List<Event> fixture(String name) {
    try (InputStream in = SeedRunner.class.getResourceAsStream("/fixtures/runner/" + name)) {
      if (in == null) {
        throw new IOException("missing test resource fixtures/runner/" + name);
      }
      List<Event> events = new ArrayList<>();
      String eventName = null;
      for (String line : new String(in.readAllBytes(), StandardCharsets.UTF_8).split("\n")) {
        if (line.startsWith("event: ")) {
          eventName = line.substring(7).strip();
        } else if (line.startsWith("data: ")) {
          events.add(new Event(eventName, line.substring(6)));
          eventName = null;
        }
      }
      return events;
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  public void healthy(boolean healthy) {
    this.healthy = healthy;
  }

  public int healthChecks() {
    return healthChecks.get();
  }

  /** The next task created for the user {@code telegramId} streams this script (else task_stream_ok.sse). */
  public void nextTask(long telegramId, Script script) {
    nextScripts.computeIfAbsent(Long.toString(telegramId), id -> new ConcurrentLinkedQueue<>()).add(script);
  }

  /** The next task creation is refused with {@code status} and this {@code detail} (once). */
  public void refuseNext(int status, String detail) {
    refusal = new JsonObject().put("status", status).put("detail", detail);
  }

  /** Pause between two events of a stream. */
  public void step(long millis) {
    stepMillis = millis;
  }

  /** Lets a task's held stream go on (a held stream waits on its first connection only). */
  public void release(String taskId) {
    holds.computeIfAbsent(taskId, id -> Promise.promise()).tryComplete();
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  public int connections(String taskId) {
    AtomicInteger count = connections.get(taskId);
    return count == null ? 0 : count.get();
  }

  private void handle(HttpServerRequest request) {
    if (!KEY.equals(request.getHeader("X-API-Key"))) {
      request.response().setStatusCode(403).end(new JsonObject().put("detail", "Invalid API key").encode());
      return;
    }
    String path = request.path();
    if (path.equals("/health")) {
      healthChecks.incrementAndGet();
      request.response().setStatusCode(healthy ? 200 : 503)
          .end(new JsonObject().put("status", healthy ? "healthy" : "unhealthy").encode());
    } else if (path.startsWith("/api/tasks/") && path.endsWith("/stream")) {
      stream(request, path.substring("/api/tasks/".length(), path.length() - "/stream".length()));
    } else if (request.method().name().equals("POST")) {
      create(request);
    } else {
      request.response().setStatusCode(404).end();
    }
  }

  private void create(HttpServerRequest request) {
    request.setExpectMultipart(true);
    String[] filename = new String[1];
    Buffer file = Buffer.buffer();
    request.uploadHandler(upload -> {
      filename[0] = upload.filename();
      upload.handler(file::appendBuffer);
    });
    request.endHandler(v -> {
      Map<String, String> fields = new ConcurrentHashMap<>();
      request.formAttributes().forEach(entry -> fields.put(entry.getKey(), entry.getValue()));
      JsonObject refused = refusal;
      if (refused != null) {
        refusal = null;
        received.add(new Received(request.path(), fields, filename[0], file.getBytes(), null));
        request.response().setStatusCode(refused.getInteger("status"))
            .end(new JsonObject().put("detail", refused.getString("detail")).encode());
        return;
      }
      String taskId = "5b7e2c1a-93f4-4a2e-9d1b-" + String.format("%012d", ids.incrementAndGet());
      ConcurrentLinkedQueue<Script> queue = nextScripts.get(fields.getOrDefault("telegram_id", ""));
      Script script = queue == null ? null : queue.poll();
      scripts.put(taskId, script == null ? new Script(fixture("task_stream_ok.sse")) : script);
      received.add(new Received(request.path(), fields, filename[0], file.getBytes(), taskId));
      request.response().putHeader("Content-Type", "application/json").end(new JsonObject().put("task_id", taskId)
          .put("status", "queued").put("queue_position", scripts.get(taskId).queuePosition())
          .put("stream_url", "/api/tasks/" + taskId + "/stream").encode());
    });
  }

  private void stream(HttpServerRequest request, String taskId) {
    Script script = scripts.get(taskId);
    if (script == null) {
      request.response().setStatusCode(404).end(new JsonObject().put("detail", "Task not found").encode());
      return;
    }
    int connection = connections.computeIfAbsent(taskId, id -> new AtomicInteger()).incrementAndGet();
    HttpServerResponse response = request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
    response.write(": connected\n\n");
    play(response, taskId, script, 0, connection == 1);
  }

  /** A held stream waits on its first connection only: a reconnection (another instance, a restart) plays on. */
  private void play(HttpServerResponse response, String taskId, Script script, int index, boolean first) {
    if (response.closed()) {
      return;
    }
    if (index >= script.events().size()) {
      response.end();
      return;
    }
    if (first && index == script.holdAfter()
        && !holds.computeIfAbsent(taskId, id -> Promise.promise()).future().isComplete()) {
      holds.get(taskId).future().onComplete(v -> play(response, taskId, script, index, false));
      return;
    }
    Event event = script.events().get(index);
    response.write("event: " + event.name() + "\ndata: " + event.data() + "\n\n");
    vertx.setTimer(stepMillis, t -> play(response, taskId, script, index + 1, first));
  }

  @Override
  public void close() {
    Http.await(vertx.close());
  }
}

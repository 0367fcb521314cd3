package io.kopeck.testsupport;

import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local Runner serving task event streams ({@code text/event-stream}) at {@code /runs/{id}/events}:
 * each run plays its script of events (with or without SSE ids), honours {@code Last-Event-ID},
 * checks {@code X-API-Key}, and can cut the first connection after some events or hold it open
 * after some events until released — what a real stream does when a network or the Runner hiccups.
 */
public final class FakeRunner implements AutoCloseable {
  public static final String KEY = "runner-stream-key-0123456789";

  /**
   * A run's script: its events' data, whether they carry ids, how the first connection misbehaves, and
   * whether a reconnection starts again from the first event although it names the last one it saw.
   */
  public record Script(List<JsonObject> events, boolean withIds, int cutAfter, int holdAfter, boolean replaysFromStart) {
    public Script(List<JsonObject> events, boolean withIds, int cutAfter, int holdAfter) {
      this(events, withIds, cutAfter, holdAfter, false);
    }
  }

  /** One connection as the fake saw it. */
  public record Connection(String runId, String lastEventId) {
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Map<String, Script> scripts = new ConcurrentHashMap<>();
  private final Map<String, AtomicInteger> connections = new ConcurrentHashMap<>();
  private final List<Connection> seen = new CopyOnWriteArrayList<>();
  private final Map<String, Promise<Void>> holds = new ConcurrentHashMap<>();

  public FakeRunner() {
    server = Http.await(vertx.createHttpServer().requestHandler(this::handle).listen(0));
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** progress, {@code costs.length} track_cost events of those costs, then done. */
  public static List<JsonObject> events(String... costs) {
    List<JsonObject> events = new java.util.ArrayList<>();
    events.add(new JsonObject().put("type", "progress").put("percent", 10));
    for (String cost : costs) {
      events.add(new JsonObject().put("type", "track_cost").put("track", "cv_analysis").put("total_cost", cost)
          .put("currency", "RUB").put("node_costs", new JsonObject().put("summary", cost)));
      events.add(new JsonObject().put("type", "progress").put("percent", 50));
    }
    events.add(new JsonObject().put("type", "done"));
    return events;
  }

  public void script(String runId, Script script) {
    scripts.put(runId, script);
  }

  /** Lets a held first connection go on. */
  public void release(String runId) {
    holds.computeIfAbsent(runId, id -> Promise.promise()).tryComplete();
  }

  public List<Connection> connections(String runId) {
    return seen.stream().filter(c -> c.runId().equals(runId)).toList();
  }

  private void handle(HttpServerRequest request) {
    String[] parts = request.path().split("/");
    if (parts.length != 4 || !parts[1].equals("runs") || !parts[3].equals("events")) {
      request.response().setStatusCode(404).end();
      return;
    }
    if (!KEY.equals(request.getHeader("X-API-Key"))) {
      request.response().setStatusCode(401).end();
      return;
    }
    String runId = parts[2];
    Script script = scripts.get(runId);
    if (script == null) {
      request.response().setStatusCode(404).end();
      return;
    }
    int connection = connections.computeIfAbsent(runId, id -> new AtomicInteger()).incrementAndGet();
    String lastId = request.getHeader("Last-Event-ID");
    seen.add(new Connection(runId, lastId));
    int from = lastId == null || !script.withIds() || script.replaysFromStart() ? 0 : Integer.parseInt(lastId);
    HttpServerResponse response = request.response().setChunked(true).putHeader("Content-Type", "text/event-stream");
    response.write(": hello\n\n");
    play(response, runId, script, from, connection == 1);
  }

  private void play(HttpServerResponse response, String runId, Script script, int index, boolean first) {
    if (index >= script.events().size()) {
      response.end();
      return;
    }
    if (first && index == script.cutAfter()) {
      response.reset();
      return;
    }
    if (first && index == script.holdAfter()) {
      holds.computeIfAbsent(runId, id -> Promise.promise()).future()
          .onComplete(v -> playNext(response, runId, script, index, false));
      return;
    }
    playNext(response, runId, script, index, first);
  }

  private void playNext(HttpServerResponse response, String runId, Script script, int index, boolean first) {
    if (response.closed()) {
      return;
    }
    String id = script.withIds() ? "id: " + (index + 1) + "\n" : "";
    response.write(id + "data: " + script.events().get(index).encode() + "\n\n");
    vertx.setTimer(5, t -> play(response, runId, script, index + 1, first));
  }

  @Override
  public void close() {
    Http.await(vertx.close());
  }
}

package io.kopeck.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The owner's product as Kopeck forwards to it (SPEC §20): a local HTTP server taking Telegram's
 * update JSON, recording each request with its secret header, able to answer 500 the first times, to
 * answer slowly, and to answer with a webhook reply ({@code {"method": …}}).
 */
public final class FakeProduct implements AutoCloseable {
  /** A request as received: the update, the X-Kopeck-Secret header, the status answered. */
  public record Received(JsonObject update, String secret, int status) {
    public long updateId() {
      return update.getLong("update_id");
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final List<Received> received = new CopyOnWriteArrayList<>();
  private final Map<Long, AtomicInteger> failures = new ConcurrentHashMap<>();
  private volatile long delayMillis;
  private volatile Function<JsonObject, JsonObject> replies = update -> null;

  public FakeProduct() {
    server = Http.await(vertx.createHttpServer().requestHandler(this::handle).listen(0));
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/telegram";
  }

  /** The next {@code times} deliveries of {@code updateId} are answered 500. */
  public void failFirst(long updateId, int times) {
    failures.put(updateId, new AtomicInteger(times));
  }

  public void delay(long millis) {
    delayMillis = millis;
  }

  /** What the product answers an update with (null: an empty 200). */
  public void replies(Function<JsonObject, JsonObject> replies) {
    this.replies = replies;
  }

  public List<Received> received() {
    return List.copyOf(received);
  }

  /** The updates answered 200, in arrival order. */
  public List<Received> delivered() {
    return received.stream().filter(r -> r.status() == 200).toList();
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      JsonObject update = new JsonObject(body);
      AtomicInteger fail = failures.get(update.getLong("update_id"));
      int status = fail != null && fail.getAndDecrement() > 0 ? 500 : 200;
      received.add(new Received(update, request.getHeader("X-Kopeck-Secret"), status));
      JsonObject reply = status == 200 ? replies.apply(update) : null;
      Runnable answer = () -> request.response().setStatusCode(status).putHeader("Content-Type", "application/json")
          .end(reply == null ? "" : reply.encode());
      if (delayMillis > 0) {
        vertx.setTimer(delayMillis, id -> answer.run());
      } else {
        answer.run();
      }
    });
  }

  @Override
  public void close() {
    Http.await(vertx.close());
  }
}

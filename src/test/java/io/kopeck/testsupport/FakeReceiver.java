package io.kopeck.testsupport;

import io.kopeck.events.WebhookSignature;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.json.JsonObject;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The owner's webhook receiver (SPEC §21), as a real HTTP server: every delivery's signature is checked
 * the way docs/webhooks.md tells a receiver to (a wrong one is recorded and answered 401), and it can
 * be told to answer 500 to the next deliveries.
 */
public final class FakeReceiver implements AutoCloseable {
  /** One delivery as it arrived. */
  public record Delivery(String eventId, String signature, String body, boolean signatureValid) {
    public JsonObject event() {
      return new JsonObject(body);
    }

    public String type() {
      return event().getString("type");
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final String secret;
  private final List<Delivery> deliveries = new CopyOnWriteArrayList<>();
  private final AtomicInteger failuresLeft = new AtomicInteger();

  public FakeReceiver(String secret) {
    this(secret, 0);
  }

  /** On {@code port} (0: any free one). */
  public FakeReceiver(String secret, int port) {
    this.secret = secret;
    this.server = Http.await(vertx.createHttpServer().requestHandler(request -> request.body().onSuccess(body -> {
      String text = body.toString();
      String signature = request.getHeader(WebhookSignature.HEADER);
      boolean valid = WebhookSignature.verify(this.secret, signature, text, System.currentTimeMillis() / 1000, 300_000_000);
      deliveries.add(new Delivery(request.getHeader(WebhookSignature.EVENT_ID_HEADER), signature, text, valid));
      int status = !valid ? 401 : failuresLeft.getAndUpdate(n -> Math.max(0, n - 1)) > 0 ? 500 : 204;
      request.response().setStatusCode(status).end();
    })).listen(port, "127.0.0.1"));
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/kopeck-events";
  }

  public int port() {
    return server.actualPort();
  }

  /** The next {@code count} deliveries are answered 500. */
  public void failNext(int count) {
    failuresLeft.set(count);
  }

  public List<Delivery> deliveries() {
    return List.copyOf(deliveries);
  }

  /** Deliveries of events of {@code type} (retries included). */
  public List<Delivery> of(String type) {
    return deliveries.stream().filter(d -> d.type().equals(type)).toList();
  }

  @Override
  public void close() {
    Http.await(vertx.close());
  }
}

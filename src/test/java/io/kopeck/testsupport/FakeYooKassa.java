package io.kopeck.testsupport;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A local server speaking YooKassa's REST API v3 wire format: Basic auth with the shop id and
 * secret key (401 otherwise), {@code POST /payments} and {@code POST /refunds} requiring an
 * {@code Idempotence-Key} and answering a repeated key with the first result, {@code GET
 * /payments/{id}} and {@code GET /refunds/{id}}, and YooKassa's error bodies
 * ({@code {"type":"error","code":…,"description":…}}). Tests move payments along (succeeded,
 * canceled, another amount), make the next answers fail with a status or hang, and read what
 * Kopeck sent.
 */
public final class FakeYooKassa implements AutoCloseable {
  public static final String SHOP_ID = "506751";
  public static final String SECRET_KEY = "test_fake-yookassa-secret-key-0123";

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final Map<String, JsonObject> payments = new ConcurrentHashMap<>();
  private final Map<String, JsonObject> refunds = new ConcurrentHashMap<>();
  private final Map<String, JsonObject> byKey = new ConcurrentHashMap<>();
  private final List<JsonObject> createRequests = new CopyOnWriteArrayList<>();
  private final AtomicInteger failures = new AtomicInteger();
  private final AtomicInteger gets = new AtomicInteger();
  private volatile int failureStatus = 500;
  private volatile boolean hang;
  private volatile String refundStatus = "succeeded";

  public FakeYooKassa() {
    server = Http.await(vertx.createHttpServer().requestHandler(this::handle).listen(0));
  }

  /** YOOKASSA_API_URL. */
  public String url() {
    return "http://127.0.0.1:" + server.actualPort() + "/v3";
  }

  public Map<String, String> settings() {
    return Map.of("YOOKASSA_SHOP_ID", SHOP_ID, "YOOKASSA_SECRET_KEY", SECRET_KEY, "YOOKASSA_API_URL", url());
  }

  /** The bodies of POST /payments that made a new payment (a replayed key is not counted). */
  public List<JsonObject> created() {
    return List.copyOf(createRequests);
  }

  public JsonObject payment(String id) {
    return payments.get(id);
  }

  /** The payer paid: succeeded, paid. */
  public void succeed(String id) {
    payments.get(id).put("status", "succeeded").put("paid", true).put("captured_at", "2026-12-01T10:00:00.000Z");
  }

  public void cancel(String id) {
    payments.get(id).put("status", "canceled").put("paid", false)
        .put("cancellation_details", new JsonObject().put("party", "yoo_money").put("reason", "expired_on_confirmation"));
  }

  /** YooKassa's record says another amount than Kopeck asked for. */
  public void amount(String id, String value) {
    payments.get(id).getJsonObject("amount").put("value", value);
  }

  /** The next {@code times} calls answer {@code status} with an error body. */
  public void fail(int times, int status) {
    failureStatus = status;
    failures.set(times);
  }

  /** While on, every call gets no answer at all (Kopeck's timeout must end it). */
  public void hang(boolean on) {
    hang = on;
  }

  /** The status new refunds get: succeeded (default), pending or canceled. */
  public void refundStatus(String status) {
    refundStatus = status;
  }

  public void refundSucceeds(String refundId) {
    refunds.get(refundId).put("status", "succeeded");
  }

  public List<JsonObject> refunds() {
    return List.copyOf(refunds.values());
  }

  /** How many GET calls were answered (the re-fetches of notifications and re-checks). */
  public int gets() {
    return gets.get();
  }

  /** A notification as YooKassa posts it for payment {@code id}. */
  public JsonObject notification(String event, String id) {
    JsonObject object = payments.containsKey(id) ? payments.get(id).copy() : new JsonObject().put("id", id)
        .put("status", "succeeded").put("paid", true);
    return new JsonObject().put("type", "notification").put("event", event).put("object", object);
  }

  private void handle(HttpServerRequest request) {
    request.body().onSuccess(body -> {
      if (hang) {
        return;
      }
      String expected = "Basic " + Base64.getEncoder().encodeToString((SHOP_ID + ":" + SECRET_KEY)
          .getBytes(StandardCharsets.UTF_8));
      if (!expected.equals(request.getHeader("Authorization"))) {
        reply(request, 401, error("invalid_credentials", "Authentication by given credentials failed"));
        return;
      }
      if (failures.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
        reply(request, failureStatus, error("internal_server_error", "Internal server error"));
        return;
      }
      String path = request.path().replaceFirst("^/v3", "");
      switch (request.method().name() + " " + path.replaceAll("^/(payments|refunds)/[^/]+$", "/$1/{id}")) {
        case "POST /payments" -> create(request, body.toString(StandardCharsets.UTF_8), this::newPayment);
        case "POST /refunds" -> create(request, body.toString(StandardCharsets.UTF_8), this::newRefund);
        case "GET /payments/{id}" -> found(request, payments.get(path.substring(path.lastIndexOf('/') + 1)));
        case "GET /refunds/{id}" -> found(request, refunds.get(path.substring(path.lastIndexOf('/') + 1)));
        default -> reply(request, 404, error("not_found", "Unknown method"));
      }
    });
  }

  private void found(HttpServerRequest request, JsonObject object) {
    gets.incrementAndGet();
    if (object == null) {
      reply(request, 404, error("not_found", "Object not found"));
    } else {
      reply(request, 200, object);
    }
  }

  /** Idempotence: the same key answers the first result again, whatever the body. */
  private void create(HttpServerRequest request, String body, java.util.function.Function<JsonObject, JsonObject> make) {
    String key = request.getHeader("Idempotence-Key");
    if (key == null || key.isEmpty() || key.length() > 64) {
      reply(request, 400, error("invalid_request", "Idempotence key must be from 1 to 64 characters"));
      return;
    }
    JsonObject first = byKey.get(request.path() + key);
    if (first != null) {
      reply(request, 200, first);
      return;
    }
    JsonObject json;
    try {
      json = new JsonObject(body);
    } catch (RuntimeException e) {
      reply(request, 400, error("invalid_request", "The request body is not JSON"));
      return;
    }
    JsonObject made = make.apply(json);
    if (made.getString("type", "").equals("error")) {
      reply(request, 400, made);
      return;
    }
    byKey.put(request.path() + key, made);
    reply(request, 200, made);
  }

  private JsonObject newPayment(JsonObject json) {
    JsonObject amount = json.getJsonObject("amount");
    if (amount == null || !String.valueOf(amount.getValue("value")).matches("\\d+\\.\\d{2}")
        || !"RUB".equals(amount.getString("currency")) || json.getJsonObject("confirmation") == null) {
      return error("invalid_request", "amount{value, currency} and confirmation are required");
    }
    createRequests.add(json);
    String id = UUID.randomUUID().toString();
    JsonObject payment = new JsonObject().put("id", id).put("status", "pending").put("paid", false)
        .put("amount", amount.copy()).put("description", json.getString("description"))
        .put("metadata", json.getJsonObject("metadata", new JsonObject()).copy())
        .put("confirmation", new JsonObject().put("type", "redirect")
            .put("confirmation_url", "https://yoomoney.example/checkout/payments/v2/contract?orderId=" + id))
        .put("created_at", "2026-12-01T09:59:00.000Z").put("test", true).put("refundable", false);
    payments.put(id, payment);
    return payment;
  }

  private JsonObject newRefund(JsonObject json) {
    JsonObject payment = payments.get(json.getString("payment_id", ""));
    if (payment == null || !"succeeded".equals(payment.getString("status"))) {
      return error("invalid_request", "Payment is not in status succeeded");
    }
    String id = UUID.randomUUID().toString();
    JsonObject refund = new JsonObject().put("id", id).put("payment_id", payment.getString("id"))
        .put("status", refundStatus).put("amount", json.getJsonObject("amount").copy())
        .put("created_at", "2026-12-01T11:00:00.000Z");
    if (refundStatus.equals("canceled")) {
      refund.put("cancellation_details", new JsonObject().put("party", "yoo_money").put("reason", "rejected_by_payee"));
    }
    refunds.put(id, refund);
    return refund;
  }

  private static JsonObject error(String code, String description) {
    return new JsonObject().put("type", "error").put("id", UUID.randomUUID().toString()).put("code", code)
        .put("description", description);
  }

  private static void reply(HttpServerRequest request, int status, JsonObject body) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  @Override
  public void close() {
    Http.await(vertx.close());
  }
}

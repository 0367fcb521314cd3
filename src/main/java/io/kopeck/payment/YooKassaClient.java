package io.kopeck.payment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.StrictJson;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * YooKassa's REST API v3 (SPEC §13) over the Vert.x web client: Basic auth with the shop id and
 * secret key, {@code Idempotence-Key} on every POST (YooKassa answers a repeated key with the first
 * result), JSON bodies read with exact decimals. A 4xx answer is a refusal carrying YooKassa's
 * description; a 5xx, a timeout or no connection is {@link PaymentRefusal#PROVIDER_UNAVAILABLE}, so
 * the caller changes nothing and tries again later.
 */
final class YooKassaClient {
  /** YooKassa's object ids: letters, digits and dashes (checked before an id goes into a URL path). */
  static final Pattern ID = Pattern.compile("[A-Za-z0-9-]{1,64}");
  private static final int TIMEOUT_MS = 10_000;

  private final WebClient client;
  private final String apiUrl;
  private final String authorization;

  YooKassaClient(Vertx vertx, String apiUrl, String shopId, String secretKey) {
    this.client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(TIMEOUT_MS)
        .setUserAgent("Kopeck").setKeepAlive(true));
    this.apiUrl = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    this.authorization = "Basic " + Base64.getEncoder()
        .encodeToString((shopId + ":" + secretKey).getBytes(StandardCharsets.UTF_8));
  }

  Future<ObjectNode> createPayment(ObjectNode body, String idempotenceKey) {
    return post("/payments", body, idempotenceKey);
  }

  Future<ObjectNode> payment(String id) {
    return get("/payments/", id);
  }

  Future<ObjectNode> createRefund(ObjectNode body, String idempotenceKey) {
    return post("/refunds", body, idempotenceKey);
  }

  Future<ObjectNode> refund(String id) {
    return get("/refunds/", id);
  }

  private Future<ObjectNode> get(String path, String id) {
    if (!ID.matcher(id).matches()) {
      return Future.failedFuture(PaymentRefusal.UNKNOWN_PAYMENT.because("Not a YooKassa id"));
    }
    return send(request(HttpMethod.GET, path + id), null);
  }

  private Future<ObjectNode> post(String path, ObjectNode body, String idempotenceKey) {
    HttpRequest<Buffer> request = request(HttpMethod.POST, path).putHeader("Idempotence-Key", idempotenceKey)
        .putHeader("Content-Type", "application/json");
    return send(request, Buffer.buffer(StrictJson.write(body)));
  }

  private HttpRequest<Buffer> request(HttpMethod method, String path) {
    return client.requestAbs(method, apiUrl + path).putHeader("Authorization", authorization)
        .putHeader("Accept", "application/json").timeout(TIMEOUT_MS);
  }

  private static Future<ObjectNode> send(HttpRequest<Buffer> request, Buffer body) {
    Future<HttpResponse<Buffer>> sent = body == null ? request.send() : request.sendBuffer(body);
    return sent.transform(done -> {
      if (done.failed()) {
        return Future.failedFuture(PaymentRefusal.PROVIDER_UNAVAILABLE.because(
            "YooKassa could not be reached: " + done.cause().getMessage()));
      }
      HttpResponse<Buffer> response = done.result();
      int status = response.statusCode();
      ObjectNode json = parse(response.bodyAsString());
      if (status >= 200 && status < 300 && json != null) {
        return Future.succeededFuture(json);
      }
      String description = json == null ? "" : json.path("code").asText("") + " " + json.path("description").asText("");
      return Future.failedFuture(status >= 400 && status < 500
          ? PaymentRefusal.PROVIDER_REFUSED.because("YooKassa answered " + status + ": " + description.strip())
          : PaymentRefusal.PROVIDER_UNAVAILABLE.because("YooKassa answered " + status + ": " + description.strip()));
    });
  }

  private static ObjectNode parse(String body) {
    try {
      return body == null ? null : StrictJson.readObject(body);
    } catch (IllegalArgumentException e) {
      return null;
    }
  }

  void close() {
    client.close();
  }
}

package io.kopeck.testsupport;

import io.vertx.core.Future;
import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpRequest;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** A small blocking HTTP client for tests, talking to a running {@code Application}. */
public final class Http implements AutoCloseable {
  private final Vertx vertx = Vertx.vertx();
  private final WebClient client;

  private final int port;

  public Http(int port) {
    this.port = port;
    // Idle connections are dropped by the client after 5 s: the service closes a connection that sends
    // no request within HTTP_READ_TIMEOUT_SECONDS (10 s), and reusing one it is closing fails the request.
    client = WebClient.create(vertx, new WebClientOptions().setDefaultHost("127.0.0.1").setDefaultPort(port)
        .setKeepAlive(true).setKeepAliveTimeout(5).setFollowRedirects(false), new PoolOptions().setHttp1MaxSize(64));
  }

  public record Response(int status, MultiMap headers, String body) {
    public JsonObject json() {
      return new JsonObject(body);
    }

    public List<JsonObject> lines() {
      return body.lines().filter(l -> !l.isBlank()).map(JsonObject::new).toList();
    }
  }

  public int port() {
    return port;
  }

  /** The underlying client, for a request these helpers do not shape (extra headers). */
  public WebClient client() {
    return client;
  }

  public Response get(String path, String bearer) {
    return await(send(HttpMethod.GET, path, bearer, null, null));
  }

  public Response post(String path, String bearer, String contentType, String body) {
    return await(send(HttpMethod.POST, path, bearer, contentType, body));
  }

  public Response postJson(String path, String bearer, String body) {
    return post(path, bearer, "application/json", body);
  }

  /** Asynchronous form, for firing many requests at once. */
  public Future<Response> send(HttpMethod method, String path, String bearer, String contentType, String body) {
    HttpRequest<Buffer> request = client.request(method, path);
    if (bearer != null) {
      request.putHeader("Authorization", "Bearer " + bearer);
    }
    if (contentType != null) {
      request.putHeader("Content-Type", contentType);
    }
    Future<io.vertx.ext.web.client.HttpResponse<Buffer>> sent = body == null ? request.send()
        : request.sendBuffer(Buffer.buffer(body));
    return sent.map(r -> conforming(method, path,
        new Response(r.statusCode(), r.headers(), r.bodyAsString() == null ? "" : r.bodyAsString())));
  }

  /** An API answer that the OpenAPI document does not describe fails the test that received it (SPEC §21). */
  private static Response conforming(HttpMethod method, String path, Response response) {
    if (OpenApiCheck.covers(path)) {
      List<String> problems = OpenApiCheck.problems(method.name(), path, response.status(),
          response.headers().get("Content-Type"), response.body());
      if (!problems.isEmpty()) {
        throw new AssertionError("The answer does not match /api/openapi.json: " + problems);
      }
    }
    return response;
  }

  /** A JSON POST with one extra header (e.g. a webhook secret). */
  public Future<Response> sendWithHeader(String path, String header, String value, String body) {
    return client.request(HttpMethod.POST, path).putHeader(header, value).putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer(body))
        .map(r -> new Response(r.statusCode(), r.headers(), r.bodyAsString() == null ? "" : r.bodyAsString()));
  }

  /** application/x-www-form-urlencoded text of the given fields, in their order. */
  public static String form(java.util.Map<String, String> fields) {
    return fields.entrySet().stream()
        .map(e -> java.net.URLEncoder.encode(e.getKey(), java.nio.charset.StandardCharsets.UTF_8) + "="
            + java.net.URLEncoder.encode(e.getValue(), java.nio.charset.StandardCharsets.UTF_8))
        .collect(java.util.stream.Collectors.joining("&"));
  }

  public static <T> T await(Future<T> future) {
    try {
      return future.toCompletionStage().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    await(vertx.close());
  }
}

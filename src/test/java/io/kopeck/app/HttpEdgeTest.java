package io.kopeck.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.TestDatabase;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.client.HttpResponse;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import io.vertx.junit5.VertxExtension;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

@ExtendWith(VertxExtension.class)
class HttpEdgeTest {
  static final String RUNNER = TestKeys.RUNNER;
  private static TestDatabase db;
  private static Application app;
  private static WebClient client;

  @BeforeAll
  static void start(Vertx vertx) {
    db = TestDatabase.createEmpty();
    app = TestApp.start(db, Map.of("HTTP_MAX_BODY_BYTES", "4096", "RUNNER_API_KEYS", RUNNER));
    client = WebClient.create(vertx, new WebClientOptions().setDefaultPort(app.httpPort()).setDefaultHost("127.0.0.1"));
  }

  @AfterAll
  static void stop() {
    app.stop();
    db.close();
  }

  @Test
  @DisplayName("/health answers 200 UP as long as the process is alive")
  void health() throws Exception {
    HttpResponse<Buffer> response = await(client.get("/health").send());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("status")).isEqualTo("UP");
  }

  @Test
  @DisplayName("/ready answers 200 once the database answers, the schema is migrated and verticles are deployed")
  void ready() throws Exception {
    HttpResponse<Buffer> response = await(client.get("/ready").send());

    assertThat(response.statusCode()).isEqualTo(200);
    assertThat(response.bodyAsJsonObject().getString("status")).isEqualTo("UP");
  }

  @Test
  @DisplayName("/ready answers 503 while the database refuses connections, and 200 again once it is back")
  void readyFollowsDatabase() throws Exception {
    String name = db.url().database();
    try {
      db.executeAsAdmin("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS false");
      db.executeAsAdmin("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = '" + name + "'");

      HttpResponse<Buffer> down = await(client.get("/ready").send());
      assertThat(down.statusCode()).isEqualTo(503);
      assertThat(down.bodyAsJsonObject().getString("status")).isEqualTo("DOWN");
      assertThat(await(client.get("/health").send()).statusCode()).isEqualTo(200);
    } finally {
      db.executeAsAdmin("ALTER DATABASE " + name + " WITH ALLOW_CONNECTIONS true");
    }
    assertThat(await(client.get("/ready").send()).statusCode()).isEqualTo(200);
  }

  @Test
  @DisplayName("an unknown route gets 404 with the JSON error body")
  void unknownRoute() throws Exception {
    HttpResponse<Buffer> response = await(client.get("/no/such/thing").send());

    assertThat(response.statusCode()).isEqualTo(404);
    assertThat(response.getHeader("Content-Type")).isEqualTo("application/json");
    assertThat(response.bodyAsJsonObject()).isEqualTo(new JsonObject()
        .put("error", "not_found").put("message", "No such resource: GET /no/such/thing"));
  }

  @Test
  @DisplayName("a body over the limit gets 413 with the JSON error body before the route's handler sees it")
  void oversizedBody() throws Exception {
    HttpResponse<Buffer> response = await(client.post("/api/v1/users/1/spend")
        .putHeader("Authorization", "Bearer " + RUNNER)
        .putHeader("Content-Type", "application/json")
        .sendBuffer(Buffer.buffer("x".repeat(10_000))));

    assertThat(response.statusCode()).isEqualTo(413);
    assertThat(response.bodyAsJsonObject().getString("error")).isEqualTo("payload_too_large");
    assertThat(response.bodyAsJsonObject().getString("message")).contains("4096");
  }

  @Test
  @DisplayName("a wrong method on a known route is a JSON client error, not a 500")
  void wrongMethod() throws Exception {
    HttpResponse<Buffer> response = await(client.post("/health").sendBuffer(Buffer.buffer("{}")));

    // 405 since no catch-all body route matches every path any more (SPEC §11: bodies only where taken).
    assertThat(response.statusCode()).isEqualTo(405);
    assertThat(response.bodyAsJsonObject().getString("message")).isEqualTo("Method POST is not allowed here");
  }

  static <T> T await(io.vertx.core.Future<T> future) throws Exception {
    return future.toCompletionStage().toCompletableFuture().get(Duration.ofSeconds(15).toMillis(), TimeUnit.MILLISECONDS);
  }
}

package io.kopeck.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.TestDatabase;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

class GracefulShutdownTest {

  private static String event(int i) {
    return new JsonObject().put("event_id", "g-" + i).put("user_id", 1).put("total_cost", "0.01")
        .put("currency", "RUB").encode() + "\n";
  }

  @Test
  @DisplayName("a stream still open when shutdown begins is served to its end, every answer committed, "
      + "while new connections are no longer accepted")
  void drainsOpenStream() throws Exception {
    Vertx client = Vertx.vertx();
    try (TestDatabase db = TestDatabase.createEmpty()) {
      Application app = TestApp.start(db, Map.of("RUNNER_API_KEYS", TestKeys.RUNNER, "SHUTDOWN_TIMEOUT_SECONDS", "20"));
      Ledgers.seedUser(app.pool(), 1L, "100");
      HttpClient http = client.createHttpClient();
      HttpClientRequest request = Http.await(http.request(new RequestOptions().setMethod(HttpMethod.POST)
          .setHost("127.0.0.1").setPort(app.httpPort()).setURI("/api/v1/track-costs")
          .putHeader("Authorization", "Bearer " + TestKeys.RUNNER).putHeader("Content-Type", "application/x-ndjson")));
      request.setChunked(true);
      List<JsonObject> answers = new ArrayList<>();
      Promise<Void> firstAnswer = Promise.promise();
      Promise<Void> allAnswers = Promise.promise();
      request.response().onSuccess(response -> RecordParser.newDelimited("\n", response)
          .handler(line -> {
            answers.add(new JsonObject(line));
            firstAnswer.tryComplete();
          })
          .endHandler(v -> allAnswers.tryComplete()));
      request.write(event(0));
      Http.await(firstAnswer.future());

      CompletableFuture<Void> stopping = CompletableFuture.runAsync(app::stop);
      int readyDuringShutdown = awaitNotReady(client, app.httpPort());  // 503, or -1 once no longer accepting
      for (int i = 1; i < 10; i++) {
        request.write(event(i));
      }
      request.end();
      Http.await(allAnswers.future());
      stopping.get();

      assertThat(readyDuringShutdown).isIn(503, -1);
      assertThat(answers).hasSize(10).allSatisfy(a -> assertThat(a.getString("status")).isEqualTo("charged"));
      Pool check = PgBuilder.pool().with(new PoolOptions().setMaxSize(1)).connectingTo(db.url().toConnectOptions())
          .using(client).build();
      assertThat(Ledgers.count(check, "SELECT count(*) FROM usage_charges WHERE status = 'charged'")).isEqualTo(10);
      assertThat(Ledgers.balance(check, 1L)).isEqualByComparingTo("99.686");
      Ledgers.assertConsistent(check);
    } finally {
      Http.await(client.close());
    }
  }

  /** What /ready answers once shutdown has begun, -1 for a refused connection (shutdown runs on another thread). */
  private static int awaitNotReady(Vertx vertx, int port) {
    HttpClient probe = vertx.createHttpClient();
    for (int attempt = 0; attempt < 500; attempt++) {
      Future<Integer> status = probe.request(HttpMethod.GET, port, "127.0.0.1", "/ready")
          .compose(req -> req.send().map(resp -> resp.statusCode()))
          .otherwise(-1);
      int code = Http.await(status);
      if (code != 200) {
        return code;
      }
    }
    return 200;
  }
}

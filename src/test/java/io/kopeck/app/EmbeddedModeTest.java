package io.kopeck.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.KopeckProcess;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpClientRequest;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.parsetools.RecordParser;
import io.vertx.pgclient.PgBuilder;
import io.vertx.pgclient.PgConnectOptions;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SPEC §17, the embedded database as the README's first command runs it, in real processes: durable,
 * never disturbed by a command run beside the server, stopped only after the drain; a second Ctrl-C
 * stops at once.
 */
class EmbeddedModeTest {
  static final long USER = 990001;

  @TempDir
  Path dir;
  private Vertx vertx;
  private Process server;
  private int port;
  private Map<String, String> env;

  @BeforeEach
  void startServer() throws Exception {
    vertx = Vertx.vertx();
    port = freePort();
    env = Map.of("EMBEDDED_DB_DIR", dir.resolve("postgres").toString(), "HTTP_PORT", Integer.toString(port),
        "RUNNER_API_KEYS", TestKeys.RUNNER, "SHUTDOWN_TIMEOUT_SECONDS", "20");
    server = KopeckProcess.start(env, dir.resolve("server.log"), "serve");
    awaitReady();
  }

  @AfterEach
  void stopServer() throws Exception {
    server.destroyForcibly().waitFor(30, TimeUnit.SECONDS);
    Http.await(vertx.close());
  }

  @Test
  @DisplayName("the embedded server runs durable: fsync, synchronous_commit and full_page_writes are on")
  void durable() {
    Pool pool = embeddedPool();

    for (String setting : List.of("fsync", "synchronous_commit", "full_page_writes")) {
      String value = Http.await(pool.query("SHOW " + setting).execute()).iterator().next().getString(0);
      assertThat(value).as(setting).isEqualTo("on");
    }
  }

  @Test
  @DisplayName("a command run beside the server uses the server's database and leaves it alone; a second serve "
      + "exits 2 with one line")
  void commandsBesideTheServer() throws Exception {
    KopeckProcess.Run list = KopeckProcess.run(env, "promo", "list");
    KopeckProcess.Run second = KopeckProcess.run(env, "serve");

    assertThat(list.exitCode()).as(list.output()).isZero();
    assertThat(list.output()).contains("CODE");
    assertThat(second.exitCode()).as(second.output()).isEqualTo(2);
    assertThat(second.output()).contains("is used by a running Kopeck (pid " + server.pid() + ")");
    assertThat(server.isAlive()).isTrue();
    try (Http http = new Http(port)) {
      assertThat(http.get("/ready", null).status()).isEqualTo(200);
    }
  }

  @Test
  @DisplayName("SIGTERM with a stream open: the embedded server outlives the drain, so a charge sent 2 s later "
      + "is charged, and the process exits 0")
  void databaseOutlivesTheDrain() throws Exception {
    Ledgers.seedUser(embeddedPool(), USER, "100");
    Stream stream = openStream();
    stream.send(0);
    stream.awaitAnswers(1);

    server.destroy();
    Thread.sleep(2_000);
    stream.send(1);
    stream.awaitAnswers(2);
    stream.end();

    assertThat(stream.answers).extracting(a -> a.getString("status")).containsExactly("charged", "charged");
    assertThat(server.waitFor(30, TimeUnit.SECONDS)).isTrue();
    assertThat(server.exitValue()).isZero();
    assertThat(Files.readString(dir.resolve("server.log"))).doesNotContain("Connection refused");
  }

  @Test
  @DisplayName("a second Ctrl-C while the first one drains stops at once, with exit code 130")
  void secondInterrupt() throws Exception {
    Stream stream = openStream();
    stream.send(0);
    stream.awaitAnswers(1);

    interrupt();
    Thread.sleep(1_000);
    boolean drainingAfterFirst = server.isAlive();
    long second = System.nanoTime();
    interrupt();

    assertThat(drainingAfterFirst).as("still draining the open stream after one Ctrl-C").isTrue();
    assertThat(server.waitFor(5, TimeUnit.SECONDS)).isTrue();
    assertThat((System.nanoTime() - second) / 1_000_000).as("ms from the second Ctrl-C to the exit").isLessThan(5_000);
    assertThat(server.exitValue()).isEqualTo(130);
  }

  private void interrupt() throws IOException, InterruptedException {
    new ProcessBuilder("kill", "-INT", Long.toString(server.pid())).start().waitFor(10, TimeUnit.SECONDS);
  }

  /** An NDJSON stream to the server, kept open; its answers as they arrive. */
  private final class Stream {
    final HttpClientRequest request;
    final List<JsonObject> answers = new java.util.concurrent.CopyOnWriteArrayList<>();

    Stream(HttpClientRequest request) {
      this.request = request;
    }

    void send(int i) {
      request.write(new JsonObject().put("event_id", "e-" + i).put("user_id", USER).put("total_cost", "0.01")
          .put("currency", "RUB").encode() + "\n");
    }

    void awaitAnswers(int n) throws InterruptedException {
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (answers.size() < n && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      assertThat(answers).hasSizeGreaterThanOrEqualTo(n);
    }

    void end() {
      Http.await(request.end());
    }
  }

  private Stream openStream() {
    HttpClientRequest request = Http.await(vertx.createHttpClient().request(new RequestOptions()
        .setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(port).setURI("/api/v1/track-costs")
        .putHeader("Authorization", "Bearer " + TestKeys.RUNNER).putHeader("Content-Type", "application/x-ndjson")));
    request.setChunked(true);
    Stream stream = new Stream(request);
    request.response().onSuccess(response -> RecordParser.newDelimited("\n", response)
        .handler(line -> stream.answers.add(new JsonObject(line))));
    return stream;
  }

  /** The embedded server's own port, from its postmaster.pid. */
  private Pool embeddedPool() {
    try {
      int pgPort = Integer.parseInt(Files.readAllLines(dir.resolve("postgres").resolve("postmaster.pid")).get(3).trim());
      return PgBuilder.pool().with(new PoolOptions().setMaxSize(2))
          .connectingTo(new PgConnectOptions().setHost("127.0.0.1").setPort(pgPort).setUser("postgres")
              .setDatabase("postgres"))
          .using(vertx).build();
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  private void awaitReady() throws Exception {
    try (Http http = new Http(port)) {
      long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
      while (System.nanoTime() < deadline) {
        assertThat(server.isAlive()).as(() -> log()).isTrue();
        try {
          if (http.get("/ready", null).status() == 200) {
            return;
          }
        } catch (IllegalStateException notYet) {
          // not listening yet
        }
        Thread.sleep(200);
      }
    }
    throw new AssertionError("not ready within 120 s: " + log());
  }

  private String log() {
    try {
      return Files.readString(dir.resolve("server.log"));
    } catch (IOException e) {
      return e.toString();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }
}

package io.kopeck.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.RunningService;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * SPEC §11, the HTTP edge as an attacker meets it, over raw sockets: credentials before bodies,
 * bodies only where a route takes one, 64 KiB on callbacks, a total read timeout that trickled
 * bytes cannot reset, an idle timeout for NDJSON streams, and a cap on open connections.
 */
class SlowAndHostileClientsTest {
  static final String RUNNER = TestKeys.RUNNER;
  static final String SECRET = TestKeys.WEBHOOK_SECRET;
  static final int READ_TIMEOUT_SECONDS = 2;

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("RUNNER_API_KEYS", RUNNER, "TELEGRAM_WEBHOOK_SECRET", SECRET,
        "ADMIN_API_KEY", TestKeys.ADMIN, "HTTP_READ_TIMEOUT_SECONDS", Integer.toString(READ_TIMEOUT_SECONDS),
        "STREAM_IDLE_TIMEOUT_SECONDS", "1", "HTTP_MAX_CONNECTIONS", "400", "ACCESS_LOG", "false"));
  private static Http http;

  @BeforeAll
  static void start() {
    http = service.http();
    Ledgers.seedUser(service.pool(), 5001, "100");
  }


  private static Socket connect() throws IOException {
    Socket socket = new Socket("127.0.0.1", service.app().httpPort());
    socket.setSoTimeout(15_000);
    return socket;
  }

  /** Sends {@code head} (and nothing more) and returns the status line of whatever comes back. */
  private static String statusAfterHeadOnly(String head) throws IOException {
    try (Socket socket = connect()) {
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      socket.getOutputStream().flush();
      return readStatusLine(socket.getInputStream());
    }
  }

  private static String readStatusLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
      line.append((char) c);
    }
    return line.toString();
  }

  @Test
  @DisplayName("wrong credentials are answered before a byte of the announced body is sent, on every guarded route")
  void credentialsBeforeBody() throws IOException {
    String body = "Content-Type: application/json\r\nContent-Length: 900000\r\n\r\n";
    assertThat(statusAfterHeadOnly("POST /telegram/webhook HTTP/1.1\r\nHost: k\r\nX-Telegram-Bot-Api-Secret-Token: wrong\r\n"
        + body)).isEqualTo("HTTP/1.1 401 Unauthorized");
    assertThat(statusAfterHeadOnly("POST /api/v1/track-costs HTTP/1.1\r\nHost: k\r\nAuthorization: Bearer nope\r\n" + body))
        .isEqualTo("HTTP/1.1 401 Unauthorized");
    assertThat(statusAfterHeadOnly("POST /admin/api/v1/tariffs HTTP/1.1\r\nHost: k\r\n" + body))
        .isEqualTo("HTTP/1.1 401 Unauthorized");
    // No route, no body read: the 404 comes at once.
    assertThat(statusAfterHeadOnly("POST /nowhere HTTP/1.1\r\nHost: k\r\n" + body)).isEqualTo("HTTP/1.1 404 Not Found");
  }

  @Test
  @DisplayName("the webhook and payment callbacks take at most 64 KiB")
  void callbackLimit() throws IOException {
    String big = "Content-Length: 70000\r\n\r\n";
    assertThat(statusAfterHeadOnly("POST /telegram/webhook HTTP/1.1\r\nHost: k\r\nContent-Type: application/json\r\n"
        + "X-Telegram-Bot-Api-Secret-Token: " + SECRET + "\r\n" + big)).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
    assertThat(statusAfterHeadOnly("POST /payments/mock/result HTTP/1.1\r\nHost: k\r\n"
        + "Content-Type: application/x-www-form-urlencoded\r\n" + big)).isEqualTo("HTTP/1.1 413 Request Entity Too Large");
  }

  @Test
  @DisplayName("200 clients trickling headers or bodies are all cut off within the read timeout + 2 s, the heap grows"
      + " by under 20 MB, and a charge made meanwhile is answered within 100 ms")
  void slowClients() throws Exception {
    http.postJson("/api/v1/track-costs", RUNNER, charge("warm-up"));
    long heapBefore = usedHeapAfterGc();
    List<Socket> sockets = new ArrayList<>();
    Map<Socket, Long> closedAfterMs = new ConcurrentHashMap<>();
    CountDownLatch allClosed = new CountDownLatch(200);
    long started = System.nanoTime();
    for (int i = 0; i < 200; i++) {
      Socket socket = connect();
      sockets.add(socket);
      String head = i % 2 == 0 ? "POST /telegram/webhook HTTP/1.1\r\nHost: k\r\nX-Telegram-Bot-Api-Secret-Token: "
          : "POST /api/v1/users/5001/spend HTTP/1.1\r\nHost: k\r\nAuthorization: Bearer " + RUNNER
              + "\r\nContent-Type: application/json\r\nContent-Length: 60000\r\n\r\n{\"amount\": ";
      socket.getOutputStream().write(head.getBytes(StandardCharsets.US_ASCII));
      Thread reader = new Thread(() -> {
        try {
          while (socket.getInputStream().read() != -1) {
            // an answer (if any) is read and dropped; only the close matters
          }
        } catch (IOException closed) {
          // reset by the server: closed as well
        }
        closedAfterMs.put(socket, (System.nanoTime() - started) / 1_000_000);
        allClosed.countDown();
      });
      reader.setDaemon(true);
      reader.start();
    }
    // One more byte to every socket every 200 ms: enough to reset any idle timeout, never enough to finish.
    ScheduledExecutorService trickler = Executors.newSingleThreadScheduledExecutor();
    AtomicInteger rounds = new AtomicInteger();
    trickler.scheduleAtFixedRate(() -> {
      sockets.forEach(SlowAndHostileClientsTest::sendOneByte);
      rounds.incrementAndGet();
    }, 0, 200, TimeUnit.MILLISECONDS);

    Eventually.until(rounds::get, n -> n >= 5, 5); // a second of trickling
    long heapDuring = usedHeapAfterGc();
    long t0 = System.nanoTime();
    Http.Response meanwhile = http.postJson("/api/v1/track-costs", RUNNER, charge("meanwhile"));
    long chargeMs = (System.nanoTime() - t0) / 1_000_000;

    assertThat(allClosed.await(READ_TIMEOUT_SECONDS + 8, TimeUnit.SECONDS)).as("every slow connection closed").isTrue();
    trickler.shutdownNow();
    long lastClosedMs = closedAfterMs.values().stream().mapToLong(Long::longValue).max().orElseThrow();
    System.out.printf("slow clients: 200 closed, the last after %d ms; heap growth %.1f MB; a charge meanwhile %d ms%n",
        lastClosedMs, (heapDuring - heapBefore) / 1048576.0, chargeMs);
    assertThat(meanwhile.status()).isEqualTo(200);
    assertThat(chargeMs).as("a charge during the trickle, ms").isLessThan(100);
    assertThat(lastClosedMs).as("last connection closed after, ms").isLessThanOrEqualTo((READ_TIMEOUT_SECONDS + 2) * 1000L);
    assertThat(heapDuring - heapBefore).as("heap growth, bytes").isLessThan(20L * 1024 * 1024);
    for (Socket socket : sockets) {
      socket.close();
    }
  }

  private static void sendOneByte(Socket socket) {
    try {
      OutputStream out = socket.getOutputStream();
      out.write('1');
      out.flush();
    } catch (IOException closed) {
      // this one is done
    }
  }

  private static long usedHeapAfterGc() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static String charge(String id) {
    return "{\"event_id\": \"" + id + "\", \"user_id\": 5001, \"total_cost\": \"0.01\", \"currency\": \"RUB\"}";
  }

  @Test
  @DisplayName("an NDJSON stream that goes quiet is closed after STREAM_IDLE_TIMEOUT_SECONDS, its lines answered")
  void idleStream() throws Exception {
    try (Socket socket = connect()) {
      String line = charge("idle-1") + "\n";
      socket.getOutputStream().write(("POST /api/v1/track-costs HTTP/1.1\r\nHost: k\r\nAuthorization: Bearer " + RUNNER
          + "\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n"
          + Integer.toHexString(line.length()) + "\r\n" + line + "\r\n").getBytes(StandardCharsets.UTF_8));
      long t0 = System.nanoTime();
      String answer = new String(socket.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
      long closedAfterMs = (System.nanoTime() - t0) / 1_000_000;

      assertThat(answer).startsWith("HTTP/1.1 200 OK").contains("\"event_id\":\"idle-1\",\"status\":\"charged\"");
      assertThat(closedAfterMs).isBetween(900L, 3_000L);
    }
  }

  @Test
  @DisplayName("beyond HTTP_MAX_CONNECTIONS a new connection is closed at once; the ones already open still work")
  void connectionCap() throws Exception {
    try (RunningService small = RunningService.start(Map.of("HTTP_MAX_CONNECTIONS", "3"))) {
      List<Socket> open = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          Socket socket = new Socket("127.0.0.1", small.app().httpPort());
          socket.setSoTimeout(5_000);
          open.add(socket);
          // Answered, so counted: the cap is now reached.
          socket.getOutputStream().write("GET /health HTTP/1.1\r\nHost: k\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          assertThat(readResponse(socket.getInputStream())).isEqualTo("HTTP/1.1 200 OK");
        }
        try (Socket extra = new Socket("127.0.0.1", small.app().httpPort())) {
          extra.setSoTimeout(5_000);
          extra.getOutputStream().write("GET /health HTTP/1.1\r\nHost: k\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
          assertThat(readOrClosed(extra.getInputStream())).isEqualTo(-1);
        }
        open.get(0).getOutputStream().write("GET /health HTTP/1.1\r\nHost: k\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
        assertThat(readResponse(open.get(0).getInputStream())).isEqualTo("HTTP/1.1 200 OK");
      } finally {
        for (Socket socket : open) {
          socket.close();
        }
      }
    }
  }

  /** Reads one whole answer (status line, headers, Content-Length body) and returns its status line. */
  private static String readResponse(InputStream in) throws IOException {
    String status = readLine(in);
    int length = 0;
    for (String header = readLine(in); !header.isEmpty(); header = readLine(in)) {
      if (header.regionMatches(true, 0, "content-length:", 0, 15)) {
        length = Integer.parseInt(header.substring(15).trim());
      }
    }
    in.readNBytes(length);
    return status;
  }

  private static String readLine(InputStream in) throws IOException {
    String line = readStatusLine(in);
    in.read(); // the '\n' after the '\r'
    return line;
  }

  private static int readOrClosed(InputStream in) {
    try {
      return in.read();
    } catch (IOException reset) {
      return -1;
    }
  }
}

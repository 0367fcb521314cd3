package io.kopeck.app;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.RunningService;
import io.kopeck.testsupport.TestKeys;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** SPEC §17: HTTP_MAX_CONNECTIONS_PER_IP, for direct clients and for clients behind a trusted proxy. */
class ConnectionsPerAddressTest {
  private static final String HEALTH = "GET /health HTTP/1.1\r\nHost: k\r\n\r\n";

  @Test
  @DisplayName("one address beyond HTTP_MAX_CONNECTIONS_PER_IP: its next connection is closed at once; a closed one frees a place")
  void direct() throws Exception {
    try (RunningService small = RunningService.start(Map.of("HTTP_MAX_CONNECTIONS_PER_IP", "3"))) {
      List<Socket> open = new ArrayList<>();
      try {
        for (int i = 0; i < 3; i++) {
          open.add(answered(small.app().httpPort()));
        }
        try (Socket extra = socket(small.app().httpPort())) {
          send(extra, HEALTH);
          assertThat(firstByte(extra.getInputStream())).isEqualTo(-1);
        }
        open.remove(0).close();
        Thread.sleep(200);
        open.add(answered(small.app().httpPort()));
      } finally {
        for (Socket socket : open) {
          socket.close();
        }
      }
    }
  }

  @Test
  @DisplayName("behind a trusted proxy every client has its own share: a third request in flight of one client is 429, "
      + "another client and the proxy's other connections go on")
  void behindAProxy() throws Exception {
    try (RunningService proxied = RunningService.start(Map.of("HTTP_MAX_CONNECTIONS_PER_IP", "2",
        "TRUSTED_PROXIES", "127.0.0.1/32", "RUNNER_API_KEYS", TestKeys.RUNNER))) {
      Ledgers.seedUser(proxied.pool(), 77001, "100");
      int port = proxied.app().httpPort();
      List<Socket> streams = new ArrayList<>();
      try {
        for (int i = 0; i < 2; i++) {
          Socket stream = socket(port);
          send(stream, "POST /api/v1/track-costs HTTP/1.1\r\nHost: k\r\nAuthorization: Bearer " + TestKeys.RUNNER
              + "\r\nX-Forwarded-For: 10.0.0.1\r\nContent-Type: application/x-ndjson\r\nTransfer-Encoding: chunked\r\n\r\n");
          streams.add(stream);
        }
        Thread.sleep(300);
        assertThat(status(port, "10.0.0.1")).isEqualTo("HTTP/1.1 429 Too Many Requests");
        assertThat(status(port, "10.0.0.2")).isEqualTo("HTTP/1.1 200 OK");
        assertThat(status(port, "10.0.0.2")).isEqualTo("HTTP/1.1 200 OK");
      } finally {
        for (Socket socket : streams) {
          socket.close();
        }
      }
      Thread.sleep(600);
      assertThat(status(port, "10.0.0.1")).as("the share comes back when the streams end").isEqualTo("HTTP/1.1 200 OK");
    }
  }

  private static String status(int port, String client) throws IOException {
    try (Socket socket = socket(port)) {
      send(socket, "GET /health HTTP/1.1\r\nHost: k\r\nX-Forwarded-For: " + client + "\r\n\r\n");
      return statusLine(socket.getInputStream());
    }
  }

  private static Socket answered(int port) throws IOException {
    Socket socket = socket(port);
    send(socket, HEALTH);
    assertThat(statusLine(socket.getInputStream())).isEqualTo("HTTP/1.1 200 OK");
    return socket;
  }

  private static Socket socket(int port) throws IOException {
    Socket socket = new Socket("127.0.0.1", port);
    socket.setSoTimeout(5_000);
    return socket;
  }

  private static void send(Socket socket, String text) throws IOException {
    socket.getOutputStream().write(text.getBytes(StandardCharsets.US_ASCII));
    socket.getOutputStream().flush();
  }

  private static String statusLine(InputStream in) throws IOException {
    StringBuilder line = new StringBuilder();
    for (int c = in.read(); c != -1 && c != '\r'; c = in.read()) {
      line.append((char) c);
    }
    return line.toString();
  }

  private static int firstByte(InputStream in) {
    try {
      return in.read();
    } catch (IOException reset) {
      return -1;
    }
  }
}

package io.kopeck.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.StandardProtocolFamily;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.ServerSocketChannel;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/**
 * The test database's choice (SPEC §11, finding 8): an engine that answers but cannot pull an
 * image must send the tests to the embedded PostgreSQL quickly, not hang in the pull. The engine
 * here is a fake speaking the Engine API on a Unix socket; its pull never answers, as with no registry.
 */
class DockerProbeTest {

  /** A fake engine on a fresh Unix socket, knowing {@code images}; close it to stop it. */
  private static ServerSocketChannel engineOn(Path socket, Set<String> images) throws IOException {
    ServerSocketChannel server = ServerSocketChannel.open(StandardProtocolFamily.UNIX);
    server.bind(UnixDomainSocketAddress.of(socket));
    fakeEngine(server, images);
    return server;
  }

  /** Answers /_ping, knows {@code images}, and never finishes a pull. */
  private static Thread fakeEngine(ServerSocketChannel server, Set<String> images) {
    Thread engine = new Thread(() -> {
      while (server.isOpen()) {
        try {
          SocketChannel client = server.accept();
          ByteBuffer buffer = ByteBuffer.allocate(4096);
          client.read(buffer);
          String requestLine = new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII).split("\r\n")[0];
          String path = requestLine.split(" ")[1];
          if (path.startsWith("/images/create")) {
            continue; // a pull with no registry: no answer, connection left open
          }
          boolean known = path.equals("/_ping") || images.stream().anyMatch(i -> path.equals("/images/" + i + "/json"));
          client.write(ByteBuffer.wrap(((known ? "HTTP/1.0 200 OK" : "HTTP/1.0 404 Not Found") + "\r\n\r\n{}")
              .getBytes(StandardCharsets.US_ASCII)));
          client.close();
        } catch (IOException | RuntimeException e) {
          return;
        }
      }
    });
    engine.setDaemon(true);
    engine.start();
    return engine;
  }

  @Test
  @DisplayName("an engine without the image and without a registry: refused within the pull timeout, saying why")
  void missingImage() throws Exception {
    Path socket = Files.createTempDirectory("docker-probe").resolve("docker.sock");
    try (ServerSocketChannel engine = engineOn(socket, Set.of("testcontainers/ryuk:0.13.0"))) {
      long t0 = System.nanoTime();

      String why = DockerProbe.whyNotUsable(socket, List.of("testcontainers/ryuk:0.13.0", "postgres:17-alpine"), 1);

      assertThat(why).isEqualTo("image postgres:17-alpine is not present and could not be pulled within 1 s");
      assertThat((System.nanoTime() - t0) / 1_000_000).isLessThan(5_000);
    }
  }

  @Test
  @DisplayName("an engine with every image is used; no engine at all is said plainly")
  void presentImagesAndNoEngine() throws Exception {
    Path socket = Files.createTempDirectory("docker-probe").resolve("docker.sock");
    try (ServerSocketChannel engine = engineOn(socket, Set.of("postgres:17-alpine"))) {
      assertThat(DockerProbe.whyNotUsable(socket, List.of("postgres:17-alpine"), 1)).isNull();
    }
    Path none = socket.resolveSibling("absent.sock");
    assertThat(DockerProbe.whyNotUsable(none, List.of("postgres:17-alpine"), 1)).startsWith("no Docker engine");
  }
}

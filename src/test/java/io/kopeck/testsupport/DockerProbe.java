package io.kopeck.testsupport;

import java.io.IOException;
import java.net.URLEncoder;
import java.net.UnixDomainSocketAddress;
import java.nio.ByteBuffer;
import java.nio.channels.SocketChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether Testcontainers can start a container here without hanging: a Docker engine that answers
 * on its socket, and every image needed either present or pulled within {@link #PULL_SECONDS}. A
 * machine with an engine but no registry would otherwise wait minutes in an image pull. Speaks the
 * Engine API over the Unix socket itself, so that asking starts nothing of Testcontainers'.
 */
final class DockerProbe {
  private static final long PULL_SECONDS = 20;
  private static final long ASK_SECONDS = 5;

  private DockerProbe() {
  }

  /** Null when usable; otherwise why not, in a few words. Null entries of {@code images} are skipped. */
  static String whyNotUsable(List<String> images) {
    String host = System.getenv("DOCKER_HOST");
    Path socket = host == null || host.isBlank() ? Path.of("/var/run/docker.sock")
        : host.startsWith("unix://") ? Path.of(host.substring(7)) : null;
    if (socket == null) {
      return null; // a TCP engine: leave it to Testcontainers
    }
    return whyNotUsable(socket, images, PULL_SECONDS);
  }

  static String whyNotUsable(Path socket, List<String> images, long pullSeconds) {
    if (!Files.exists(socket)) {
      return "no Docker engine (" + socket + " does not exist)";
    }
    try {
      if (status(socket, "GET", "/_ping", ASK_SECONDS) != 200) {
        return "the Docker engine does not answer its ping";
      }
      for (String image : images) {
        if (image != null && !present(socket, image, pullSeconds)) {
          return "image " + image + " is not present and could not be pulled within " + pullSeconds + " s";
        }
      }
      return null;
    } catch (IOException | RuntimeException e) {
      return "the Docker engine could not be asked: " + e.getMessage();
    }
  }

  private static boolean present(Path socket, String image, long pullSeconds) throws IOException {
    if (status(socket, "GET", "/images/" + image + "/json", ASK_SECONDS) == 200) {
      return true;
    }
    int colon = image.lastIndexOf(':');
    String query = "fromImage=" + URLEncoder.encode(colon > 0 ? image.substring(0, colon) : image, StandardCharsets.UTF_8)
        + "&tag=" + URLEncoder.encode(colon > 0 ? image.substring(colon + 1) : "latest", StandardCharsets.UTF_8);
    status(socket, "POST", "/images/create?" + query, pullSeconds);
    return status(socket, "GET", "/images/" + image + "/json", ASK_SECONDS) == 200;
  }

  /** The HTTP status of one Engine API call whose whole answer arrives within {@code seconds}; -1 when it does not. */
  private static int status(Path socket, String method, String path, long seconds) throws IOException {
    SocketChannel channel = SocketChannel.open(UnixDomainSocketAddress.of(socket));
    CompletableFuture<Integer> answer = CompletableFuture.supplyAsync(() -> {
      try {
        channel.write(ByteBuffer.wrap((method + " " + path + " HTTP/1.0\r\nHost: docker\r\nContent-Length: 0\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII)));
        ByteBuffer buffer = ByteBuffer.allocate(8192);
        StringBuilder head = new StringBuilder();
        while (channel.read(buffer.clear()) > 0) {
          if (head.length() < 64) {
            head.append(new String(buffer.array(), 0, buffer.position(), StandardCharsets.US_ASCII));
          }
        }
        String[] statusLine = head.toString().split(" ", 3);
        return statusLine.length > 1 ? Integer.parseInt(statusLine[1]) : -1;
      } catch (IOException | NumberFormatException e) {
        return -1;
      }
    });
    try {
      return answer.get(seconds, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      return -1;
    } catch (Exception e) {
      throw new IOException(e);
    } finally {
      channel.close();
    }
  }
}

package io.kopeck.bench;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.net.NetSocket;
import io.vertx.core.parsetools.RecordParser;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;

/**
 * A minimal HTTP/1.1 keep-alive client connection for the load generator: pre-built request
 * headers, responses parsed just enough to find the body. It keeps the generator's own CPU per
 * request small, as a load generator on the same two cores as the service must.
 */
final class RawHttpConnection {
  private final NetSocket socket;
  private final String headerPrefix;
  private final ArrayDeque<Promise<String>> waiting = new ArrayDeque<>();
  private final RecordParser parser;
  private int contentLength = -1;

  RawHttpConnection(NetSocket socket, String host, String path, String bearer) {
    this.socket = socket;
    this.headerPrefix = "POST " + path + " HTTP/1.1\r\nHost: " + host + "\r\nAuthorization: Bearer " + bearer
        + "\r\nContent-Type: application/json\r\nContent-Length: ";
    this.parser = RecordParser.newDelimited("\r\n\r\n", this::onRecord);
    socket.handler(parser);
    socket.closeHandler(v -> {
      while (!waiting.isEmpty()) {
        waiting.poll().tryFail("connection closed");
      }
    });
  }

  /** Requests sent on this connection and not yet answered. */
  int pending() {
    return waiting.size();
  }

  /** Sends one JSON body and completes with the response body. */
  Future<String> post(String json) {
    byte[] body = json.getBytes(StandardCharsets.UTF_8);
    Promise<String> promise = Promise.promise();
    waiting.add(promise);
    socket.write(Buffer.buffer(headerPrefix + body.length + "\r\n\r\n").appendBytes(body));
    return promise.future();
  }

  private void onRecord(Buffer record) {
    if (contentLength < 0) {
      contentLength = contentLengthOf(record.toString(StandardCharsets.ISO_8859_1));
      if (contentLength > 0) {
        parser.fixedSizeMode(contentLength);
      } else {
        complete("");
      }
      return;
    }
    parser.delimitedMode("\r\n\r\n");
    complete(record.toString(StandardCharsets.UTF_8));
  }

  private void complete(String body) {
    contentLength = -1;
    Promise<String> promise = waiting.poll();
    if (promise != null) {
      promise.tryComplete(body);
    }
  }

  private static int contentLengthOf(String headers) {
    for (String line : headers.split("\r\n")) {
      int colon = line.indexOf(':');
      if (colon > 0 && line.substring(0, colon).trim().equalsIgnoreCase("content-length")) {
        return Integer.parseInt(line.substring(colon + 1).trim());
      }
    }
    return 0;
  }
}

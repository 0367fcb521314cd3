package io.kopeck.web;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Slow and surplus clients (SPEC §11). The idle timeout alone is reset by every trickled byte, so a
 * client sending a byte a second could hold a connection and its buffers for hours. Here each
 * connection must deliver a request's headers within HTTP_READ_TIMEOUT_SECONDS of starting to wait
 * for it (accept, or the previous response's end), and the request's body within as long again
 * after its headers; otherwise it is closed. Long-lived streams are exempt (they police their own
 * idleness). Open connections beyond HTTP_MAX_CONNECTIONS, counted over every HTTP verticle
 * instance, are closed at once. One guard per HTTP verticle instance, used on its event loop only.
 */
final class ConnectionGuard {
  private static final long SWEEP_MS = 250;

  private final Vertx vertx;
  private final long timeoutNanos;
  private final int maxConnections;
  private final AtomicInteger open;
  private final Predicate<HttpServerRequest> exempt;
  private final Map<HttpConnection, State> states = new IdentityHashMap<>();
  private long sweeper = -1;

  /** What a connection is doing: waiting for a request (request null), or reading/serving one. */
  private static final class State {
    HttpServerRequest request;
    long since = System.nanoTime();
    boolean exempt;
  }

  ConnectionGuard(Vertx vertx, int timeoutSeconds, int maxConnections, AtomicInteger open,
                  Predicate<HttpServerRequest> exempt) {
    this.vertx = vertx;
    this.timeoutNanos = TimeUnit.SECONDS.toNanos(timeoutSeconds);
    this.maxConnections = maxConnections;
    this.open = open;
    this.exempt = exempt;
  }

  void start() {
    sweeper = vertx.setPeriodic(SWEEP_MS, id -> sweep());
  }

  void stop() {
    if (sweeper != -1) {
      vertx.cancelTimer(sweeper);
    }
  }

  void opened(HttpConnection connection) {
    if (open.incrementAndGet() > maxConnections) {
      open.decrementAndGet();
      connection.close();
      return;
    }
    states.put(connection, new State());
    connection.closeHandler(v -> {
      if (states.remove(connection) != null) {
        open.decrementAndGet();
      }
    });
  }

  void request(HttpServerRequest request) {
    State state = states.get(request.connection());
    if (state != null) {
      state.request = request;
      state.since = System.nanoTime();
      state.exempt = exempt.test(request);
    }
  }

  private void sweep() {
    long now = System.nanoTime();
    for (Iterator<Map.Entry<HttpConnection, State>> it = states.entrySet().iterator(); it.hasNext(); ) {
      Map.Entry<HttpConnection, State> entry = it.next();
      HttpConnection connection = entry.getKey();
      State state = entry.getValue();
      if (state.request != null && state.request.response().ended()) {
        state.request = null;
        state.since = now;
      }
      boolean reading = state.request == null || !state.request.isEnded() && !state.exempt;
      if (reading && now - state.since > timeoutNanos) {
        it.remove();
        open.decrementAndGet();
        connection.close();
      }
    }
  }
}

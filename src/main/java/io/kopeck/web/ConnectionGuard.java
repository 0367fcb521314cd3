package io.kopeck.web;

import io.vertx.core.Vertx;
import io.vertx.core.http.HttpConnection;
import io.vertx.core.http.HttpServerRequest;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * Slow and surplus clients (SPEC §11, §17). The idle timeout alone is reset by every trickled byte, so
 * a client sending a byte a second could hold a connection and its buffers for hours. Here each
 * connection must deliver a request's headers within HTTP_READ_TIMEOUT_SECONDS of starting to wait
 * for it (accept, or the previous response's end), and the request's body within as long again
 * after its headers; otherwise it is closed. Long-lived streams are exempt (they police their own
 * idleness). Open connections beyond HTTP_MAX_CONNECTIONS, counted over every HTTP verticle
 * instance, are closed at once, and so are a client address's beyond HTTP_MAX_CONNECTIONS_PER_IP, so
 * one client cannot take every connection. A trusted proxy's connections carry many clients: they
 * count only against the total, and each request through them counts against its client's share
 * while it is in flight (over it: 429). One guard per HTTP verticle instance, used on its event loop only.
 */
final class ConnectionGuard {
  private static final long SWEEP_MS = 250;

  private final Vertx vertx;
  private final long timeoutNanos;
  private final int maxConnections;
  private final int maxPerAddress;
  private final ConnectionCounts counts;
  private final ClientAddress clients;
  private final Predicate<HttpServerRequest> exempt;
  private final Map<HttpConnection, State> states = new IdentityHashMap<>();
  private long sweeper = -1;

  /** What a connection is doing: waiting for a request (request null), or reading/serving one. */
  private static final class State {
    HttpServerRequest request;
    long since = System.nanoTime();
    boolean exempt;
    /** The address the connection counts against, or null for a trusted proxy's. */
    String address;
    /** Through a trusted proxy: the client whose request is in flight on it (counted), else null. */
    String client;
  }

  ConnectionGuard(Vertx vertx, HttpSettings settings, ConnectionCounts counts, Predicate<HttpServerRequest> exempt) {
    this.vertx = vertx;
    this.timeoutNanos = TimeUnit.SECONDS.toNanos(settings.httpReadTimeoutSeconds());
    this.maxConnections = settings.httpMaxConnections();
    this.maxPerAddress = settings.httpMaxConnectionsPerIp();
    this.clients = settings.clients();
    this.counts = counts;
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
    String peer = ClientAddress.peer(connection.remoteAddress());
    String address = clients.trusted(peer) ? null : peer;
    if (!counts.openOne(maxConnections)) {
      connection.close();
      return;
    }
    if (address != null && !counts.take(address, maxPerAddress)) {
      counts.closeOne();
      connection.close();
      return;
    }
    State state = new State();
    state.address = address;
    states.put(connection, state);
    connection.closeHandler(v -> {
      if (states.remove(connection) != null) {
        forget(state);
      }
    });
  }

  private void forget(State state) {
    counts.closeOne();
    if (state.address != null) {
      counts.release(state.address);
    }
    releaseClient(state);
  }

  private void releaseClient(State state) {
    if (state.client != null) {
      counts.release(state.client);
      state.client = null;
    }
  }

  /**
   * A request arrived; false when it must not be served: a trusted proxy's request whose client
   * already has HTTP_MAX_CONNECTIONS_PER_IP requests in flight (answered 429 here).
   */
  boolean admit(HttpServerRequest request) {
    State state = states.get(request.connection());
    if (state == null) {
      return true;
    }
    state.request = request;
    state.since = System.nanoTime();
    state.exempt = exempt.test(request);
    return state.address != null || admitProxied(state, request);
  }

  /** The previous request on this connection has ended (HTTP/1.1): its client's share is given back first. */
  private boolean admitProxied(State state, HttpServerRequest request) {
    releaseClient(state);
    String client = clients.of(request);
    if (!counts.take(client, maxPerAddress)) {
      request.response().setStatusCode(429).putHeader("Content-Type", "application/json")
          .putHeader("Retry-After", "1")
          .end("{\"error\":\"too_many_requests\",\"message\":\"Too many requests in flight from this address\"}");
      return false;
    }
    state.client = client;
    return true;
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
        releaseClient(state);
      }
      boolean reading = state.request == null || !state.request.isEnded() && !state.exempt;
      if (reading && now - state.since > timeoutNanos) {
        it.remove();
        forget(state);
        connection.close();
      }
    }
  }
}

package io.kopeck.web;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One line per HTTP request when it ends (logger {@code kopeck.access}, ACCESS_LOG): method, path
 * without the query string (payment callbacks carry signatures there), status, duration, bytes
 * sent, the client's address (behind TRUSTED_PROXIES, the client they name) and the request id
 * ({@link RequestIds}). In JSON mode each is a field.
 */
final class AccessLog implements Handler<RoutingContext> {
  private static final Logger log = LoggerFactory.getLogger("kopeck.access");
  private final ClientAddress clients;

  AccessLog(ClientAddress clients) {
    this.clients = clients;
  }

  @Override
  public void handle(RoutingContext ctx) {
    if (!log.isInfoEnabled()) {
      // Checked per request, so the level can change at run time; below it a request costs nothing here.
      ctx.next();
      return;
    }
    long started = System.nanoTime();
    ctx.addEndHandler(done -> log.info("{} {} {} {} {} {} {}", kv("method", ctx.request().method().name()),
        kv("path", ctx.request().path()), kv("status", ctx.response().getStatusCode()),
        kv("duration_ms", (System.nanoTime() - started) / 1_000_000),
        kv("bytes_sent", ctx.response().bytesWritten()),
        kv("remote", clients.of(ctx.request())), kv("request_id", RequestIds.of(ctx))));
    ctx.next();
  }
}

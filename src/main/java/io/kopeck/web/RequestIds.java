package io.kopeck.web;

import io.vertx.core.Handler;
import io.vertx.ext.web.RoutingContext;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Pattern;

/**
 * {@code X-Request-Id}: the caller's id when it sends a sane one (1–128 of letters, digits, '.', '_', ':',
 * '-'), else one made here — a random prefix per process and a counter, cheaper than a UUID on the charge
 * path and unique across restarts. Answered in the response header and written in the access log and in
 * the log line of a request that fails, so a caller's report can be found in the logs.
 */
final class RequestIds implements Handler<RoutingContext> {
  static final String HEADER = "X-Request-Id";
  private static final String KEY = "request_id";
  private static final Pattern SANE = Pattern.compile("[A-Za-z0-9._:-]{1,128}");
  private static final String PREFIX = prefix();
  private static final AtomicLong NEXT = new AtomicLong();

  private static String prefix() {
    byte[] bytes = new byte[6];
    new SecureRandom().nextBytes(bytes);
    return "k" + HexFormat.of().formatHex(bytes) + "-";
  }

  @Override
  public void handle(RoutingContext ctx) {
    String given = ctx.request().getHeader(HEADER);
    String id = given != null && SANE.matcher(given).matches() ? given
        : PREFIX + Long.toHexString(NEXT.incrementAndGet());
    ctx.put(KEY, id);
    ctx.response().putHeader(HEADER, id);
    ctx.next();
  }

  /** This request's id (null before this handler ran, e.g. a request refused at the door). */
  static String of(RoutingContext ctx) {
    return ctx.get(KEY);
  }
}

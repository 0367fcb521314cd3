package io.kopeck.web;

import io.vertx.core.Handler;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.BodyHandler;

/**
 * What a feature adds to the HTTP edge. One instance per HTTP verticle instance. No route reads a
 * body by default: a route that takes one adds {@link #body(int)} after its credential check.
 */
public interface HttpRoutes {
  /** Telegram updates and payment callbacks are small; nobody needs more (SPEC §11). */
  int CALLBACK_BODY_LIMIT = 64 * 1024;

  /** Mounted before every feature's {@link #mount}: credential checks and streams, ahead of any body. */
  default void mountGuards(Router router) {
  }

  void mount(Router router);

  /** Reads the whole body, refusing one larger than {@code limit} bytes with 413 (the error names the limit). */
  static Handler<RoutingContext> body(int limit) {
    BodyHandler reader = BodyHandler.create(false).setBodyLimit(limit);
    return ctx -> {
      ctx.put(HttpErrors.BODY_LIMIT, limit);
      reader.handle(ctx);
    };
  }
}

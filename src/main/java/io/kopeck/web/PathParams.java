package io.kopeck.web;

import io.vertx.ext.web.RoutingContext;

/** Path parameters that name a row: a positive 64-bit id, else 400 with the caller's error code. */
public final class PathParams {
  private PathParams() {
  }

  /** e.g. {@code positiveLong(ctx, "userId", "invalid_user_id")}. */
  public static long positiveLong(RoutingContext ctx, String name, String errorCode) {
    String raw = ctx.pathParam(name);
    if (raw == null || !raw.matches("[1-9][0-9]{0,17}")) {
      throw ApiException.badRequest(errorCode, name + " must be a positive integer");
    }
    return Long.parseLong(raw);
  }
}

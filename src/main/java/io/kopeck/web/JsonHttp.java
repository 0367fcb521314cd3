package io.kopeck.web;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.StrictJson;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpHeaders;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;

/** JSON in and out for route handlers: one exact parse of the body, one way to answer. */
public final class JsonHttp {
  /** Header name and value as pre-encoded ASCII: written as they are, with no per-response encoding. */
  private static final CharSequence APPLICATION_JSON = HttpHeaders.createOptimized("application/json");

  private JsonHttp() {
  }

  /** The request body as one JSON object, numbers exact; 400 invalid_json otherwise. */
  public static ObjectNode body(RoutingContext ctx) {
    Buffer body = ctx.body().buffer();
    try {
      return StrictJson.readObject(body == null ? new byte[0] : body.getBytes());
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid_json", "The body is not an acceptable JSON object: " + e.getMessage());
    }
  }

  public static void respond(RoutingContext ctx, int status, JsonObject body) {
    respond(ctx, status, body.encode());
  }

  /** A body already written as JSON text. */
  public static void respond(RoutingContext ctx, int status, String json) {
    ctx.response().setStatusCode(status).putHeader(HttpHeaders.CONTENT_TYPE, APPLICATION_JSON).end(json);
  }
}

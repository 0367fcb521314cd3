package io.kopeck.web;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.common.Refusal;
import io.kopeck.common.Refused;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.HttpException;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The one place that turns a failed request into the JSON error body of SPEC §6. */
public final class HttpErrors {
  private static final Logger log = LoggerFactory.getLogger(HttpErrors.class);

  private static final Map<Integer, String> CODES = Map.ofEntries(
      Map.entry(400, "bad_request"),
      Map.entry(401, "unauthorized"),
      Map.entry(403, "forbidden"),
      Map.entry(404, "not_found"),
      Map.entry(405, "method_not_allowed"),
      Map.entry(406, "not_acceptable"),
      Map.entry(413, "payload_too_large"),
      Map.entry(415, "unsupported_media_type"),
      Map.entry(429, "rate_limited"),
      Map.entry(503, "unavailable"));

  /** Where the route's body handler leaves its limit, for the 413 message. */
  static final String BODY_LIMIT = "http.body.limit";

  private final int maxBodyBytes;

  public HttpErrors(int maxBodyBytes) {
    this.maxBodyBytes = maxBodyBytes;
  }

  /** Failure handler for every route, and error handler for requests no route matched. */
  public void handle(RoutingContext ctx) {
    Throwable failure = ctx.failure();
    if (failure instanceof ApiException api) {
      send(ctx, api.status(), api.code(), api.getMessage());
      return;
    }
    if (failure instanceof Refused refused) {
      send(ctx, statusOf(refused.refusal().kind()), refused.refusal().code(), refused.getMessage());
      return;
    }
    int status = statusOf(ctx, failure);
    if (status >= 500) {
      log.error("Request {} {} failed {}", ctx.request().method(), ctx.request().path(),
          kv("request_id", RequestIds.of(ctx)), failure);
      send(ctx, 500, "internal_error", "The request could not be completed; it is safe to retry");
      return;
    }
    send(ctx, status, CODES.getOrDefault(status, "bad_request"), messageFor(status, ctx));
  }

  /** The one mapping of the features' refusals to HTTP statuses. */
  public static int statusOf(Refusal.Kind kind) {
    return switch (kind) {
      case INVALID -> 400;
      case UNPROCESSABLE -> 422;
      case NOT_FOUND -> 404;
      case CONFLICT -> 409;
      case FORBIDDEN -> 403;
      case UNAVAILABLE -> 503;
    };
  }

  private static int statusOf(RoutingContext ctx, Throwable failure) {
    if (failure instanceof HttpException http) {
      return http.getStatusCode();
    }
    if (failure != null && ctx.statusCode() == -1) {
      return 500;
    }
    return ctx.statusCode() == -1 ? 500 : ctx.statusCode();
  }

  private String messageFor(int status, RoutingContext ctx) {
    return switch (status) {
      case 404 -> "No such resource: " + ctx.request().method() + " " + ctx.request().path();
      case 405 -> "Method " + ctx.request().method() + " is not allowed here";
      case 413 -> "Request body is larger than " + (ctx.get(BODY_LIMIT) instanceof Integer limit ? limit : maxBodyBytes)
          + " bytes";
      case 415 -> "Unsupported Content-Type";
      default -> "The request could not be understood";
    };
  }

  public static void send(RoutingContext ctx, int status, String code, String message) {
    HttpServerResponse response = ctx.response();
    if (response.headWritten()) {
      // A streamed answer has already started; the only honest thing left is to cut it short.
      response.reset();
      return;
    }
    response.setStatusCode(status)
        .putHeader("Content-Type", "application/json")
        .end(new JsonObject().put("error", code).put("message", message).encode());
  }
}

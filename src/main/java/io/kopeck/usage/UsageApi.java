package io.kopeck.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.CleanText;
import io.kopeck.common.StrictJson;
import io.kopeck.ledger.LedgerRefusal;
import io.kopeck.ledger.PostingResult;
import io.kopeck.ledger.SpendCharge;
import io.kopeck.ledger.UsageCharge;
import io.kopeck.web.ApiException;
import io.kopeck.web.BearerAuth;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.JsonHttp;
import io.kopeck.web.PathParams;
import io.vertx.core.Vertx;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import java.math.BigDecimal;
import java.time.Clock;

/**
 * The Runner API (SPEC §6): balance check, track_cost charges (one JSON event or an NDJSON
 * stream) and fixed spends. Parses and validates here; the billing engine decides and commits.
 */
public final class UsageApi implements HttpRoutes {
  private static final int MAX_KEY = 128;
  private static final int MAX_DESCRIPTION = 500;
  private static final BigDecimal MAX_SPEND = new BigDecimal("1000000000000");

  private final BearerAuth auth;
  private final RateLimiter limiter;
  private final TrackCostParser parser;
  private final ChargeClient engine;
  private final BalanceQuery balances;
  private final int maxLineBytes;
  private final int streamIdleSeconds;

  public UsageApi(Vertx vertx, Pool pool, UsageSettings config, Clock clock, RunnerAccess access,
                  TrackMultipliers multipliers) {
    this.auth = access.auth();
    this.limiter = access.limiter();
    this.parser = new TrackCostParser(config.currency(), multipliers);
    this.engine = new ChargeClient(vertx);
    this.balances = new BalanceQuery(pool, clock, config.displayTimezone(), config.requireSubscription());
    this.maxLineBytes = config.maxBodyBytes();
    this.streamIdleSeconds = config.streamIdleTimeoutSeconds();
  }

  /** An NDJSON stream of charges: long-lived, so exempt from the edge's read timeout (it has its own idle one). */
  public static boolean isStream(HttpServerRequest request) {
    return request.method() == HttpMethod.POST && request.path().equals("/api/v1/track-costs") && isNdjson(request);
  }

  private static boolean isNdjson(HttpServerRequest request) {
    String type = request.getHeader("Content-Type");
    return type != null && type.regionMatches(true, 0, "application/x-ndjson", 0, 20);
  }

  @Override
  public void mountGuards(Router router) {
    router.route("/api/v1/*").handler(auth::handle).handler(this::rateLimit);
    router.post("/api/v1/track-costs").handler(this::streamIfNdjson);
    router.post("/api/v1/*").handler(HttpRoutes.body(maxLineBytes));
  }

  @Override
  public void mount(Router router) {
    router.post("/api/v1/track-costs").handler(this::singleEvent);
    router.get("/api/v1/users/:userId/balance").handler(this::balance);
    router.post("/api/v1/users/:userId/spend").handler(this::spend);
  }

  private void rateLimit(RoutingContext ctx) {
    long wait = limiter.acquire(ctx.get("auth.key"));
    if (wait > 0) {
      ctx.response().putHeader("Retry-After", Long.toString(wait));
      ctx.fail(new ApiException(429, "rate_limited", "Too many requests for this key; retry after " + wait + " s"));
      return;
    }
    ctx.next();
  }

  private void streamIfNdjson(RoutingContext ctx) {
    if (isNdjson(ctx.request())) {
      new TrackCostStream(ctx.vertx(), ctx.request(), ctx.response(), parser, engine, maxLineBytes, streamIdleSeconds)
          .start();
    } else {
      ctx.next();
    }
  }

  private void singleEvent(RoutingContext ctx) {
    ObjectNode body = JsonHttp.body(ctx);
    UsageCharge charge;
    try {
      charge = parser.parse(body);
    } catch (InvalidEvent e) {
      JsonHttp.respond(ctx, ChargeResponses.httpStatus(LedgerRefusal.INVALID_EVENT),
          ChargeResponses.invalid(e.eventId(), e.getMessage()));
      return;
    }
    engine.charge(charge).onComplete(done -> {
      if (done.failed()) {
        ctx.response().putHeader("Retry-After", "1");
        JsonHttp.respond(ctx, 503, ChargeResponses.unavailable(charge.eventId()));
        return;
      }
      PostingResult result = done.result();
      JsonHttp.respond(ctx, result.applied() ? 200 : ChargeResponses.httpStatus(result.refusal()),
          ChargeResponses.usage(charge.eventId(), result, null));
    });
  }

  private void balance(RoutingContext ctx) {
    balances.balance(userId(ctx)).onSuccess(json -> JsonHttp.respond(ctx, 200, json)).onFailure(ctx::fail);
  }

  private void spend(RoutingContext ctx) {
    SpendCharge charge = spendCharge(userId(ctx), JsonHttp.body(ctx));
    engine.charge(charge).onComplete(done -> {
      if (done.failed()) {
        ctx.response().putHeader("Retry-After", "1");
        ctx.fail(new ApiException(503, ChargeResponses.UNAVAILABLE, ChargeResponses.unavailableMessage()));
        return;
      }
      PostingResult result = done.result();
      if (!result.applied()) {
        ctx.fail(result.refusal().because(result.refusal().message()));
        return;
      }
      JsonHttp.respond(ctx, 200, ChargeResponses.spend(result));
    });
  }

  private static SpendCharge spendCharge(long userId, ObjectNode body) {
    BigDecimal amount;
    try {
      amount = StrictJson.decimal(body, "amount");
    } catch (IllegalArgumentException e) {
      throw ApiException.badRequest("invalid_amount", e.getMessage());
    }
    if (amount == null || amount.signum() <= 0 || amount.compareTo(MAX_SPEND) > 0
        || amount.stripTrailingZeros().scale() > 4) {
      throw ApiException.badRequest("invalid_amount",
          "amount must be a positive number of tokens with at most 4 decimal places");
    }
    String key = text(body, "idempotency_key", MAX_KEY, true);
    String problem = CleanText.problemInName(key);
    if (problem != null) {
      throw ApiException.badRequest("invalid_request", "idempotency_key " + problem);
    }
    String description = text(body, "description", MAX_DESCRIPTION, false);
    JsonNode metadata = body.get("metadata");
    if (metadata != null && !metadata.isNull() && !metadata.isObject()) {
      throw ApiException.badRequest("invalid_request", "metadata must be an object");
    }
    return new SpendCharge(userId, amount.setScale(4), key, description,
        metadata == null || metadata.isNull() ? null : StrictJson.write(metadata));
  }

  private static String text(ObjectNode body, String field, int max, boolean required) {
    JsonNode node = body.get(field);
    if (node == null || node.isNull()) {
      if (required) {
        throw ApiException.badRequest("invalid_request", field + " is required");
      }
      return null;
    }
    if (!node.isTextual() || node.textValue().isEmpty() || node.textValue().length() > max) {
      throw ApiException.badRequest("invalid_request", field + " must be a string of 1 to " + max + " characters");
    }
    return node.textValue();
  }

  private static long userId(RoutingContext ctx) {
    return PathParams.positiveLong(ctx, "userId", "invalid_user_id");
  }
}

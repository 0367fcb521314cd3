package io.kopeck.usage;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.CleanText;
import io.kopeck.ledger.LedgerRefusal;
import io.kopeck.web.ApiException;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.JsonHttp;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.util.regex.Pattern;

/**
 * {@code POST /api/v1/runs {run_id, user_id, stream_url}} → 202: Kopeck follows the run's event
 * stream and charges its track_cost events ({@link RunFollowerVerticle}); registering the same run
 * again answers its state and changes nothing. {@code GET /api/v1/runs/{run_id}}: status, events
 * charged, tokens. The Runner key of {@code /api/v1/*} applies. {@code stream_url} is a path on
 * RUNNER_BASE_URL, never an address of the caller's choosing.
 */
public final class RunsApi implements HttpRoutes {
  private static final String USER = "SELECT 1 FROM users WHERE id = $1";
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  /**
   * SPEC §17: short enough that every charge key built from it ({@code run:<run_id>:id:<id>}) fits an
   * event_id, and plain enough to need no escaping anywhere.
   */
  private static final Pattern RUN_ID = Pattern.compile("[A-Za-z0-9._:-]{1,64}");

  private final Pool pool;
  private final Runs runs;
  private final boolean configured;
  private final int maxBodyBytes;

  public RunsApi(Pool pool, boolean configured, int maxBodyBytes) {
    this.pool = pool;
    this.runs = new Runs(pool);
    this.configured = configured;
    this.maxBodyBytes = maxBodyBytes;
  }

  @Override
  public void mount(Router router) {
    router.post("/api/v1/runs").handler(HttpRoutes.body(maxBodyBytes)).handler(this::register);
    router.get("/api/v1/runs/:runId").handler(this::show);
  }

  private void register(RoutingContext ctx) {
    if (!configured) {
      ctx.fail(new ApiException(503, "streams_not_configured", "RUNNER_BASE_URL is not set: Kopeck follows no streams"));
      return;
    }
    ObjectNode body = JsonHttp.body(ctx);
    String runId = runId(body.path("run_id").isTextual() ? body.get("run_id").textValue() : null);
    String streamUrl = text(body, "stream_url", 2000);
    JsonNode user = body.get("user_id");
    if (user == null || !user.canConvertToLong() || !user.isIntegralNumber() || user.longValue() <= 0) {
      throw ApiException.badRequest("invalid_request", "user_id must be a positive whole number");
    }
    if (!streamUrl.startsWith("/") || streamUrl.startsWith("//") || streamUrl.contains("\\") || streamUrl.contains(" ")) {
      throw ApiException.badRequest("invalid_request", "stream_url must be a path on RUNNER_BASE_URL, starting with /");
    }
    long userId = user.longValue();
    pool.preparedQuery(USER).execute(Tuple.of(userId)).compose(rows -> {
      if (rows.size() == 0) {
        throw LedgerRefusal.USER_NOT_FOUND.because("No such user");
      }
      return runs.register(userId, runId, streamUrl);
    }).onSuccess(row -> {
      if (row == null) {
        ctx.fail(new ApiException(409, "run_exists", "Run " + runId + " belongs to another user"));
        return;
      }
      ctx.vertx().eventBus().send(RunFollowerVerticle.WAKE, null, LOCAL);
      JsonHttp.respond(ctx, 202, Runs.toJson(row));
    }).onFailure(ctx::fail);
  }

  private void show(RoutingContext ctx) {
    String runId = runId(ctx.pathParam("runId"));
    runs.find(runId).onSuccess(row -> {
      if (row == null) {
        ctx.fail(new ApiException(404, "run_not_found", "No run " + runId));
      } else {
        JsonHttp.respond(ctx, 200, Runs.toJson(row));
      }
    }).onFailure(ctx::fail);
  }

  private static String runId(String text) {
    if (text == null || !RUN_ID.matcher(text).matches()) {
      throw ApiException.badRequest("invalid_request", "run_id must be 1 to 64 characters of A-Z, a-z, 0-9, '.', '_', "
          + "':' and '-'");
    }
    return text;
  }

  private static String text(ObjectNode body, String field, int max) {
    JsonNode node = body.get(field);
    if (node == null || !node.isTextual() || node.textValue().isEmpty() || node.textValue().length() > max
        || CleanText.problemInName(node.textValue()) != null) {
      throw ApiException.badRequest("invalid_request", field + " must be a string of 1 to " + max + " characters");
    }
    return node.textValue();
  }
}

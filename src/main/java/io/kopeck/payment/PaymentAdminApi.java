package io.kopeck.payment;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.common.Refused;
import io.kopeck.common.RowJson;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.JsonHttp;
import io.kopeck.web.PathParams;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.util.Map;

/** Admin API for invoices (SPEC §9): show one, refund one. Authentication is the admin API's. */
public final class PaymentAdminApi implements HttpRoutes {
  private static final Actor ADMIN = new Actor("admin", "api");
  private static final String SHOW = """
      SELECT i.inv_id, i.user_id, t.slug AS tariff, p.code AS promo_code, i.amount, i.original_amount, i.tokens,
             i.bonus_tokens, i.period_unit, i.period_value, i.status, i.provider, i.currency, i.provider_payment_id,
             i.payment_url, i.paid_at,
             i.refunded_at, i.expires_at, i.created_at
      FROM invoices i JOIN tariffs t ON t.id = i.tariff_id LEFT JOIN promo_codes p ON p.id = i.promo_code_id
      WHERE i.inv_id = #{inv_id}""";

  private final SqlTemplate<Map<String, Object>, RowSet<Row>> show;
  private final Refunds refunds;
  private final MeterRegistry registry;

  public PaymentAdminApi(Pool pool, Refunds refunds, MeterRegistry registry) {
    this.show = SqlTemplate.forQuery(pool, SHOW);
    this.refunds = refunds;
    this.registry = registry;
  }

  @Override
  public void mount(Router router) {
    router.get("/admin/api/v1/invoices/:invId").handler(this::show);
    router.post("/admin/api/v1/invoices/:invId/refund").handler(this::refund);
  }

  private void show(RoutingContext ctx) {
    long invId = invId(ctx);
    show.execute(Map.of("inv_id", invId)).onSuccess(rows -> {
      if (rows.size() == 0) {
        ctx.fail(PaymentRefusal.INVOICE_NOT_FOUND.because("No invoice " + invId));
        return;
      }
      JsonHttp.respond(ctx, 200, RowJson.of(rows.iterator().next()));
    }).onFailure(ctx::fail);
  }

  private void refund(RoutingContext ctx) {
    String reason = null;
    if (ctx.body().buffer() != null && ctx.body().buffer().length() > 0) {
      var body = JsonHttp.body(ctx);
      reason = reason(body);
    }
    refunds.refund(invId(ctx), reason, ADMIN)
        .onComplete(done -> registry.counter("kopeck_refunds", "outcome", done.succeeded() ? "refunded"
            : done.cause() instanceof Refused refused ? refused.refusal().code() : "error").increment())
        .onSuccess(result -> JsonHttp.respond(ctx, 200, result)).onFailure(ctx::fail);
  }

  /** An optional free-text reason; anything but a string of up to 500 characters is refused. */
  private static String reason(ObjectNode body) {
    JsonNode node = body.get("reason");
    if (node == null || node.isNull()) {
      return null;
    }
    if (!node.isTextual() || node.textValue().isBlank() || node.textValue().length() > 500) {
      throw PaymentRefusal.INVALID_REASON.because("reason must be a string of 1 to 500 characters");
    }
    return node.textValue().strip();
  }

  private static long invId(RoutingContext ctx) {
    return PathParams.positiveLong(ctx, "invId", "invalid_inv_id");
  }
}

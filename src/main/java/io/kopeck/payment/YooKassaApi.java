package io.kopeck.payment;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.Cidr;
import io.kopeck.common.Refused;
import io.kopeck.common.StrictJson;
import io.kopeck.web.ClientAddress;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.JsonHttp;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import java.util.List;
import java.util.Locale;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code POST /payments/yookassa/notify} (SPEC §13): the caller's address checked against
 * YOOKASSA_ALLOWED_IPS before the body is read (when a list is set), at most 64 KiB of JSON, then
 * {@link YooKassaPayments#notified}. 200 for a notification handled or seen before, 4xx for one out
 * of shape or naming nothing of ours (nothing is written), 503 when YooKassa could not be asked
 * (it sends the notification again). {@code GET /payments/yookassa/return} is the page the payer
 * comes back to; it never credits anything.
 */
public final class YooKassaApi implements HttpRoutes {
  private static final Logger log = LoggerFactory.getLogger(YooKassaApi.class);
  private static final String NOTIFY = "/payments/yookassa/notify";

  private final YooKassaPayments yooKassa;
  private final List<Cidr> allowed;
  private final ClientAddress clients;
  private final MeterRegistry registry;

  /** {@code clients}: who sent a request (behind TRUSTED_PROXIES, the client they name, not the proxy). */
  public YooKassaApi(YooKassaPayments yooKassa, List<Cidr> allowed, ClientAddress clients, MeterRegistry registry) {
    this.yooKassa = yooKassa;
    this.allowed = allowed;
    this.clients = clients;
    this.registry = registry;
  }

  @Override
  public void mountGuards(Router router) {
    router.post(NOTIFY).handler(this::checkSource);
    router.post(NOTIFY).handler(HttpRoutes.body(CALLBACK_BODY_LIMIT));
  }

  @Override
  public void mount(Router router) {
    router.post(NOTIFY).handler(this::notify);
    router.get("/payments/yookassa/return").handler(this::returned);
  }

  private void checkSource(RoutingContext ctx) {
    String address = clients.of(ctx.request());
    if (!allowed.isEmpty() && allowed.stream().noneMatch(network -> network.contains(address))) {
      count("forbidden");
      log.warn("YooKassa notification from an address not allowed {}", kv("remote", address));
      ctx.fail(PaymentRefusal.FORBIDDEN_SOURCE.because("This address may not send YooKassa notifications"));
      return;
    }
    ctx.next();
  }

  private void notify(RoutingContext ctx) {
    ObjectNode notification;
    try {
      notification = StrictJson.readObject(ctx.body().buffer() == null ? new byte[0] : ctx.body().buffer().getBytes());
    } catch (IllegalArgumentException e) {
      count("malformed");
      ctx.fail(PaymentRefusal.BAD_NOTIFICATION.because("The body is not a JSON object: " + e.getMessage()));
      return;
    }
    yooKassa.notified(notification).onSuccess(settled -> {
      count(settled.name().toLowerCase(Locale.ROOT));
      JsonHttp.respond(ctx, 200, new JsonObject().put("status", settled.name().toLowerCase(Locale.ROOT)));
    }).onFailure(e -> {
      count(e instanceof Refused refused ? refused.refusal().code() : "error");
      ctx.fail(e);
    });
  }

  private void count(String outcome) {
    registry.counter("kopeck_payment_callbacks", "provider", YooKassaPayments.NAME, "outcome", outcome).increment();
  }

  private void returned(RoutingContext ctx) {
    ctx.response().putHeader("Content-Type", "text/html; charset=utf-8").putHeader("Cache-Control", "no-store")
        .end(PaymentHtml.message("Спасибо!", "Оплата обрабатывается. Токены придут в бот, как только ЮKassa "
            + "подтвердит платёж; эту страницу можно закрыть.", true));
  }
}

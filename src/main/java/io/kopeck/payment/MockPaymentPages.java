package io.kopeck.payment;

import io.kopeck.web.HttpRoutes;
import io.kopeck.web.RequestHygiene;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.client.WebClient;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;

/**
 * The mock provider's payment pages (SPEC §5): what Robokassa's page would be, served by Kopeck.
 * "Pay" sends a correctly signed result callback to Kopeck's own webhook over HTTP — exactly as the
 * real provider would — and then sends the payer to the success page; "Cancel" to the fail page.
 * Server-rendered, every value escaped, no JavaScript.
 */
public final class MockPaymentPages implements HttpRoutes {
  private static final String INVOICE = "SELECT status, amount FROM invoices WHERE inv_id = $1 AND provider = 'mock'";
  private static final Pattern OUT_SUM = Pattern.compile("\\d{1,10}\\.\\d{2}");

  private final MockProvider provider;
  private final WebClient client;
  private final int port;
  private final Pool pool;

  public MockPaymentPages(MockProvider provider, WebClient client, int port, Pool pool) {
    this.provider = provider;
    this.client = client;
    this.port = port;
    this.pool = pool;
  }

  @Override
  public void mount(Router router) {
    router.get("/mock-payment").handler(this::page);
    router.post("/mock-payment/pay").handler(HttpRoutes.body(CALLBACK_BODY_LIMIT)).handler(this::pay);
    router.post("/mock-payment/cancel").handler(HttpRoutes.body(CALLBACK_BODY_LIMIT)).handler(this::cancel);
    router.get("/mock-payment/success").handler(this::success);
    router.get("/mock-payment/fail").handler(this::fail);
  }

  private void page(RoutingContext ctx) {
    Map<String, String> params = params(ctx.request().params());
    if (!provider.verifyPaymentUrl(params)) {
      html(ctx, 400, PaymentHtml.message("Ссылка на оплату недействительна",
          "Подпись платёжной ссылки не сходится. Вернитесь в бот и откройте ссылку заново.", false));
      return;
    }
    long invId = Long.parseLong(params.get("InvId"));
    whenPayable(ctx, invId, () -> html(ctx, 200, PaymentHtml.paymentPage(provider.merchantLogin(), params)),
        () -> html(ctx, 409, PaymentHtml.message("Счёт уже оплачен", "Счёт №" + invId + " уже оплачен. Вернитесь в бот.",
            true)));
  }

  private void pay(RoutingContext ctx) {
    Map<String, String> params = params(ctx.request().params());
    if (!provider.verifyPaymentUrl(params) || RequestHygiene.problemInParams(ctx.request().params(), false) != null) {
      html(ctx, 400, PaymentHtml.message("Платёж отклонён", "Подпись платежа не сходится.", false));
      return;
    }
    long invId = Long.parseLong(params.get("InvId"));
    // Pay pressed twice (or on two tabs): the second press lands where the first did, on the success page.
    whenPayable(ctx, invId, () -> payNow(ctx, params, invId), () -> paid(ctx, params, invId));
  }

  /**
   * SPEC §17, one current invoice: the page takes money only for a pending invoice. A replaced or
   * cancelled one (the bot took its Pay buttons away) or an expired one is refused with a page that
   * sends the payer back to the bot; a paid one gets {@code alreadyPaid}.
   */
  private void whenPayable(RoutingContext ctx, long invId, Runnable payable, Runnable alreadyPaid) {
    pool.preparedQuery(INVOICE).execute(Tuple.of(invId)).onSuccess(rows -> {
      String status = rows.size() == 0 ? null : rows.iterator().next().getString("status");
      if ("pending".equals(status)) {
        payable.run();
      } else if ("paid".equals(status)) {
        alreadyPaid.run();
      } else {
        html(ctx, 409, PaymentHtml.message("Счёт больше не действует", "Счёт №" + invId
            + " заменён новым, отменён или истёк, и оплатить его нельзя. Деньги не списаны — вернитесь в бот:"
            + " там ваш актуальный счёт.", false));
      }
    }).onFailure(ctx::fail);
  }

  private void paid(RoutingContext ctx, Map<String, String> params, long invId) {
    Map<String, String> shp = RobokassaSignature.shpOf(lists(params));
    redirect(ctx, "/mock-payment/success?" + query(provider.signedSuccess(params.get("OutSum"), invId, shp)));
  }

  private void payNow(RoutingContext ctx, Map<String, String> params, long invId) {
    Map<String, String> shp = RobokassaSignature.shpOf(lists(params));
    Map<String, String> result = provider.signedResult(params.get("OutSum"), invId, shp);
    client.post(port, "127.0.0.1", "/payments/" + provider.name() + "/result")
        .putHeader("Content-Type", "application/x-www-form-urlencoded")
        .sendBuffer(Buffer.buffer(query(result)))
        .onComplete(done -> {
          if (done.succeeded() && done.result().statusCode() == 200) {
            paid(ctx, params, invId);
          } else {
            html(ctx, 502, PaymentHtml.message("Платёж не прошёл",
                "Магазин не подтвердил платёж. Деньги не списаны; попробуйте ещё раз.", false));
          }
        });
  }

  private void cancel(RoutingContext ctx) {
    Map<String, String> params = params(ctx.request().params());
    Map<String, String> back = new LinkedHashMap<>();
    back.put("OutSum", params.getOrDefault("OutSum", ""));
    back.put("InvId", params.getOrDefault("InvId", ""));
    redirect(ctx, "/mock-payment/fail?" + query(back));
  }

  /**
   * "Paid" only for what the database says is paid: a signed redirect with a well-formed amount is
   * not enough on its own (the page never credits, but it must not tell a payer an untruth either).
   */
  private void success(RoutingContext ctx) {
    Map<String, String> params = params(ctx.request().params());
    String outSum = params.getOrDefault("OutSum", "");
    String invId = params.getOrDefault("InvId", "");
    if (!OUT_SUM.matcher(outSum).matches() || !invId.matches("\\d{1,18}") || !provider.verifySuccessRedirect(params)) {
      html(ctx, 400, PaymentHtml.message("Страница недействительна", "Подпись не сходится.", false));
      return;
    }
    pool.preparedQuery(INVOICE).execute(Tuple.of(Long.parseLong(invId))).onSuccess(rows -> {
      Row invoice = rows.size() == 0 ? null : rows.iterator().next();
      boolean paid = invoice != null && "paid".equals(invoice.getString("status"))
          && invoice.getBigDecimal("amount").compareTo(new BigDecimal(outSum)) == 0;
      html(ctx, 200, paid
          ? PaymentHtml.message("Оплата прошла", "Счёт №" + invId + " на " + PaymentHtml.roubles(outSum)
              + " оплачен. Токены уже на балансе — вернитесь в бот.", true)
          : PaymentHtml.message("Оплата не подтверждена", "Счёт №" + invId
              + " пока не оплачен. Если деньги списаны, токены придут в бот в течение нескольких минут.", false));
    }).onFailure(ctx::fail);
  }

  private void fail(RoutingContext ctx) {
    html(ctx, 200, PaymentHtml.message("Оплата отменена",
        "Счёт №" + ctx.request().getParam("InvId", "") + " не оплачен. Деньги не списаны.", false));
  }

  private static Map<String, String> params(MultiMap multiMap) {
    Map<String, String> params = new LinkedHashMap<>();
    multiMap.forEach(e -> params.putIfAbsent(e.getKey(), e.getValue()));
    return params;
  }

  private static Map<String, java.util.List<String>> lists(Map<String, String> params) {
    Map<String, java.util.List<String>> lists = new LinkedHashMap<>();
    params.forEach((k, v) -> lists.put(k, java.util.List.of(v)));
    return lists;
  }

  private static String query(Map<String, String> params) {
    return params.entrySet().stream().map(e -> encode(e.getKey()) + "=" + encode(e.getValue()))
        .collect(Collectors.joining("&"));
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8);
  }

  private static void redirect(RoutingContext ctx, String location) {
    ctx.response().setStatusCode(303).putHeader("Location", location).end();
  }

  private static void html(RoutingContext ctx, int status, String page) {
    ctx.response().setStatusCode(status).putHeader("Content-Type", "text/html; charset=utf-8")
        .putHeader("Cache-Control", "no-store").end(page);
  }
}

package io.kopeck.devconsole;

import io.kopeck.web.HttpRoutes;
import io.vertx.core.MultiMap;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.Router;
import io.vertx.ext.web.RoutingContext;
import io.vertx.ext.web.handler.StaticHandler;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The developer console (SPEC §15), mounted by the root only where the console may be on: a chat page
 * at {@code /dev} (static files from the jar, no build step) that posts real updates to the
 * webhook, and the Bot API the bot talks to in this mode, {@code /dev/botapi/bot<token>/<method>}:
 * it answers like Telegram (message ids, {@code ok}/{@code result}, "chat not found" for a chat
 * that is neither a user nor an admin chat) and pushes every call to the open pages over
 * server-sent events ({@code /dev/events}).
 */
public final class DevConsole implements HttpRoutes {
  /** Promo codes to try in the console, seeded on its first start (none when any code exists). */
  public static final List<String> DEMO_PROMO_CODES = List.of(
      "{\"code\": \"DEMO10\", \"discount_type\": \"percent\", \"discount_value\": 10}",
      "{\"code\": \"BONUS50\", \"discount_type\": \"bonus_tokens\", \"discount_value\": 50}",
      "{\"code\": \"TRIAL\", \"discount_type\": \"trial\", \"tariff\": \"trial\"}");

  static final String CALLS = "dev.botapi.calls";
  /** How much of a document the page shows. */
  private static final int DOCUMENT_PREVIEW = 4000;
  private static final DeliveryOptions LOCAL = new DeliveryOptions().setLocalOnly(true);
  private static final String KNOWN_CHAT = "SELECT 1 FROM users WHERE id = $1";
  private static final String LAST_UPDATE = "SELECT coalesce(max(update_id), 0) AS last FROM telegram_updates";
  private static final List<String> TRUE_METHODS = List.of("answerCallbackQuery", "answerPreCheckoutQuery",
      "setMyCommands", "setMyDescription", "setMyShortDescription", "setWebhook", "deleteWebhook",
      "refundStarPayment", "editUserStarSubscription", "deleteMessage");

  /** What every instance of the console shares: the message ids it hands out. */
  public static final class State {
    private final AtomicInteger messageIds = new AtomicInteger(1000);
  }

  private final Pool pool;
  private final State state;
  private final JsonObject pageConfig;
  private final List<Long> adminChats;

  public DevConsole(Pool pool, State state, String webhookSecret, String runnerKey, List<Long> adminChats,
                    BigDecimal minTopup) {
    this.pool = pool;
    this.state = state;
    this.adminChats = adminChats;
    this.pageConfig = new JsonObject().put("webhook_secret", webhookSecret).put("runner_key", runnerKey)
        .put("admin_chat_ids", new JsonArray(List.copyOf(adminChats))).put("min_topup", minTopup.toPlainString());
  }

  @Override
  public void mount(Router router) {
    router.post("/dev/botapi/*").handler(this::multipart);
    router.route("/dev/botapi/*").handler(HttpRoutes.body(1024 * 1024)).handler(this::botApi);
    router.get("/dev/events").handler(this::events);
    router.get("/dev/config").handler(this::config);
    // Console mode is a laptop's: the root address leads to the console instead of a JSON 404.
    router.get("/").handler(ctx -> ctx.response().setStatusCode(302).putHeader("Location", "/dev").end());
    router.get("/dev").handler(ctx -> {
      if (ctx.request().path().equals("/dev")) {
        ctx.redirect("/dev/");
      } else {
        ctx.next();
      }
    });
    router.get("/dev/*").handler(StaticHandler.create("dev").setCachingEnabled(false).setIndexPage("index.html"));
  }

  /**
   * What the page needs: the webhook secret, the Runner key, the admin chats, and where its update
   * ids start (after every id the webhook has seen: Telegram's update ids are 32-bit, and a reused
   * id would be dropped as a duplicate).
   */
  private void config(RoutingContext ctx) {
    pool.query(LAST_UPDATE).execute().onSuccess(rows -> ctx.json(pageConfig.copy()
        .put("next_update_id", rows.iterator().next().getLong("last") + 1))).onFailure(ctx::fail);
  }

  /**
   * A call with a file (sendDocument, SPEC §18): its fields, and the file's name and first
   * {@link #DOCUMENT_PREVIEW} characters for the page; anything else goes on to {@link #botApi}.
   */
  private void multipart(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    if (type == null || !type.startsWith("multipart/form-data")) {
      ctx.next();
      return;
    }
    JsonObject params = new JsonObject();
    Buffer content = Buffer.buffer();
    ctx.request().setExpectMultipart(true);
    ctx.request().uploadHandler(upload -> {
      params.put("document_name", upload.filename());
      upload.handler(chunk -> {
        if (content.length() < DOCUMENT_PREVIEW * 4) {
          content.appendBuffer(chunk);
        }
      });
    });
    ctx.request().endHandler(v -> {
      ctx.request().formAttributes().forEach(entry -> params.put(entry.getKey(), json(entry.getValue())));
      String text = content.toString(StandardCharsets.UTF_8);
      params.put("document_preview", text.length() > DOCUMENT_PREVIEW ? text.substring(0, DOCUMENT_PREVIEW) + "…" : text);
      call(ctx, params);
    });
  }

  /** {@code /dev/botapi/bot<token>/<method>}: recorded, answered as Telegram would, pushed to the pages. */
  private void botApi(RoutingContext ctx) {
    call(ctx, params(ctx));
  }

  private void call(RoutingContext ctx, JsonObject params) {
    String path = ctx.request().path();
    String method = path.substring(path.lastIndexOf('/') + 1);
    Object chat = params.getValue("chat_id");
    Long chatId = chat == null ? null : parseLong(chat.toString());
    if (chatId == null || adminChats.contains(chatId)) {
      answer(ctx, method, params);
      return;
    }
    pool.preparedQuery(KNOWN_CHAT).execute(Tuple.of(chatId)).onComplete(done -> {
      if (done.succeeded() && done.result().size() == 0) {
        reply(ctx, method, params, new JsonObject().put("ok", false).put("error_code", 400)
            .put("description", "Bad Request: chat not found"));
      } else {
        answer(ctx, method, params);
      }
    });
  }

  private void answer(RoutingContext ctx, String method, JsonObject params) {
    JsonObject answer;
    if (method.equals("sendMessage") || method.equals("sendInvoice") || method.equals("sendDocument")
        || method.startsWith("editMessage")) {
      int id = params.containsKey("message_id") ? Integer.parseInt(params.getValue("message_id").toString())
          : state.messageIds.incrementAndGet();
      answer = ok(new JsonObject().put("message_id", id).put("date", System.currentTimeMillis() / 1000)
          .put("chat", new JsonObject().put("id", parseLong(String.valueOf(params.getValue("chat_id"))))
              .put("type", "private"))
          .put("text", params.getString("text", params.getString("title"))));
    } else if (method.equals("createInvoiceLink")) {
      answer = ok("https://t.me/$" + params.getString("payload", ""));
    } else if (method.equals("getStarTransactions")) {
      answer = ok(new JsonObject().put("transactions", new JsonArray()));
    } else if (TRUE_METHODS.contains(method)) {
      answer = ok(true);
    } else {
      answer = new JsonObject().put("ok", false).put("error_code", 404).put("description", "Not Found: method not found");
    }
    reply(ctx, method, params, answer);
  }

  private static JsonObject ok(Object result) {
    return new JsonObject().put("ok", true).put("result", result);
  }

  private void reply(RoutingContext ctx, String method, JsonObject params, JsonObject answer) {
    ctx.vertx().eventBus().publish(CALLS, new JsonObject().put("method", method).put("params", params)
        .put("answer", answer).put("at", System.currentTimeMillis()), LOCAL);
    ctx.response().setStatusCode(answer.getBoolean("ok") ? 200 : answer.getInteger("error_code"))
        .putHeader("Content-Type", "application/json").end(answer.encode());
  }

  /** Every Bot API call, as it happens, to this page (server-sent events); a comment every 15 s keeps it open. */
  private void events(RoutingContext ctx) {
    HttpServerResponse response = ctx.response().setChunked(true).putHeader("Content-Type", "text/event-stream")
        .putHeader("Cache-Control", "no-store");
    response.write(": console\n\n");
    MessageConsumer<JsonObject> consumer = ctx.vertx().eventBus().localConsumer(CALLS,
        message -> response.write("data: " + message.body().encode() + "\n\n"));
    long ping = ctx.vertx().setPeriodic(15_000, id -> response.write(": ping\n\n"));
    response.closeHandler(v -> {
      consumer.unregister();
      ctx.vertx().cancelTimer(ping);
    });
    // The stream never ends by itself: a graceful stop would wait SHUTDOWN_TIMEOUT_SECONDS for it (SPEC §17).
    // Ended when the server starts shutting down; the page reconnects to the next process.
    ctx.request().connection().shutdownHandler(v -> {
      consumer.unregister();
      ctx.vertx().cancelTimer(ping);
      if (!response.ended() && !response.closed()) {
        response.end();
      }
    });
  }

  /** Form-encoded (what the bot library sends) or JSON; fields holding JSON (reply_markup, prices) parsed. */
  private static JsonObject params(RoutingContext ctx) {
    String type = ctx.request().getHeader("Content-Type");
    String body = ctx.body().asString("UTF-8");
    if (type != null && type.startsWith("application/json") && body != null && !body.isBlank()) {
      return new JsonObject(body);
    }
    JsonObject params = new JsonObject();
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    for (String pair : body == null ? new String[0] : body.split("&")) {
      int eq = pair.indexOf('=');
      if (eq > 0) {
        form.add(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
            URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
      }
    }
    form.forEach(e -> params.put(e.getKey(), json(e.getValue())));
    return params;
  }

  private static Object json(String value) {
    try {
      return value.startsWith("{") ? new JsonObject(value) : value.startsWith("[") ? new JsonArray(value) : value;
    } catch (RuntimeException e) {
      return value;
    }
  }

  private static Long parseLong(String text) {
    try {
      return Long.valueOf(text);
    } catch (NumberFormatException e) {
      return null;
    }
  }
}

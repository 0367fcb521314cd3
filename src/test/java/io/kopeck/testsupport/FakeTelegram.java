package io.kopeck.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.MultiMap;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.HttpServer;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.json.JsonObject;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * A local server speaking the Telegram Bot API wire format at {@code /bot{token}/{method}}: form or
 * JSON parameters in, {@code {"ok":true,"result":…}} out. It records every call with its
 * parameters and arrival time, and can be told to answer 429 (with retry_after) a number of times
 * for a chat, or 403 for a chat, as Telegram does under flood control or after a user blocked the bot.
 * For Stars it speaks sendInvoice, createInvoiceLink, answerPreCheckoutQuery, refundStarPayment (an
 * answer per charge can be set, e.g. CHARGE_ALREADY_REFUNDED), editUserStarSubscription and
 * getStarTransactions (paged over the transactions a test adds).
 */
public final class FakeTelegram implements AutoCloseable {
  public static final String TOKEN = "123456:TEST-token";

  /** One Bot API call as received: method, parameters (reply_markup etc. as parsed JSON), when, and the id of the message it made. */
  public record Call(String method, JsonObject params, long atNanos, int status, Integer messageId) {
    public long chatId() {
      return Long.parseLong(params.getValue("chat_id").toString());
    }

    public String text() {
      return params.getString("text");
    }

    /** Inline buttons' callback data and URLs, in order. */
    public List<String> buttons() {
      List<String> out = new ArrayList<>();
      JsonObject markup = params.getJsonObject("reply_markup");
      if (markup == null || markup.getJsonArray("inline_keyboard") == null) {
        return out;
      }
      markup.getJsonArray("inline_keyboard").forEach(row -> ((io.vertx.core.json.JsonArray) row).forEach(b -> {
        JsonObject button = (JsonObject) b;
        out.add(button.getString("callback_data") != null ? button.getString("callback_data") : button.getString("url"));
      }));
      return out;
    }
  }

  private final Vertx vertx = Vertx.vertx();
  private final HttpServer server;
  private final List<Call> calls = new CopyOnWriteArrayList<>();
  private final Map<Long, AtomicInteger> floods = new ConcurrentHashMap<>();
  private final Map<Long, AtomicInteger> outages = new ConcurrentHashMap<>();
  private final Map<Long, Boolean> blocked = new ConcurrentHashMap<>();
  private final AtomicInteger messageIds = new AtomicInteger(100);
  private volatile int retryAfter = 1;
  private final List<JsonObject> starTransactions = new CopyOnWriteArrayList<>();
  private final Map<String, JsonObject> refundAnswers = new ConcurrentHashMap<>();
  private final Map<String, Long> delays = new ConcurrentHashMap<>();
  private final List<JsonObject> pendingUpdates = new CopyOnWriteArrayList<>();
  private final Map<String, byte[]> files = new ConcurrentHashMap<>();

  public FakeTelegram() {
    server = Http.await(vertx.createHttpServer().requestHandler(this::handle).listen(0));
  }

  public String url() {
    return "http://127.0.0.1:" + server.actualPort();
  }

  /** The next {@code times} sends to {@code chatId} answer 429 with retry_after {@code seconds}. */
  public void flood(long chatId, int times, int seconds) {
    retryAfter = seconds;
    floods.put(chatId, new AtomicInteger(times));
  }

  /** The next {@code times} sends to {@code chatId} answer 502, as Telegram does when it is having trouble. */
  public void outage(long chatId, int times) {
    outages.put(chatId, new AtomicInteger(times));
  }

  /** Every send to {@code chatId} answers 403, as after the user blocked the bot. */
  public void block(long chatId) {
    blocked.put(chatId, true);
  }

  /** Every {@code method} call is answered {@code millis} late (0: at once again), as a Telegram under load. */
  public void delay(String method, long millis) {
    delays.put(method, millis);
  }

  /** An update getUpdates hands out (until a later offset confirms it), as Telegram queues them. */
  public void queueUpdate(JsonObject update) {
    pendingUpdates.add(update);
  }

  /** A transaction getStarTransactions lists (newest first, as Telegram pages them: add newest first). */
  public void addStarTransaction(JsonObject transaction) {
    starTransactions.add(transaction);
  }

  /** refundStarPayment of {@code chargeId} answers this error (e.g. 400 CHARGE_ALREADY_REFUNDED). */
  public void refundAnswer(String chargeId, int code, String description) {
    refundAnswers.put(chargeId, error(code, description, null));
  }

  /** A file a user sent: getFile answers it by {@code fileId}, the file URL serves its bytes. */
  public void addFile(String fileId, byte[] content) {
    files.put(fileId, content);
  }

  public List<Call> calls() {
    return List.copyOf(calls);
  }

  public List<Call> calls(String method, Predicate<Call> filter) {
    return calls.stream().filter(c -> c.method().equals(method) && filter.test(c)).toList();
  }

  /** Successful sendMessage calls to a chat. */
  public List<Call> delivered(long chatId) {
    return calls.stream().filter(c -> c.method().equals("sendMessage") && c.status() == 200 && c.chatId() == chatId)
        .toList();
  }

  /** Waits (polling, at most {@code seconds}) until {@code count} calls match; returns them. */
  public List<Call> await(String method, Predicate<Call> filter, int count, int seconds) {
    List<Call> found = Eventually.until(() -> calls(method, filter), calls -> calls.size() >= count, seconds);
    assertThat(found).as("%s calls matching after %d s; all calls: %s", method, seconds, calls).hasSizeGreaterThanOrEqualTo(count);
    return found;
  }

  /** The one call of {@code method} to {@code chatId} that satisfies {@code filter}, waited for. */
  public Call awaitOne(String method, long chatId, Predicate<Call> filter) {
    return await(method, c -> c.params().containsKey("chat_id") && c.chatId() == chatId && filter.test(c), 1, 10).get(0);
  }

  public Call awaitAnswer(Predicate<Call> filter) {
    return await("answerCallbackQuery", filter, 1, 10).get(0);
  }

  private void handle(HttpServerRequest request) {
    if (request.path().startsWith("/file/bot" + TOKEN + "/")) {
      byte[] file = files.get(request.path().substring(request.path().lastIndexOf('/') + 1));
      request.response().setStatusCode(file == null ? 404 : 200).end(file == null ? Buffer.buffer()
          : Buffer.buffer(file));
      return;
    }
    String type = request.getHeader("Content-Type");
    if (type != null && type.startsWith("multipart/form-data")) {
      multipart(request);
      return;
    }
    request.body().onSuccess(body -> {
      String path = request.path();
      int slash = path.lastIndexOf('/');
      String token = path.substring(0, slash).replaceFirst("^/bot", "");
      String method = path.substring(slash + 1);
      if (!token.equals(TOKEN)) {
        reply(request, 401, new JsonObject().put("ok", false).put("error_code", 401).put("description", "Unauthorized"));
        return;
      }
      JsonObject params = params(request, body.toString(StandardCharsets.UTF_8));
      dispatch(request, method, params);
    });
  }

  /** sendDocument with a file: the form's fields, the file's name and (UTF-8) content as params. */
  private void multipart(HttpServerRequest request) {
    request.setExpectMultipart(true);
    JsonObject params = new JsonObject();
    Buffer content = Buffer.buffer();
    request.uploadHandler(upload -> {
      params.put("document_filename", upload.filename());
      upload.handler(content::appendBuffer);
    });
    request.endHandler(v -> {
      request.formAttributes().forEach(entry -> params.put(entry.getKey(), entry.getValue()));
      params.put("document_content", content.toString(StandardCharsets.UTF_8));
      String path = request.path();
      dispatch(request, path.substring(path.lastIndexOf('/') + 1), params);
    });
  }

  private void dispatch(HttpServerRequest request, String method, JsonObject params) {
    if (method.equals("getUpdates") && updatesFor(params).isEmpty()) {
      // A long poll with nothing to hand out: answered empty a little later, as Telegram would at its timeout.
      vertx.setTimer(200, id -> {
        calls.add(new Call(method, params, System.nanoTime(), 200, null));
        reply(request, 200, new JsonObject().put("ok", true).put("result", new io.vertx.core.json.JsonArray()));
      });
      return;
    }
    JsonObject answer = answer(method, params);
    int status = answer.getBoolean("ok") ? 200 : answer.getInteger("error_code");
    JsonObject result = answer.getValue("result") instanceof JsonObject r ? r : null;
    calls.add(new Call(method, params, System.nanoTime(), status, result == null ? null : result.getInteger("message_id")));
    long delay = delays.getOrDefault(method, 0L);
    if (delay > 0) {
      vertx.setTimer(delay, id -> reply(request, status, answer));
    } else {
      reply(request, status, answer);
    }
  }

  private JsonObject answer(String method, JsonObject params) {
    Long chat = params.containsKey("chat_id") ? Long.valueOf(params.getValue("chat_id").toString()) : null;
    if (chat != null && method.equals("sendMessage")) {
      if (blocked.containsKey(chat)) {
        return error(403, "Forbidden: bot was blocked by the user", null);
      }
      AtomicInteger outage = outages.get(chat);
      if (outage != null && outage.getAndDecrement() > 0) {
        return error(502, "Bad Gateway", null);
      }
      AtomicInteger flood = floods.get(chat);
      if (flood != null && flood.getAndDecrement() > 0) {
        return error(429, "Too Many Requests: retry after " + retryAfter, retryAfter);
      }
    }
    switch (method) {
      case "createInvoiceLink" -> {
        return new JsonObject().put("ok", true).put("result", "https://t.me/$" + params.getString("payload"));
      }
      case "refundStarPayment" -> {
        JsonObject answer = refundAnswers.get(params.getString("telegram_payment_charge_id"));
        return answer != null ? answer : new JsonObject().put("ok", true).put("result", true);
      }
      case "getUpdates" -> {
        return new JsonObject().put("ok", true).put("result", new io.vertx.core.json.JsonArray(updatesFor(params)));
      }
      case "getFile" -> {
        String fileId = params.getString("file_id");
        byte[] file = files.get(fileId);
        return file == null ? error(400, "Bad Request: invalid file_id", null) : new JsonObject().put("ok", true)
            .put("result", new JsonObject().put("file_id", fileId).put("file_unique_id", "u" + fileId)
                .put("file_size", file.length).put("file_path", "documents/" + fileId));
      }
      case "getStarTransactions" -> {
        int offset = Integer.parseInt(params.getValue("offset", 0).toString());
        int limit = Integer.parseInt(params.getValue("limit", 100).toString());
        List<JsonObject> page = starTransactions.subList(Math.min(offset, starTransactions.size()),
            Math.min(offset + limit, starTransactions.size()));
        return new JsonObject().put("ok", true).put("result", new JsonObject()
            .put("transactions", new io.vertx.core.json.JsonArray(new ArrayList<>(page))));
      }
      default -> {
      }
    }
    if (method.equals("sendMessage") || method.equals("editMessageText") || method.equals("sendInvoice")
        || method.equals("sendDocument")) {
      int id = params.containsKey("message_id") ? Integer.parseInt(params.getValue("message_id").toString())
          : messageIds.incrementAndGet();
      return new JsonObject().put("ok", true).put("result", new JsonObject().put("message_id", id)
          .put("date", System.currentTimeMillis() / 1000)
          .put("chat", new JsonObject().put("id", chat).put("type", "private")).put("text", params.getString("text")));
    }
    return new JsonObject().put("ok", true).put("result", true);
  }

  /** Updates at or after the request's offset; an offset confirms (drops) every update before it. */
  private List<JsonObject> updatesFor(JsonObject params) {
    long offset = Long.parseLong(params.getValue("offset", 0).toString());
    pendingUpdates.removeIf(u -> u.getLong("update_id") < offset);
    return List.copyOf(pendingUpdates);
  }

  private static JsonObject error(int code, String description, Integer retryAfter) {
    JsonObject error = new JsonObject().put("ok", false).put("error_code", code).put("description", description);
    if (retryAfter != null) {
      error.put("parameters", new JsonObject().put("retry_after", retryAfter));
    }
    return error;
  }

  /** Form-encoded (what the library sends) or JSON; JSON-valued fields such as reply_markup are parsed. */
  private static JsonObject params(HttpServerRequest request, String body) {
    String type = request.getHeader("Content-Type");
    JsonObject params = new JsonObject();
    if (type != null && type.startsWith("application/json")) {
      return new JsonObject(body);
    }
    MultiMap form = MultiMap.caseInsensitiveMultiMap();
    for (String pair : body.split("&")) {
      if (pair.isEmpty()) {
        continue;
      }
      int eq = pair.indexOf('=');
      form.add(URLDecoder.decode(pair.substring(0, eq), StandardCharsets.UTF_8),
          URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8));
    }
    form.forEach(entry -> {
      String value = entry.getValue();
      params.put(entry.getKey(), value.startsWith("{") || value.startsWith("[") ? parseJson(value) : value);
    });
    return params;
  }

  private static Object parseJson(String value) {
    return value.startsWith("{") ? new JsonObject(value) : new io.vertx.core.json.JsonArray(value);
  }

  private static void reply(HttpServerRequest request, int status, JsonObject body) {
    request.response().setStatusCode(status).putHeader("Content-Type", "application/json").end(body.encode());
  }

  @Override
  public void close() {
    Http.await(vertx.close());
  }
}

package io.kopeck.botapi;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.google.gson.Gson;
import com.pengrad.telegrambot.Callback;
import com.pengrad.telegrambot.TelegramBot;
import com.pengrad.telegrambot.request.BaseRequest;
import com.pengrad.telegrambot.request.GetFile;
import com.pengrad.telegrambot.response.BaseResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;
import okhttp3.Call;
import okhttp3.ConnectionPool;
import okhttp3.Dispatcher;
import okhttp3.MediaType;
import okhttp3.OkHttpClient;
import okhttp3.Request;
import okhttp3.RequestBody;
import okhttp3.Response;
import okhttp3.ResponseBody;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Outgoing Bot API calls through the pengrad library, to {@code {TELEGRAM_API_URL}/bot{token}/{method}}.
 * The library answers on OkHttp threads; every result hops back onto the caller's Vert.x context.
 * Without a token the bot is offline: calls are logged and answered {@code ok} without a network.
 */
public final class BotApi {
  private static final Logger log = LoggerFactory.getLogger(BotApi.class);
  private static final Gson GSON = new Gson();

  private static final MediaType JSON = MediaType.get("application/json; charset=utf-8");
  private static final Pattern METHOD = Pattern.compile("[A-Za-z]{1,64}");

  private final Vertx vertx;
  private final TelegramBot bot;
  private final OkHttpClient http;
  private final String methodsUrl;

  private BotApi(Vertx vertx, TelegramBot bot, OkHttpClient http, String methodsUrl) {
    this.vertx = vertx;
    this.bot = bot;
    this.http = http;
    this.methodsUrl = methodsUrl;
  }

  /**
   * The process's one client, built by the composition root and shared by every verticle (calls hop
   * back to the caller's context). {@code token} empty → offline mode. {@code concurrency}: calls in
   * flight at once — OkHttp's default of 5 per host would cap the sender below Telegram's 30
   * messages/s whenever a round trip takes longer than a sixth of a second.
   */
  public static BotApi create(Vertx vertx, String apiUrl, String token, int concurrency) {
    if (token.isEmpty()) {
      return new BotApi(vertx, null, null, null);
    }
    Dispatcher dispatcher = new Dispatcher();
    dispatcher.setMaxRequests(concurrency);
    dispatcher.setMaxRequestsPerHost(concurrency);
    OkHttpClient http = new OkHttpClient.Builder().connectTimeout(10, TimeUnit.SECONDS)
        .readTimeout(30, TimeUnit.SECONDS).writeTimeout(30, TimeUnit.SECONDS).dispatcher(dispatcher)
        .connectionPool(new ConnectionPool(concurrency, 5, TimeUnit.MINUTES)).build();
    String base = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    return new BotApi(vertx, new TelegramBot.Builder(token).apiUrl(base + "/bot").fileApiUrl(base + "/file/bot")
        .okHttpClient(http).build(), http, base + "/bot" + token + "/");
  }

  public boolean offline() {
    return bot == null;
  }

  /**
   * Sends the request. The future fails only when Telegram could not be reached; an answer of
   * Telegram's, successful or not ({@code ok=false} with its error code), is a successful future.
   */
  public <T extends BaseRequest<T, R>, R extends BaseResponse> Future<R> call(BaseRequest<T, R> request) {
    if (bot == null) {
      log.info("Offline, not sent: {} {}", kv("method", request.getMethod()), kv("parameters", request.getParameters()));
      return Future.succeededFuture(GSON.fromJson("{\"ok\":true}", request.getResponseType()));
    }
    Context context = vertx.getOrCreateContext();
    Promise<R> promise = Promise.promise();
    bot.execute(asT(request), new Callback<T, R>() {
      @Override
      public void onResponse(T sent, R response) {
        context.runOnContext(v -> promise.complete(response));
      }

      @Override
      public void onFailure(T sent, IOException e) {
        context.runOnContext(v -> promise.fail(e));
      }
    });
    return promise.future();
  }

  /**
   * A direct reply to a person's own action (SPEC §11): Telegram's 429 is honoured — wait
   * retry_after and try again, at most {@link #FLOOD_RETRIES} times and only while that ends within
   * {@link #REPLY_WINDOW_NANOS} of the first try — and a 5xx or network failure is tried once more
   * after a second. The last answer is returned as {@link #call} would (the future fails only if
   * Telegram could not be reached); deciding what a refusal means is the caller's.
   */
  public <T extends BaseRequest<T, R>, R extends BaseResponse> Future<R> reply(BaseRequest<T, R> request) {
    return reply(request, 0, 0, System.nanoTime() + REPLY_WINDOW_NANOS);
  }

  private static final int FLOOD_RETRIES = 2;
  private static final long REPLY_WINDOW_NANOS = TimeUnit.SECONDS.toNanos(60);
  private static final long SERVER_ERROR_RETRY_MS = 1_000;

  private <T extends BaseRequest<T, R>, R extends BaseResponse> Future<R> reply(BaseRequest<T, R> request, int floods,
                                                                              int failures, long deadline) {
    return call(request).transform(done -> {
      R answer = done.succeeded() ? done.result() : null;
      if (answer != null && answer.errorCode() == 429 && floods < FLOOD_RETRIES) {
        int retryAfter = answer.parameters() == null || answer.parameters().retryAfter() == null ? 1
            : answer.parameters().retryAfter();
        long wakeAt = System.nanoTime() + TimeUnit.SECONDS.toNanos(retryAfter);
        if (wakeAt - deadline <= 0) {
          return later(retryAfter * 1_000L, () -> reply(request, floods + 1, failures, deadline));
        }
      }
      boolean serverFailure = answer == null || answer.errorCode() >= 500;
      if (serverFailure && failures == 0) {
        return later(SERVER_ERROR_RETRY_MS, () -> reply(request, floods, failures + 1, deadline));
      }
      return done.succeeded() ? Future.succeededFuture(answer) : Future.failedFuture(done.cause());
    });
  }

  /**
   * A file a user sent (SPEC §18): {@code getFile}, then {@code {TELEGRAM_API_URL}/file/bot<token>/<file_path>},
   * read on OkHttp's thread and handed back on the caller's context. Fails with {@link FileTooLarge} past
   * {@code maxBytes} (by Telegram's size first, then by what actually arrives), and when Telegram does not
   * serve the file.
   */
  public Future<byte[]> download(String fileId, long maxBytes) {
    if (bot == null) {
      return Future.failedFuture(new IOException("offline: no TELEGRAM_BOT_TOKEN"));
    }
    return call(new GetFile(fileId)).compose(answer -> {
      if (!answer.isOk() || answer.file() == null || answer.file().filePath() == null) {
        return Future.failedFuture(new IOException("getFile: " + answer.description()));
      }
      Long size = answer.file().fileSize();
      if (size != null && size > maxBytes) {
        return Future.failedFuture(new FileTooLarge(size));
      }
      return fetch(bot.getFullFilePath(answer.file()), maxBytes);
    });
  }

  private Future<byte[]> fetch(String url, long maxBytes) {
    Context context = vertx.getOrCreateContext();
    Promise<byte[]> promise = Promise.promise();
    http.newCall(new Request.Builder().url(url).get().build()).enqueue(new okhttp3.Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        try (response; ResponseBody body = response.body()) {
          if (!response.isSuccessful() || body == null) {
            throw new IOException("file download answered " + response.code());
          }
          byte[] bytes = body.byteStream().readNBytes((int) Math.min(Integer.MAX_VALUE - 1, maxBytes + 1));
          if (bytes.length > maxBytes) {
            throw new FileTooLarge(bytes.length);
          }
          context.runOnContext(v -> promise.complete(bytes));
        } catch (IOException e) {
          context.runOnContext(v -> promise.fail(e));
        }
      }

      @Override
      public void onFailure(Call call, IOException e) {
        context.runOnContext(v -> promise.fail(e));
      }
    });
    return promise.future();
  }

  /**
   * A Bot API method by name with its JSON parameters, as a product's webhook reply names it (SPEC §20:
   * {@code {"method": "sendMessage", "chat_id": …}}); Telegram's answer as JSON. A name that is not a
   * method name fails without a call.
   */
  public Future<JsonObject> raw(String method, JsonObject params) {
    if (method == null || !METHOD.matcher(method).matches()) {
      return Future.failedFuture(new IllegalArgumentException("not a Bot API method: " + method));
    }
    if (bot == null) {
      log.info("Offline, not sent: {} {}", kv("method", method), kv("parameters", params.encode()));
      return Future.succeededFuture(new JsonObject().put("ok", true));
    }
    Context context = vertx.getOrCreateContext();
    Promise<JsonObject> promise = Promise.promise();
    Request request = new Request.Builder().url(methodsUrl + method)
        .post(RequestBody.create(params.encode(), JSON)).build();
    http.newCall(request).enqueue(new okhttp3.Callback() {
      @Override
      public void onResponse(Call call, Response response) {
        try (response; ResponseBody body = response.body()) {
          String text = body == null ? "{}" : body.string();
          context.runOnContext(v -> promise.complete(new JsonObject(text.isBlank() ? "{}" : text)));
        } catch (IOException | RuntimeException e) {
          context.runOnContext(v -> promise.fail(e));
        }
      }

      @Override
      public void onFailure(Call call, IOException e) {
        context.runOnContext(v -> promise.fail(e));
      }
    });
    return promise.future();
  }

  /** A file larger than the caller takes. */
  public static final class FileTooLarge extends IOException {
    private static final long serialVersionUID = 1L;

    FileTooLarge(long size) {
      super("the file has " + size + " bytes");
    }
  }

  private <R> Future<R> later(long delayMs, java.util.function.Supplier<Future<R>> action) {
    Promise<R> promise = Promise.promise();
    vertx.setTimer(Math.max(1, delayMs), id -> action.get().onComplete(promise));
    return promise.future();
  }

  @SuppressWarnings("unchecked")
  private static <T extends BaseRequest<T, R>, R extends BaseResponse> T asT(BaseRequest<T, R> request) {
    return (T) request;
  }

  public void close() {
    if (bot != null) {
      bot.shutdown();
    }
  }
}

package io.kopeck.telegram.api;

import static net.logstash.logback.argument.StructuredArguments.kv;

import com.google.gson.Gson;
import com.pengrad.telegrambot.Callback;
import com.pengrad.telegrambot.TelegramBot;
import com.pengrad.telegrambot.request.BaseRequest;
import com.pengrad.telegrambot.response.BaseResponse;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import okhttp3.OkHttpClient;
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

  private final Vertx vertx;
  private final TelegramBot bot;

  private BotApi(Vertx vertx, TelegramBot bot) {
    this.vertx = vertx;
    this.bot = bot;
  }

  /** {@code token} empty → offline mode. */
  public static BotApi create(Vertx vertx, String apiUrl, String token) {
    if (token.isEmpty()) {
      return new BotApi(vertx, null);
    }
    OkHttpClient http = new OkHttpClient.Builder().connectTimeout(10, TimeUnit.SECONDS)
        .readTimeout(30, TimeUnit.SECONDS).writeTimeout(30, TimeUnit.SECONDS).build();
    String base = apiUrl.endsWith("/") ? apiUrl.substring(0, apiUrl.length() - 1) : apiUrl;
    return new BotApi(vertx, new TelegramBot.Builder(token).apiUrl(base + "/bot").okHttpClient(http).build());
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

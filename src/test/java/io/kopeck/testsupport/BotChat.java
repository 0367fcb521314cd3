package io.kopeck.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.FakeTelegram.Call;
import io.vertx.core.json.JsonObject;
import java.util.function.Consumer;

/**
 * A person talking to the bot in a test: updates posted to the service's webhook with the secret,
 * and the bot's answers waited for at the fake Bot API.
 */
public final class BotChat {
  private final FakeTelegram telegram;
  private final Http http;
  private final String secret;
  private final Consumer<JsonObject> beforePost;

  public BotChat(FakeTelegram telegram, Http http, String secret) {
    this(telegram, http, secret, update -> { });
  }

  /** {@code beforePost} sees every update first (a test writing a transcript). */
  public BotChat(FakeTelegram telegram, Http http, String secret, Consumer<JsonObject> beforePost) {
    this.telegram = telegram;
    this.http = http;
    this.secret = secret;
    this.beforePost = beforePost;
  }

  /** Posts one update; the webhook answers 200 to anything with the right secret. */
  public void post(JsonObject update) {
    beforePost.accept(update);
    Http.Response answer = Http.await(http.sendWithHeader("/telegram/webhook", "X-Telegram-Bot-Api-Secret-Token", secret,
        update.encode()));
    assertThat(answer.status()).isEqualTo(200);
  }

  /** Sends {@code text} and returns the bot's message that contains {@code expected}. */
  public Call say(JsonObject user, String text, String expected) {
    int before = telegram.calls().size();
    post(Updates.text(user, text));
    return telegram.awaitOne("sendMessage", user.getLong("id"), c -> telegram.calls().indexOf(c) >= before
        && c.text().contains(expected));
  }

  /** Presses a button; returns the {@code method} call with {@code expected} it caused (the press itself answered). */
  public Call press(JsonObject user, int messageId, String data, String method, String expected) {
    int before = telegram.calls().size();
    post(Updates.press(user, messageId, data));
    Call call = telegram.awaitOne(method, user.getLong("id"), c -> telegram.calls().indexOf(c) >= before
        && (c.text() == null || c.text().contains(expected)));
    telegram.awaitAnswer(c -> telegram.calls().indexOf(c) >= before);
    return call;
  }
}

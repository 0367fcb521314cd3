package io.kopeck.telegram;

import com.pengrad.telegrambot.model.request.ParseMode;
import com.pengrad.telegrambot.request.AnswerCallbackQuery;
import com.pengrad.telegrambot.request.BaseRequest;
import com.pengrad.telegrambot.request.EditMessageText;
import com.pengrad.telegrambot.request.SendMessage;
import com.pengrad.telegrambot.response.BaseResponse;
import io.kopeck.botapi.BotApi;
import io.kopeck.i18n.Texts;
import io.vertx.core.Future;
import java.time.OffsetDateTime;

/**
 * One update's conversation partner: who wrote, in which language, and how to answer — a new
 * message, or (for a button press) the message the button sat on edited in place.
 */
final class Chat {
  private final BotApi api;
  private final BotUser user;
  private final Integer buttonMessageId;
  private final OffsetDateTime now;

  Chat(BotApi api, BotUser user, Integer buttonMessageId, OffsetDateTime now) {
    this.api = api;
    this.user = user;
    this.buttonMessageId = buttonMessageId;
    this.now = now;
  }

  BotUser user() {
    return user;
  }

  long userId() {
    return user.id();
  }

  Texts texts() {
    return user.texts();
  }

  String t(String key, Object... args) {
    return user.texts().get(key, args);
  }

  OffsetDateTime now() {
    return now;
  }

  /** The message whose button was pressed, or null when the update is a typed message. */
  Integer buttonMessageId() {
    return buttonMessageId;
  }

  /** Replaces an earlier message of the bot's (e.g. an invoice that lost its Pay buttons); Telegram's refusal is not a failure. */
  Future<Void> edit(int messageId, Screen screen) {
    EditMessageText edit = new EditMessageText(user.id(), messageId, screen.html()).parseMode(ParseMode.HTML);
    if (screen.inlineKeyboard() != null) {
      edit.replyMarkup(screen.inlineKeyboard());
    }
    return api.reply(edit).mapEmpty();
  }

  /** A new message. */
  Future<Void> send(Screen screen) {
    SendMessage message = new SendMessage(user.id(), screen.html()).parseMode(ParseMode.HTML);
    if (screen.keyboard() != null) {
      message.replyMarkup(screen.keyboard());
    }
    return deliver(api, message).mapEmpty();
  }

  /** A new message; its message id (for edits to come). */
  Future<Integer> sendForId(Screen screen) {
    SendMessage message = new SendMessage(user.id(), screen.html()).parseMode(ParseMode.HTML);
    if (screen.keyboard() != null) {
      message.replyMarkup(screen.keyboard());
    }
    return deliver(api, message).map(answer -> answer.message() == null ? null : answer.message().messageId());
  }

  Future<Void> send(String html) {
    return send(Screen.text(html));
  }

  /** Replaces the pressed button's message when there is one, else sends a new message. */
  Future<Void> show(Screen screen) {
    if (buttonMessageId == null || (screen.keyboard() != null && screen.inlineKeyboard() == null)) {
      return send(screen);
    }
    EditMessageText edit = new EditMessageText(user.id(), buttonMessageId, screen.html()).parseMode(ParseMode.HTML);
    if (screen.inlineKeyboard() != null) {
      edit.replyMarkup(screen.inlineKeyboard());
    }
    return api.reply(edit).compose(answer -> notModified(answer) || answer.isOk() ? Future.succeededFuture()
        : send(screen));
  }

  /** Telegram refuses an edit that changes nothing (a Refresh with nothing new): not a failure. */
  private static boolean notModified(BaseResponse answer) {
    return !answer.isOk() && answer.description() != null && answer.description().contains("not modified");
  }

  /** Another Bot API call answering the person (an invoice, an invoice link), delivered like any reply. */
  <T extends BaseRequest<T, R>, R extends BaseResponse> Future<R> call(BaseRequest<T, R> request) {
    return deliver(api, request);
  }

  /** Answers a button press (every press is answered, SPEC §8); {@code text} may be null. */
  static Future<Void> answer(BotApi api, String callbackId, String text) {
    AnswerCallbackQuery answer = new AnswerCallbackQuery(callbackId);
    if (text != null) {
      answer.text(text);
    }
    return deliver(api, answer).mapEmpty();
  }

  /** A reply that Telegram did not take after the retries of {@link BotApi#reply} fails the update, loudly. */
  private static <T extends BaseRequest<T, R>, R extends BaseResponse> Future<R> deliver(BotApi api,
                                                                                     BaseRequest<T, R> request) {
    return api.reply(request).transform(done -> done.succeeded() && done.result().isOk()
        ? Future.succeededFuture(done.result())
        : Future.failedFuture(new ReplyNotDelivered(request.getMethod(), done.succeeded() ? done.result() : null,
            done.cause())));
  }
}

package io.kopeck.telegram;

import com.pengrad.telegrambot.response.BaseResponse;

/** Telegram did not take a direct reply even after its retries; the update's failure line says so. */
final class ReplyNotDelivered extends RuntimeException {
  private static final long serialVersionUID = 1L;

  ReplyNotDelivered(String method, BaseResponse answer, Throwable cause) {
    super(method + " not delivered: " + (answer != null ? answer.errorCode() + " " + answer.description()
        : "Telegram unreachable (" + (cause == null ? "?" : cause.toString()) + ")"), cause, false, false);
  }
}

package io.kopeck.payment;

import com.pengrad.telegrambot.request.RefundStarPayment;
import com.pengrad.telegrambot.response.BaseResponse;
import io.kopeck.botapi.BotApi;
import io.vertx.core.Future;
import java.math.BigDecimal;

/** Stars go back through {@code refundStarPayment} (whole payments only: Telegram refunds a charge entirely). */
final class StarsMoneyBack implements MoneyBack {
  private final BotApi api;

  StarsMoneyBack(BotApi api) {
    this.api = api;
  }

  @Override
  public String provider() {
    return StarsPayments.NAME;
  }

  /** CHARGE_ALREADY_REFUNDED means the Stars are back already; 429, 5xx or no answer: try again later. */
  @Override
  public Future<Step> giveBack(long userId, String paymentId, BigDecimal amount, String currency, String key) {
    return api.call(new RefundStarPayment(userId, paymentId)).transform(done -> {
      if (done.failed()) {
        return Future.failedFuture(PaymentRefusal.PROVIDER_UNAVAILABLE.because(
            "Telegram could not be reached: " + done.cause().getMessage()));
      }
      BaseResponse answer = done.result();
      if (answer.isOk() || String.valueOf(answer.description()).contains("CHARGE_ALREADY_REFUNDED")) {
        return Future.succeededFuture(Step.done(null));
      }
      if (answer.errorCode() == 429 || answer.errorCode() >= 500) {
        return Future.failedFuture(PaymentRefusal.PROVIDER_UNAVAILABLE.because(
            "Telegram answered " + answer.errorCode() + ": " + answer.description()));
      }
      return Future.succeededFuture(Step.refused(answer.errorCode() + " " + answer.description()));
    });
  }

}

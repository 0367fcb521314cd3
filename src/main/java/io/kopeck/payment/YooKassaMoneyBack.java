package io.kopeck.payment;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.common.Refused;
import io.kopeck.common.StrictJson;
import io.vertx.core.Future;
import java.math.BigDecimal;

/** YooKassa refunds: {@code POST /refunds} with the refund's own Idempotence-Key. */
final class YooKassaMoneyBack implements MoneyBack {
  private final YooKassaClient client;

  YooKassaMoneyBack(YooKassaClient client) {
    this.client = client;
  }

  @Override
  public String provider() {
    return YooKassaPayments.NAME;
  }

  /** POST /refunds with the refund's key; YooKassa's answer says done, under way or refused. */
  @Override
  public Future<Step> giveBack(long userId, String paymentId, BigDecimal amount, String currency, String key) {
    ObjectNode body = StrictJson.newObject().put("payment_id", paymentId);
    body.set("amount", YooKassaPayments.amount(amount));
    return client.createRefund(body, key).map(refund -> {
      String id = refund.path("id").asText(null);
      return switch (refund.path("status").asText("")) {
        case "succeeded" -> Step.done(id);
        case "canceled" -> Step.refused(refund.path("cancellation_details").path("reason").asText("canceled"));
        default -> Step.pending(id);
      };
    }).recover(e -> e instanceof Refused refused && refused.refusal() == PaymentRefusal.PROVIDER_REFUSED
        ? Future.succeededFuture(Step.refused(e.getMessage())) : Future.failedFuture(e));
  }

}

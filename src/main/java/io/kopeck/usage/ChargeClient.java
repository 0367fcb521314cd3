package io.kopeck.usage;

import io.kopeck.ledger.BillingEngineVerticle;
import io.kopeck.ledger.Charge;
import io.kopeck.ledger.PostingResult;
import io.vertx.core.Future;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.EventBus;
import io.vertx.core.eventbus.Message;

/** Hands charges to this process's billing engine over the event bus. */
final class ChargeClient {
  private static final DeliveryOptions DELIVERY = new DeliveryOptions().setSendTimeout(30_000).setLocalOnly(true);

  private final EventBus bus;

  ChargeClient(EventBus bus) {
    this.bus = bus;
  }

  /** The committed result; fails (retryably) if the batch could not be committed. */
  Future<PostingResult> charge(Charge charge) {
    return bus.<PostingResult>request(BillingEngineVerticle.ADDRESS, charge, DELIVERY).map(Message::body);
  }
}

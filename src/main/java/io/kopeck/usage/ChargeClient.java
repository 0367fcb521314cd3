package io.kopeck.usage;

import io.kopeck.ledger.BillingEngineVerticle;
import io.kopeck.ledger.Charge;
import io.kopeck.ledger.ChargeIntake;
import io.kopeck.ledger.PostingResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.eventbus.DeliveryOptions;
import io.vertx.core.eventbus.Message;

/**
 * Hands charges to this process's billing engine: through its in-process {@link ChargeIntake}
 * when one is deployed in this Vert.x instance (always, in the service), else over the event bus.
 */
final class ChargeClient {
  private static final DeliveryOptions DELIVERY = new DeliveryOptions().setSendTimeout(30_000).setLocalOnly(true);

  private final Vertx vertx;
  private ChargeIntake intake;

  ChargeClient(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The committed result; fails (retryably) if the batch could not be committed. */
  Future<PostingResult> charge(Charge charge) {
    if (intake == null || !intake.isOpen()) {
      // Looked up on first use (the HTTP edge may be built before the engine is deployed) and after a redeploy.
      intake = ChargeIntake.of(vertx);
    }
    if (intake != null) {
      return intake.submit(charge);
    }
    return vertx.eventBus().<PostingResult>request(BillingEngineVerticle.ADDRESS, charge, DELIVERY).map(Message::body);
  }
}

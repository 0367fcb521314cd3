package io.kopeck.usage;

import io.kopeck.ledger.Charge;
import io.kopeck.ledger.ChargeIntake;
import io.kopeck.ledger.PostingResult;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

/** Hands charges to this process's billing engine through its in-process {@link ChargeIntake}. */
final class ChargeClient {
  private final Vertx vertx;
  private ChargeIntake intake;

  ChargeClient(Vertx vertx) {
    this.vertx = vertx;
  }

  /** The committed result; fails (retryably) if the batch could not be committed or no engine runs. */
  Future<PostingResult> charge(Charge charge) {
    if (intake == null || !intake.isOpen()) {
      // Looked up on first use (the HTTP edge may be built before the engine is deployed) and after a redeploy.
      intake = ChargeIntake.of(vertx);
    }
    return intake == null ? ChargeIntake.notRunning() : intake.submit(charge);
  }
}

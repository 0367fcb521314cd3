package io.kopeck.common;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;
import java.util.function.IntFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The delivery loop of a durable queue (updates for the owner's product, events for WEBHOOK_URL): claim
 * up to {@code maxInFlight} items, deliver each, claim again as deliveries finish; one claim at a time;
 * after {@link #stop} nothing new is claimed and the deliveries in flight are waited for. Runs on one
 * verticle's context (its fields are that context's).
 */
public final class ClaimLoop<T> {
  private static final Logger log = LoggerFactory.getLogger(ClaimLoop.class);

  private final String what;
  private final int maxInFlight;
  private final IntFunction<Future<List<T>>> claim;
  private final Function<T, Future<Void>> deliver;
  private final List<Future<Void>> deliveries = new ArrayList<>();
  private int inFlight;
  private boolean claiming;
  private boolean stopping;
  private Vertx vertx;
  private long timer = -1;

  /** {@code claim}: up to n items, leased to this instance; {@code deliver}: one item's delivery, its outcome recorded. */
  public ClaimLoop(String what, int maxInFlight, IntFunction<Future<List<T>>> claim, Function<T, Future<Void>> deliver) {
    this.what = what;
    this.maxInFlight = maxInFlight;
    this.claim = claim;
    this.deliver = deliver;
  }

  /** Starts claiming every {@code tickMs} on the caller's context (and whenever a delivery ends). */
  public ClaimLoop<T> start(Vertx vertx, long tickMs) {
    this.vertx = vertx;
    timer = vertx.setPeriodic(tickMs, id -> claim());
    return this;
  }

  /** Claims what there is room for (the timer, a delivery that ended, new items); a no-op while a claim runs. */
  public void claim() {
    if (claiming || stopping || inFlight >= maxInFlight) {
      return;
    }
    claiming = true;
    claim.apply(maxInFlight - inFlight).onComplete(done -> {
      claiming = false;
      if (done.failed()) {
        log.warn("Claiming {} failed: {}", what, done.cause().getMessage());
        return;
      }
      done.result().forEach(this::deliver);
    });
  }

  private void deliver(T item) {
    inFlight++;
    Future<Void> delivery = deliver.apply(item).recover(e -> {
      log.warn("Delivering {} failed: {}", what, e.toString());
      return Future.succeededFuture();
    }).onComplete(v -> {
      inFlight--;
      claim();
    });
    deliveries.add(delivery);
    delivery.onComplete(v -> deliveries.remove(delivery));
  }

  /** Claims nothing more; completes when the deliveries in flight have recorded their outcome. */
  public Future<Void> stop() {
    stopping = true;
    if (vertx != null) {
      vertx.cancelTimer(timer);
    }
    return Future.join(new ArrayList<>(deliveries)).<Void>mapEmpty().recover(e -> Future.succeededFuture());
  }
}

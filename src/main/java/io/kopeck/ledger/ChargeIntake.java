package io.kopeck.ledger;

import io.vertx.core.AsyncResult;
import io.vertx.core.Context;
import io.vertx.core.Future;
import io.vertx.core.Handler;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.core.shareddata.LocalMap;
import io.vertx.core.shareddata.Shareable;
import java.util.Map;
import java.util.Queue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiConsumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The billing engine's door: a hand-over onto the engine's event loop and back onto the caller's,
 * without what an event-bus request costs per charge (a reply address registered and removed, a
 * 30-second timeout timer set and cancelled, two messages with their headers and meters). Hops are
 * batched both ways: charges that arrive while the engine has not yet picked up the last ones ride
 * the same task, and the answers of one batch reach each calling event loop in one task, not one
 * task per charge.
 */
public final class ChargeIntake implements Shareable {
  private static final Logger log = LoggerFactory.getLogger(ChargeIntake.class);
  private static final String MAP = "kopeck.billing";
  private static final String KEY = "intake";

  private final Context engine;
  private final BiConsumer<Charge, Handler<AsyncResult<PostingResult>>> take;
  private final Mailbox inbound;
  private final Map<Thread, Mailbox> outbound = new ConcurrentHashMap<>();
  private volatile boolean open = true;

  ChargeIntake(Context engine, BiConsumer<Charge, Handler<AsyncResult<PostingResult>>> take) {
    this.engine = engine;
    this.take = take;
    this.inbound = new Mailbox(engine);
  }

  /** This Vert.x instance's engine door, or null while no engine is deployed. */
  public static ChargeIntake of(Vertx vertx) {
    return registry(vertx).get(KEY);
  }

  private static LocalMap<String, ChargeIntake> registry(Vertx vertx) {
    return vertx.sharedData().getLocalMap(MAP);
  }

  /** The retryable failure of a charge that no running engine took; nothing was written. */
  public static <T> Future<T> notRunning() {
    return Future.failedFuture(new BatchFailedException(new IllegalStateException("the billing engine is not running")));
  }

  void register() {
    registry(engine.owner()).put(KEY, this);
  }

  public boolean isOpen() {
    return open;
  }

  /** No new charges from now on; those already handed over are still answered. */
  void close() {
    open = false;
    registry(engine.owner()).remove(KEY, this);
  }

  /**
   * Hands a charge to the engine; the future completes on the calling context once its batch has
   * committed, or fails (retryably) when it could not be, or when the engine is stopping.
   *
   * <p>Answers come back through one mailbox per calling thread — an event loop (the service has a
   * handful) or a worker — so the costly hop between threads happens once per batch and loop. Keyed
   * by the caller's context, the map once kept one mailbox per request forever, since Vert.x gives
   * every HTTP request a duplicated context of its own. On the caller's thread each answer is then
   * handed to the caller's own context (a task on that loop's queue, no thread hop). A caller outside
   * Vert.x gets a fresh context each time, so its mailbox is not kept.
   */
  public Future<PostingResult> submit(Charge charge) {
    if (!open) {
      return notRunning();
    }
    Promise<PostingResult> promise = Promise.promise();
    Context current = Vertx.currentContext();
    Context caller = current == null ? engine.owner().getOrCreateContext() : current;
    Mailbox answers = current == null ? new Mailbox(caller)
        : outbound.computeIfAbsent(Thread.currentThread(), thread -> new Mailbox(caller));
    inbound.post(() -> take.accept(charge, result -> answers.post(() -> caller.runOnContext(v -> promise.handle(result)))));
    return promise.future();
  }

  /** How many calling threads have a mailbox: one per event loop (or worker), however many requests. */
  int mailboxes() {
    return outbound.size();
  }

  /**
   * Tasks for one context, run there in order; a task posted while a drain is scheduled rides it.
   * The flag is cleared before draining, so a task posted during the drain schedules another one
   * at worst (never none).
   */
  private static final class Mailbox {
    private final Context context;
    private final Queue<Runnable> tasks = new ConcurrentLinkedQueue<>();
    private final AtomicBoolean scheduled = new AtomicBoolean();

    Mailbox(Context context) {
      this.context = context;
    }

    void post(Runnable task) {
      tasks.add(task);
      if (scheduled.compareAndSet(false, true)) {
        context.runOnContext(v -> drain());
      }
    }

    private void drain() {
      scheduled.set(false);
      for (Runnable task = tasks.poll(); task != null; task = tasks.poll()) {
        try {
          task.run();
        } catch (RuntimeException e) {
          // One caller's failing callback must not strand the answers queued behind it.
          log.error("A billing hand-over task failed", e);
        }
      }
    }
  }
}

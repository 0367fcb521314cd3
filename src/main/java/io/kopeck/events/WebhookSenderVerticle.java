package io.kopeck.events;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.common.ClaimLoop;
import io.kopeck.events.WebhookEvents.Claimed;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.buffer.Buffer;
import io.vertx.core.http.PoolOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.ext.web.client.WebClientOptions;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Sends the webhook outbox to WEBHOOK_URL (SPEC §21): {@code POST} of the event's stored body with
 * {@code Kopeck-Event-Id} and {@code Kopeck-Signature}, signed at the moment of sending. A 2xx answer is
 * delivered; anything else, a timeout or a refused connection is tried again later
 * ({@link WebhookEvents#notDelivered}). At most {@link #IN_FLIGHT} deliveries at once per instance.
 */
public final class WebhookSenderVerticle extends VerticleBase {
  private static final Logger log = LoggerFactory.getLogger(WebhookSenderVerticle.class);
  private static final int IN_FLIGHT = 32;
  private static final long TICK_MS = 250;
  private static final long BACKLOG_EVERY_MS = 5_000;
  private static final int TIMEOUT_MS = 10_000;

  /** Where the owner listens, and the secret both sides sign with. */
  public record Settings(String url, String signingSecret) {
    @Override
    public String toString() {
      return "WebhookSenderVerticle.Settings[url=" + url + "]"; // never the secret
    }
  }

  private final WebhookEvents events;
  private final Settings settings;
  private final Clock clock;
  private final MeterRegistry registry;
  private final AtomicLong backlog = new AtomicLong();
  private WebClient client;
  private long backlogTimer;
  private ClaimLoop<Claimed> loop;

  public WebhookSenderVerticle(WebhookEvents events, Settings settings, Clock clock, MeterRegistry registry) {
    this.events = events;
    this.settings = settings;
    this.clock = clock;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    client = WebClient.create(vertx, new WebClientOptions().setConnectTimeout(5_000).setIdleTimeout(60)
        .setFollowRedirects(false), new PoolOptions().setHttp1MaxSize(IN_FLIGHT));
    Gauge.builder("kopeck_webhook_backlog", backlog, AtomicLong::get)
        .description("Webhook events not yet delivered (pending)").register(registry);
    loop = new ClaimLoop<>("webhook events", IN_FLIGHT, events::claim, this::deliver).start(vertx, TICK_MS);
    backlogTimer = vertx.setPeriodic(BACKLOG_EVERY_MS, id -> events.backlog().onSuccess(backlog::set));
    return Future.succeededFuture();
  }

  /** Stops claiming and lets the deliveries in flight record their outcome. */
  @Override
  public Future<?> stop() {
    vertx.cancelTimer(backlogTimer);
    return loop.stop().onComplete(v -> client.close());
  }

  private Future<Void> deliver(Claimed event) {
    long now = clock.instant().getEpochSecond();
    return client.postAbs(settings.url()).putHeader("Content-Type", "application/json")
        .putHeader(WebhookSignature.EVENT_ID_HEADER, event.id())
        .putHeader(WebhookSignature.HEADER, WebhookSignature.header(settings.signingSecret(), now, event.body()))
        .timeout(TIMEOUT_MS).sendBuffer(Buffer.buffer(event.body()))
        .transform(done -> {
          if (done.succeeded() && done.result().statusCode() / 100 == 2) {
            count("delivered");
            return events.delivered(event, done.result().statusCode());
          }
          Integer status = done.succeeded() ? done.result().statusCode() : null;
          return retry(event, status, done.succeeded() ? "the receiver answered " + status : done.cause().toString());
        });
  }

  private Future<Void> retry(Claimed event, Integer status, String error) {
    return events.notDelivered(event, status, error).map(failed -> {
      count(failed ? "failed" : "retried");
      if (failed) {
        log.error("Webhook event given up after {} attempts {} {} {}", event.attempts(), kv("event_id", event.id()),
            kv("event_type", event.type()), kv("error", error));
      }
      return null;
    });
  }

  /** Outcomes: delivered, retried, failed (given up after the last attempt). */
  private void count(String outcome) {
    registry.counter("kopeck_webhook_deliveries", "outcome", outcome).increment();
  }
}

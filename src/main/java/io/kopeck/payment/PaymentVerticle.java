package io.kopeck.payment;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.common.Refused;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.eventbus.Message;
import io.vertx.core.eventbus.MessageConsumer;
import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns payment results: takes {@code {"provider", "params"}} from the event bus and answers
 * {@code {"accepted", "body"}} or a refusal {@code {"error", "kind", "message"}} once the transaction ended.
 */
public final class PaymentVerticle extends VerticleBase {
  public static final String ADDRESS = "payment.result";
  private static final Logger log = LoggerFactory.getLogger(PaymentVerticle.class);

  private final Payments payments;
  private final MeterRegistry registry;
  private MessageConsumer<JsonObject> consumer;

  public PaymentVerticle(Payments payments, MeterRegistry registry) {
    this.payments = payments;
    this.registry = registry;
  }

  @Override
  public Future<?> start() {
    consumer = vertx.eventBus().localConsumer(ADDRESS, this::onResult);
    return consumer.completion();
  }

  private void onResult(Message<JsonObject> message) {
    JsonObject request = message.body();
    Map<String, String> params = new LinkedHashMap<>();
    request.getJsonObject("params").forEach(e -> params.put(e.getKey(), String.valueOf(e.getValue())));
    String provider = request.getString("provider");
    payments.result(provider, params).onComplete(done -> {
      if (done.succeeded()) {
        count(provider, done.result().outcome());
        message.reply(new JsonObject().put("accepted", done.result().accepted()).put("body", done.result().body()));
      } else if (done.cause() instanceof Refused refused) {
        count(provider, refused.refusal().code());
        message.reply(new JsonObject().put("error", refused.refusal().code())
            .put("kind", refused.refusal().kind().name()).put("message", refused.getMessage()));
      } else {
        // The provider hears 503 and retries; the cause is for the operator (a database failure, never input).
        log.warn("Payment callback not recorded {} {}", kv("provider", payments.enabled(provider) ? provider : "other"),
            kv("error", done.cause().toString()));
        count(provider, "error");
        message.fail(500, done.cause().getMessage());
      }
    });
  }

  /** Result callbacks by provider and outcome; a provider name from the URL that is not ours counts as "other". */
  private void count(String provider, String outcome) {
    registry.counter("kopeck_payment_callbacks", "provider", payments.enabled(provider) ? provider : "other",
        "outcome", outcome).increment();
  }
}

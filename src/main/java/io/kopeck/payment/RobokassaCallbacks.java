package io.kopeck.payment;

import static net.logstash.logback.argument.StructuredArguments.kv;

import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.common.Decimals;
import io.kopeck.common.Refused;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import java.math.BigDecimal;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The protocol adapter of the providers that speak Robokassa's result callback (Robokassa and the
 * mock, SPEC §5): the signature checked, the callback turned into a {@link Receipt} for
 * {@link Payments#receive}, and what the provider is answered ({@code OK<InvId>}, or why not).
 */
public final class RobokassaCallbacks {
  private static final Logger log = LoggerFactory.getLogger(RobokassaCallbacks.class);

  /**
   * A result callback's answer: whether it was taken and what to answer the provider; what happened
   * (credited, duplicate, mismatch) for the metrics; whose invoice it was and which ledger row it
   * made (null when none), for the log.
   */
  public record Answer(boolean accepted, String body, String outcome, long userId, Long transactionId) {
  }

  private final PaymentProviders providers;
  private final Payments payments;
  private final MeterRegistry registry;

  public RobokassaCallbacks(PaymentProviders providers, Payments payments, MeterRegistry registry) {
    this.providers = providers;
    this.payments = payments;
    this.registry = registry;
  }

  /** A result callback of {@code /payments/{provider}/result}; a refusal (bad signature, unknown invoice) fails it. */
  public Future<Answer> result(String providerName, Map<String, String> params) {
    PaymentProvider provider = providers.get(providerName).orElse(null);
    Future<Answer> answered = provider == null
        ? Future.failedFuture(PaymentRefusal.UNKNOWN_PROVIDER.because("No payment provider " + providerName))
        : provider.verifyResult(params)
            .map(callback -> payments.receive(receipt(provider, callback), new Actor("webhook", provider.name()))
                .map(received -> answer(provider, callback, received))
                .onSuccess(answer -> logAnswer(callback, answer)))
            .orElseGet(() -> Future.failedFuture(PaymentRefusal.BAD_SIGNATURE.because("Signature does not match")));
    return answered.onComplete(done -> count(providerName, done.succeeded() ? done.result().outcome()
        : done.cause() instanceof Refused refused ? refused.refusal().code() : "error"))
        .onFailure(e -> {
          if (!(e instanceof Refused)) {
            // The provider hears 503 and retries; the cause is for the operator (a database failure, never input).
            log.warn("Payment callback not recorded {} {}", kv("provider", label(providerName)), kv("error", e.toString()));
          }
        });
  }

  /** The callback as a receipt: its InvId is the payment's id, Shp_user names the payer. */
  private static Receipt receipt(PaymentProvider provider, PaymentProvider.ResultCallback callback) {
    BigDecimal amount;
    try {
      amount = Decimals.parse("OutSum", callback.outSum());
    } catch (IllegalArgumentException e) {
      amount = null;
    }
    Long payer;
    try {
      payer = Long.valueOf(callback.shp().getOrDefault("Shp_user", ""));
    } catch (NumberFormatException e) {
      payer = null;
    }
    return Receipt.once(provider.name(), Long.toString(callback.invId()), callback.invId(), amount, payer,
        callback.test());
  }

  private static Answer answer(PaymentProvider provider, PaymentProvider.ResultCallback callback,
                               Payments.Received received) {
    return switch (received.outcome()) {
      case CREDITED -> new Answer(true, provider.successAnswer(callback.invId()), "credited", received.userId(),
          received.transactionId());
      case DUPLICATE -> new Answer(true, provider.successAnswer(callback.invId()), "duplicate", received.userId(), null);
      default -> new Answer(false, received.problem(), "mismatch", received.userId(), null);
    };
  }

  /** After the transaction: one line per result callback, with the ids it concerns. */
  private static void logAnswer(PaymentProvider.ResultCallback callback, Answer answer) {
    if (answer.accepted()) {
      log.info("Payment callback {} {} {} {} {}", kv("outcome", answer.outcome()), kv("inv_id", callback.invId()),
          kv("user_id", answer.userId()), kv("transaction_id", answer.transactionId()), kv("amount", callback.outSum()));
    } else {
      log.warn("Payment callback refused {} {} {} {}", kv("outcome", answer.outcome()), kv("inv_id", callback.invId()),
          kv("user_id", answer.userId()), kv("reason", answer.body()));
    }
  }

  /** Result callbacks by provider and outcome; a provider name from the URL that is not ours counts as "other". */
  private void count(String provider, String outcome) {
    registry.counter("kopeck_payment_callbacks", "provider", label(provider), "outcome", outcome).increment();
  }

  private String label(String provider) {
    return providers.get(provider).isPresent() ? provider : "other";
  }
}

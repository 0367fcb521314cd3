package io.kopeck.payment;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The enabled payment providers (PAYMENT_PROVIDERS), by name. The first makes new invoices; every
 * one of them takes its own result callbacks, and an invoice is paid only by the provider it names.
 */
public final class PaymentProviders {
  private final Map<String, PaymentProvider> byName = new LinkedHashMap<>();

  private PaymentProviders(List<PaymentProvider> providers) {
    providers.forEach(p -> byName.put(p.name(), p));
  }

  /** The enabled providers, the one that makes new invoices first. */
  public static PaymentProviders of(List<PaymentProvider> providers) {
    return new PaymentProviders(providers);
  }

  /** The provider that makes new invoices. */
  public PaymentProvider primary() {
    return byName.values().iterator().next();
  }

  public Optional<PaymentProvider> get(String name) {
    return Optional.ofNullable(byName.get(name));
  }

  /** The mock provider, when it is enabled (its pages are mounted then). */
  public Optional<MockProvider> mock() {
    return byName.values().stream().filter(MockProvider.class::isInstance).map(MockProvider.class::cast).findFirst();
  }

  public List<String> names() {
    return List.copyOf(byName.keySet());
  }
}

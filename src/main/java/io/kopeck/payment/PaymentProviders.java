package io.kopeck.payment;

import io.kopeck.catalog.PaymentLinks;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The enabled payment methods (PAYMENT_PROVIDERS), by name, in the configured order: the first makes
 * invoices when none is named. Providers speaking Robokassa's protocol take their own result
 * callbacks; Stars and YooKassa are paid through their own services. An invoice is paid only by
 * the provider it names.
 */
public final class PaymentProviders {
  private final Map<String, PaymentLinks> byName = new LinkedHashMap<>();

  private PaymentProviders(List<? extends PaymentLinks> methods) {
    methods.forEach(p -> byName.put(p.name(), p));
  }

  public static PaymentProviders of(List<? extends PaymentLinks> methods) {
    return new PaymentProviders(methods);
  }

  /** Every enabled method, the default one first (what invoices are made with). */
  public List<PaymentLinks> methods() {
    return List.copyOf(byName.values());
  }

  public boolean has(String name) {
    return byName.containsKey(name);
  }

  /** A provider with signed result callbacks (mock, robokassa). */
  public Optional<PaymentProvider> get(String name) {
    return Optional.ofNullable(byName.get(name)).filter(PaymentProvider.class::isInstance)
        .map(PaymentProvider.class::cast);
  }

  /** The mock provider, when it is enabled (its pages are mounted then). */
  public Optional<MockProvider> mock() {
    return byName.values().stream().filter(MockProvider.class::isInstance).map(MockProvider.class::cast).findFirst();
  }

  public List<String> names() {
    return List.copyOf(byName.keySet());
  }
}

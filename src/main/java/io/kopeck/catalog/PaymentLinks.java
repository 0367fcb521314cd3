package io.kopeck.catalog;

import java.util.function.BiFunction;

/** A payment method as invoices see it: its name, its currency, and the payment URL of a new invoice. */
public interface PaymentLinks {
  /** The provider's name, recorded on the invoice: only its callbacks may pay it. */
  String name();

  /**
   * The signed URL where the payer pays, or null when the provider makes its link only after the
   * invoice is saved (an API call, never inside the invoice's transaction).
   */
  String paymentUrl(Invoice invoice, String description);

  /** RUB, or XTR for Telegram Stars. */
  default String currency() {
    return "RUB";
  }

  /** Rouble links built by {@code url} for the provider called {@code name}. */
  static PaymentLinks of(String name, BiFunction<Invoice, String, String> url) {
    return of(name, "RUB", url);
  }

  /** A method whose payment link is made after the invoice is saved (Stars, YooKassa), in {@code currency}. */
  static PaymentLinks madeLater(String name, String currency) {
    return of(name, currency, (invoice, description) -> null);
  }

  private static PaymentLinks of(String name, String currency, BiFunction<Invoice, String, String> url) {
    return new PaymentLinks() {
      @Override
      public String name() {
        return name;
      }

      @Override
      public String paymentUrl(Invoice invoice, String description) {
        return url.apply(invoice, description);
      }

      @Override
      public String currency() {
        return currency;
      }
    };
  }
}

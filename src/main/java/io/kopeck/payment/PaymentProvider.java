package io.kopeck.payment;

import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.PaymentLinks;
import java.util.Map;

/** A payment service speaking Robokassa's protocol (SPEC §5): the real one, or Kopeck's own mock. */
public interface PaymentProvider extends PaymentLinks {

  /** "mock" or "robokassa": the {provider} of /payments/{provider}/result. */
  @Override
  String name();

  /** Where the payer goes to pay this invoice: a signed URL. */
  @Override
  String paymentUrl(Invoice invoice, String description);

  /** The result callback, if its signature is right; empty otherwise. */
  java.util.Optional<ResultCallback> verifyResult(Map<String, String> params);

  /** The body that tells the provider the callback was taken. */
  default String successAnswer(long invId) {
    return "OK" + invId;
  }

  /** Whether the payer's success redirect carries a right signature (it never credits anything). */
  boolean verifySuccessRedirect(Map<String, String> params);

  /** Whether a callback marked as a test payment may credit anything (a live shop says no, SPEC §11). */
  boolean acceptsTestPayments();

  /** A verified result callback: what was paid, for which invoice, with which Shp_ parameters, whether a test. */
  record ResultCallback(String outSum, long invId, Map<String, String> shp, boolean test) {
  }
}

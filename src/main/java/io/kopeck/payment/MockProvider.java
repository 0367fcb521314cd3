package io.kopeck.payment;

import java.util.Map;

/**
 * Kopeck's own stand-in for a payment provider: Robokassa's protocol and signatures, but the
 * payment page is Kopeck's /mock-payment and its Pay button sends the signed result callback
 * itself. A test shop by nature (its callbacks may say IsTest=1); never for real users (SPEC §11).
 */
public final class MockProvider extends ProtocolProvider {
  private MockProvider(RobokassaProtocol protocol) {
    super(protocol);
  }

  /** The pages are served at {@code baseUrl}/mock-payment. */
  public static MockProvider of(String merchantLogin, String password1, String password2, String hash,
                                String baseUrl) {
    return new MockProvider(new RobokassaProtocol("mock", baseUrl + "/mock-payment", merchantLogin, password1,
        password2, hash, false, ""));
  }

  /** A test shop by nature: no money moves, whatever the callback says. */
  @Override
  public boolean acceptsTestPayments() {
    return true;
  }

  /** Whether a payment page request carries the signature this provider put on its payment URL. */
  boolean verifyPaymentUrl(Map<String, String> params) {
    return protocol.verifyPaymentUrl(params);
  }

  String merchantLogin() {
    return protocol.merchantLogin();
  }

  /** The payer's redirect after a successful payment: signed with password 1. */
  Map<String, String> signedSuccess(String outSum, long invId, Map<String, String> shp) {
    return protocol.signedSuccess(outSum, invId, shp);
  }
}

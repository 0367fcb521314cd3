package io.kopeck.payment;

import io.kopeck.catalog.Invoice;
import java.util.Map;
import java.util.Optional;

/** The real Robokassa: its payment page, the shop's credentials, its test mode. */
public final class RobokassaProvider implements PaymentProvider {
  private final RobokassaProtocol protocol;

  private RobokassaProvider(RobokassaProtocol protocol) {
    this.protocol = protocol;
  }

  /** {@code isTest}: Robokassa's test mode; a live shop (false) refuses callbacks marked IsTest=1. */
  public static RobokassaProvider of(String merchantLogin, String password1, String password2, String hash,
                                     boolean isTest, String receiptTax) {
    return new RobokassaProvider(new RobokassaProtocol("robokassa", RobokassaProtocol.ROBOKASSA_URL, merchantLogin,
        password1, password2, hash, isTest, receiptTax));
  }

  @Override
  public String name() {
    return protocol.name();
  }

  @Override
  public String paymentUrl(Invoice invoice, String description) {
    return protocol.paymentUrl(invoice, description);
  }

  @Override
  public Optional<ResultCallback> verifyResult(Map<String, String> params) {
    return protocol.verifyResult(params);
  }

  @Override
  public boolean acceptsTestPayments() {
    return protocol.acceptsTestPayments();
  }

  @Override
  public boolean verifySuccessRedirect(Map<String, String> params) {
    return protocol.verifySuccessRedirect(params);
  }

  /** A result callback as Robokassa would send it (tests of this package sign with it). */
  Map<String, String> signedResult(String outSum, long invId, Map<String, String> shp) {
    return protocol.signedResult(outSum, invId, shp);
  }
}

package io.kopeck.payment;

import io.kopeck.catalog.Invoice;
import java.util.Map;
import java.util.Optional;

/** What every provider speaking {@link RobokassaProtocol} does the same way: the protocol answers. */
abstract class ProtocolProvider implements PaymentProvider {
  final RobokassaProtocol protocol;

  ProtocolProvider(RobokassaProtocol protocol) {
    this.protocol = protocol;
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

  /** A result callback as the provider would send it, signed with password 2. */
  Map<String, String> signedResult(String outSum, long invId, Map<String, String> shp) {
    return protocol.signedResult(outSum, invId, shp);
  }
}

package io.kopeck.payment;


/** The real Robokassa: its payment page, the shop's credentials, its test mode. */
public final class RobokassaProvider extends ProtocolProvider {
  private RobokassaProvider(RobokassaProtocol protocol) {
    super(protocol);
  }

  /** {@code isTest}: Robokassa's test mode; a live shop (false) refuses callbacks marked IsTest=1. */
  public static RobokassaProvider of(String merchantLogin, String password1, String password2, String hash,
                                     boolean isTest, String receiptTax) {
    return new RobokassaProvider(new RobokassaProtocol("robokassa", RobokassaProtocol.ROBOKASSA_URL, merchantLogin,
        password1, password2, hash, isTest, receiptTax));
  }
}

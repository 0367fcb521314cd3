package io.kopeck.payment;

import io.kopeck.common.Cidr;
import java.util.List;

/**
 * The YooKassa shop: credentials, API root, who may send notifications (empty = anyone; the
 * notification is never trusted as sent anyway), the 54-FZ VAT code (empty = no receipt), and where
 * the payer returns after paying.
 */
public record YooKassaSettings(String shopId, String secretKey, String apiUrl, List<Cidr> allowedIps, String vatCode,
                               String returnUrl) {

  @Override
  public String toString() {
    return "YooKassaSettings[shopId=" + shopId + ", apiUrl=" + apiUrl + "]"; // never the secret key
  }
}

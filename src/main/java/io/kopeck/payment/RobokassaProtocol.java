package io.kopeck.payment;

import io.kopeck.catalog.Invoice;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * Robokassa's protocol with one set of credentials and one payment page: payment URLs, the five
 * signatures, result callbacks. Spoken by the real {@link RobokassaProvider} and by Kopeck's own
 * {@link MockProvider} alike (same parameters, same signatures, another page).
 */
final class RobokassaProtocol {
  static final String ROBOKASSA_URL = "https://auth.robokassa.ru/Merchant/Index.aspx";
  static final int MAX_DESCRIPTION = 100;

  private final String name;
  private final String pageUrl;
  private final String merchantLogin;
  private final String password1;
  private final String password2;
  private final boolean test;
  private final String receiptTax;
  private final RobokassaSignature signature;

  RobokassaProtocol(String name, String pageUrl, String merchantLogin, String password1, String password2,
                    String hash, boolean test, String receiptTax) {
    this.name = name;
    this.pageUrl = pageUrl;
    this.merchantLogin = merchantLogin;
    this.password1 = password1;
    this.password2 = password2;
    this.test = test;
    this.receiptTax = receiptTax;
    this.signature = new RobokassaSignature(hash);
  }

  String name() {
    return name;
  }

  String paymentUrl(Invoice invoice, String description) {
    String outSum = RobokassaSignature.outSum(invoice.amount());
    Map<String, String> shp = shp(invoice);
    Map<String, String> query = new LinkedHashMap<>();
    query.put("MerchantLogin", merchantLogin);
    query.put("OutSum", outSum);
    query.put("InvId", Long.toString(invoice.invId()));
    query.put("Description", description.length() > MAX_DESCRIPTION ? description.substring(0, MAX_DESCRIPTION)
        : description);
    query.put("Culture", "ru");
    if (test) {
      query.put("IsTest", "1");
    }
    String receipt = receipt(invoice, query.get("Description"));
    if (receipt != null) {
      query.put("Receipt", receipt);
    }
    query.putAll(shp);
    query.put("SignatureValue",
        signature.forPaymentUrl(merchantLogin, outSum, invoice.invId(), receipt, password1, shp));
    return pageUrl + "?" + query.entrySet().stream()
        .map(e -> encode(e.getKey()) + "=" + encode(e.getValue())).collect(Collectors.joining("&"));
  }

  /**
   * The 54-FZ receipt: one service line at the paid amount. Robokassa wants the JSON URL-encoded
   * both in the signature and as the parameter's value (so it is encoded twice in the URL).
   */
  private String receipt(Invoice invoice, String description) {
    if (receiptTax.isEmpty()) {
      return null;
    }
    io.vertx.core.json.JsonObject item = new io.vertx.core.json.JsonObject()
        .put("name", description.length() > 128 ? description.substring(0, 128) : description)
        .put("quantity", 1)
        .put("sum", invoice.amount())
        .put("payment_method", "full_payment")
        .put("payment_object", "service")
        .put("tax", receiptTax);
    String json = new io.vertx.core.json.JsonObject().put("items", new io.vertx.core.json.JsonArray().add(item))
        .encode();
    return URLEncoder.encode(json, StandardCharsets.UTF_8);
  }

  Optional<PaymentProvider.ResultCallback> verifyResult(Map<String, String> params) {
    String outSum = params.get("OutSum");
    String invId = params.get("InvId");
    if (outSum == null || invId == null || !invId.matches("\\d{1,18}")) {
      return Optional.empty();
    }
    Map<String, String> shp = RobokassaSignature.shpOf(asLists(params));
    String expected = signature.forResult(outSum, invId, password2, shp);
    if (!RobokassaSignature.matches(expected, params.get("SignatureValue"))) {
      return Optional.empty();
    }
    boolean testPayment = "1".equals(params.get("IsTest"));
    return Optional.of(new PaymentProvider.ResultCallback(outSum, Long.parseLong(invId), shp, testPayment));
  }

  /** Robokassa's test mode: payment URLs say IsTest=1, and callbacks marked so are taken. */
  boolean acceptsTestPayments() {
    return test;
  }

  boolean verifySuccessRedirect(Map<String, String> params) {
    String outSum = params.get("OutSum");
    String invId = params.get("InvId");
    if (outSum == null || invId == null) {
      return false;
    }
    String expected = signature.forSuccess(outSum, invId, password1, RobokassaSignature.shpOf(asLists(params)));
    return RobokassaSignature.matches(expected, params.get("SignatureValue"));
  }

  /** Whether a payment page request carries the signature this provider put on its payment URL. */
  boolean verifyPaymentUrl(Map<String, String> params) {
    String outSum = params.get("OutSum");
    String invId = params.get("InvId");
    if (outSum == null || invId == null || !invId.matches("\\d{1,18}")) {
      return false;
    }
    String expected = signature.forPaymentUrl(merchantLogin, outSum, Long.parseLong(invId), null, password1,
        RobokassaSignature.shpOf(asLists(params)));
    return RobokassaSignature.matches(expected, params.get("SignatureValue"));
  }

  String merchantLogin() {
    return merchantLogin;
  }

  /** The payer's redirect after a successful payment: signed with password 1. */
  Map<String, String> signedSuccess(String outSum, long invId, Map<String, String> shp) {
    return signed(outSum, invId, shp, signature.forSuccess(outSum, Long.toString(invId), password1, shp));
  }

  /** The result callback the mock page sends to Kopeck after "Pay": signed with password 2. */
  Map<String, String> signedResult(String outSum, long invId, Map<String, String> shp) {
    return signed(outSum, invId, shp, signature.forResult(outSum, Long.toString(invId), password2, shp));
  }

  private static Map<String, String> signed(String outSum, long invId, Map<String, String> shp, String signature) {
    Map<String, String> params = new LinkedHashMap<>();
    params.put("OutSum", outSum);
    params.put("InvId", Long.toString(invId));
    params.putAll(shp);
    params.put("SignatureValue", signature);
    return params;
  }

  static Map<String, String> shp(Invoice invoice) {
    return Map.of("Shp_user", Long.toString(invoice.userId()));
  }

  private static Map<String, List<String>> asLists(Map<String, String> params) {
    Map<String, List<String>> lists = new LinkedHashMap<>();
    params.forEach((k, v) -> lists.put(k, List.of(v)));
    return lists;
  }

  private static String encode(String value) {
    return URLEncoder.encode(value, StandardCharsets.UTF_8).replace("+", "%20");
  }
}

package io.kopeck.payment;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class RobokassaSignatureTest {

  /** Computed here from the documented formula, independently of the code under test. */
  private static String hex(String jcaName, String text) throws Exception {
    return HexFormat.of().formatHex(MessageDigest.getInstance(jcaName).digest(text.getBytes(StandardCharsets.UTF_8)));
  }

  @ParameterizedTest(name = "{0}")
  @DisplayName("payment, result and success signatures match the documented formulas for every hash algorithm")
  @CsvSource({"md5, MD5", "sha1, SHA-1", "sha256, SHA-256", "sha384, SHA-384", "sha512, SHA-512"})
  void vectors(String hash, String jcaName) throws Exception {
    RobokassaSignature signature = new RobokassaSignature(hash);
    Map<String, String> shp = Map.of("Shp_user", "700000001", "Shp_a", "x");

    assertThat(signature.forPaymentUrl("shop", "449.10", 1001, null, "pass1", shp))
        .isEqualTo(hex(jcaName, "shop:449.10:1001:pass1:Shp_a=x:Shp_user=700000001"));
    assertThat(signature.forPaymentUrl("shop", "449.10", 1001, "{\"items\":[]}", "pass1", Map.of()))
        .isEqualTo(hex(jcaName, "shop:449.10:1001:{\"items\":[]}:pass1"));
    assertThat(signature.forResult("449.10", "1001", "pass2", shp))
        .isEqualTo(hex(jcaName, "449.10:1001:pass2:Shp_a=x:Shp_user=700000001"));
    assertThat(signature.forSuccess("449.10", "1001", "pass1", shp))
        .isEqualTo(hex(jcaName, "449.10:1001:pass1:Shp_a=x:Shp_user=700000001"));
  }

  @Test
  @DisplayName("signatures compare case-insensitively; a different one does not match")
  void matching() throws Exception {
    String expected = hex("MD5", "1.00:1:p");

    assertThat(RobokassaSignature.matches(expected, expected.toUpperCase())).isTrue();
    assertThat(RobokassaSignature.matches(expected, " " + expected + " ")).isTrue();
    assertThat(RobokassaSignature.matches(expected, hex("MD5", "1.00:1:q"))).isFalse();
    assertThat(RobokassaSignature.matches(expected, null)).isFalse();
    assertThat(RobokassaSignature.matches(expected, "")).isFalse();
  }

  @Test
  @DisplayName("the payment URL carries Robokassa's parameters, a description cut to 100 characters, and IsTest")
  void paymentUrl() {
    RobokassaProvider real = RobokassaProvider.of("shop", "p1", "p2", "sha256", true, "");
    io.kopeck.catalog.Invoice invoice = new io.kopeck.catalog.Invoice(java.util.UUID.randomUUID(), 1042, 7,
        java.util.UUID.randomUUID(), null, new java.math.BigDecimal("499.00"), new java.math.BigDecimal("499.00"),
        java.math.BigDecimal.TEN, java.math.BigDecimal.ZERO, null, null, "pending", "robokassa", "RUB", null, false, null,
        null, java.time.OffsetDateTime.now(), java.time.OffsetDateTime.now());

    String url = real.paymentUrl(invoice, "x".repeat(150));

    assertThat(url).startsWith("https://auth.robokassa.ru/Merchant/Index.aspx?MerchantLogin=shop&OutSum=499.00"
        + "&InvId=1042&Description=" + "x".repeat(100) + "&Culture=ru&IsTest=1&Shp_user=7&SignatureValue=");
    assertThat(url).endsWith(new RobokassaSignature("sha256").forPaymentUrl("shop", "499.00", 1042, null, "p1",
        Map.of("Shp_user", "7")));
  }

  @Test
  @DisplayName("with ROBOKASSA_RECEIPT_TAX the URL carries a 54-FZ Receipt, URL-encoded into the signature and encoded again in the URL")
  void receipt() throws Exception {
    RobokassaProvider real = RobokassaProvider.of("shop", "p1", "p2", "md5", false, "none");
    io.kopeck.catalog.Invoice invoice = new io.kopeck.catalog.Invoice(java.util.UUID.randomUUID(), 7, 9,
        java.util.UUID.randomUUID(), null, new java.math.BigDecimal("449.10"), new java.math.BigDecimal("499.00"),
        java.math.BigDecimal.TEN, java.math.BigDecimal.ZERO, null, null, "pending", "robokassa", "RUB", null, false, null,
        null, java.time.OffsetDateTime.now(), java.time.OffsetDateTime.now());

    String url = real.paymentUrl(invoice, "Kopeck: Стандарт");

    String json = "{\"items\":[{\"name\":\"Kopeck: Стандарт\",\"quantity\":1,\"sum\":449.10,"
        + "\"payment_method\":\"full_payment\",\"payment_object\":\"service\",\"tax\":\"none\"}]}";
    String encoded = java.net.URLEncoder.encode(json, StandardCharsets.UTF_8);
    assertThat(url).contains("&Receipt=" + java.net.URLEncoder.encode(encoded, StandardCharsets.UTF_8).replace("+", "%20")
        + "&");
    assertThat(url).endsWith("SignatureValue=" + hex("MD5", "shop:449.10:7:" + encoded + ":p1:Shp_user=9"));
  }
}

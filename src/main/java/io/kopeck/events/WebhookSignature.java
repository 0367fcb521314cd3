package io.kopeck.events;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.HexFormat;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;

/**
 * {@code Kopeck-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256(secret, t + "." + raw body)>} (SPEC §21).
 * The timestamp is signed with the body, so a receiver that rejects old timestamps cannot be replayed
 * an old delivery; the receiver's side is in docs/webhooks.md.
 */
public final class WebhookSignature {
  public static final String HEADER = "Kopeck-Signature";
  public static final String EVENT_ID_HEADER = "Kopeck-Event-Id";

  private WebhookSignature() {
  }

  /** The header's value for {@code body} sent at {@code unixSeconds}. */
  public static String header(String secret, long unixSeconds, String body) {
    return "t=" + unixSeconds + ",v1=" + hmac(secret, unixSeconds + "." + body);
  }

  /**
   * Whether {@code header} signs {@code body} with {@code secret}, at most {@code toleranceSeconds}
   * from {@code nowSeconds}: what a receiver checks (Kopeck's tests and a Java receiver use this).
   */
  public static boolean verify(String secret, String header, String body, long nowSeconds, long toleranceSeconds) {
    if (header == null) {
      return false;
    }
    Long timestamp = null;
    String signature = null;
    for (String part : header.split(",")) {
      if (part.startsWith("t=")) {
        try {
          timestamp = Long.parseLong(part.substring(2));
        } catch (NumberFormatException e) {
          return false;
        }
      } else if (part.startsWith("v1=")) {
        signature = part.substring(3);
      }
    }
    if (timestamp == null || signature == null || Math.abs(nowSeconds - timestamp) > toleranceSeconds) {
      return false;
    }
    return MessageDigest.isEqual(hmac(secret, timestamp + "." + body).getBytes(StandardCharsets.US_ASCII),
        signature.getBytes(StandardCharsets.US_ASCII));
  }

  private static String hmac(String secret, String payload) {
    try {
      Mac mac = Mac.getInstance("HmacSHA256");
      mac.init(new SecretKeySpec(secret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
      return HexFormat.of().formatHex(mac.doFinal(payload.getBytes(StandardCharsets.UTF_8)));
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HMAC-SHA256 is part of every JDK", e);
    }
  }
}

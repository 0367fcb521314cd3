package io.kopeck.payment;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Robokassa's signatures (SPEC §5), shared by the real and the mock provider:
 * <ul>
 *   <li>payment URL: {@code MerchantLogin:OutSum:InvId[:Receipt]:Password1[:Shp_k=v…]};</li>
 *   <li>result callback: {@code OutSum:InvId:Password2[:Shp_k=v…]};</li>
 *   <li>success redirect: {@code OutSum:InvId:Password1[:Shp_k=v…]};</li>
 * </ul>
 * Shp_ pairs sorted by key; the hash is md5, sha1, sha256, sha384 or sha512, as lower-case hex.
 * Checking compares case-insensitively in constant time.
 */
final class RobokassaSignature {
  private static final Map<String, String> ALGORITHMS = Map.of("md5", "MD5", "sha1", "SHA-1", "sha256", "SHA-256",
      "sha384", "SHA-384", "sha512", "SHA-512");

  private final String algorithm;

  public RobokassaSignature(String hash) {
    String algorithm = ALGORITHMS.get(hash.toLowerCase(Locale.ROOT));
    if (algorithm == null) {
      throw new IllegalArgumentException("unknown hash " + hash);
    }
    this.algorithm = algorithm;
  }

  /** OutSum as Robokassa writes it: a dot and two decimals. */
  public static String outSum(BigDecimal amount) {
    return amount.setScale(2, RoundingMode.UNNECESSARY).toPlainString();
  }

  public String forPaymentUrl(String merchantLogin, String outSum, long invId, String receipt, String password1,
                              Map<String, String> shp) {
    StringBuilder base = new StringBuilder().append(merchantLogin).append(':').append(outSum).append(':').append(invId);
    if (receipt != null) {
      base.append(':').append(receipt);
    }
    return hash(base.append(':').append(password1), shp);
  }

  public String forResult(String outSum, String invId, String password2, Map<String, String> shp) {
    return hash(new StringBuilder(outSum).append(':').append(invId).append(':').append(password2), shp);
  }

  public String forSuccess(String outSum, String invId, String password1, Map<String, String> shp) {
    return hash(new StringBuilder(outSum).append(':').append(invId).append(':').append(password1), shp);
  }

  /** Case-insensitive, constant-time comparison of a presented signature with the expected one. */
  public static boolean matches(String expected, String presented) {
    if (presented == null) {
      return false;
    }
    return MessageDigest.isEqual(expected.toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII),
        presented.trim().toLowerCase(Locale.ROOT).getBytes(StandardCharsets.US_ASCII));
  }

  private String hash(StringBuilder base, Map<String, String> shp) {
    new TreeMap<>(shp).forEach((key, value) -> base.append(':').append(key).append('=').append(value));
    try {
      byte[] digest = MessageDigest.getInstance(algorithm).digest(base.toString().getBytes(StandardCharsets.UTF_8));
      return HexFormat.of().formatHex(digest);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(algorithm + " is part of every JRE", e);
    }
  }

  /** The Shp_ parameters of a request, by name. */
  public static Map<String, String> shpOf(Map<String, List<String>> params) {
    Map<String, String> shp = new TreeMap<>();
    params.forEach((key, values) -> {
      if (key.startsWith("Shp_") && !values.isEmpty()) {
        shp.put(key, values.get(0));
      }
    });
    return shp;
  }
}

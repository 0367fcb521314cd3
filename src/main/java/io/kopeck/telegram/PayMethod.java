package io.kopeck.telegram;

import java.util.Arrays;
import java.util.Optional;

/** A payment method as a Pay button names it in its callback data (one letter: data is at most 64 bytes). */
enum PayMethod {
  MOCK("m", "mock"),
  ROBOKASSA("r", "robokassa"),
  STARS("s", "stars"),
  YOOKASSA("y", "yookassa");

  final String code;
  final String provider;

  PayMethod(String code, String provider) {
    this.code = code;
    this.provider = provider;
  }

  static Optional<PayMethod> ofCode(String code) {
    return Arrays.stream(values()).filter(m -> m.code.equals(code)).findFirst();
  }

  static Optional<PayMethod> ofProvider(String provider) {
    return Arrays.stream(values()).filter(m -> m.provider.equals(provider)).findFirst();
  }
}

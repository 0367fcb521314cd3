package io.kopeck.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.UUID;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DiscountTest {

  private static PromoCode promo(String type, String value) {
    return new PromoCode(UUID.randomUUID(), "X", type, new BigDecimal(value), null, 0, 1, OffsetDateTime.now(), null,
        null, null, true, OffsetDateTime.now(), java.util.Map.of());
  }

  @ParameterizedTest(name = "{0} {1} off {2} → {3}")
  @DisplayName("discounts are exact, rounded HALF_UP to kopecks once, and never below 1.00 RUB")
  @CsvSource({
      "percent, 19.99, 100.00, 80.01",
      "percent, 33.33, 199.00, 132.67",
      "percent, 12.5, 0.99, 1.00",
      "percent, 50, 1.01, 1.00",
      "percent, 99.99, 100000.00, 10.00",
      "fixed, 200, 150.00, 1.00",
      "fixed, 49.99, 100.00, 50.01",
      "fixed, 99, 100.00, 1.00",
      "fixed, 0.01, 1.00, 1.00"})
  void amounts(String type, String value, String price, String expected) {
    Discount discount = Discount.apply(promo(type, value), new BigDecimal(price), new BigDecimal("100"));

    assertThat(discount.amount()).isEqualTo(new BigDecimal(expected));
    assertThat(discount.originalAmount()).isEqualTo(new BigDecimal(price).setScale(2));
    assertThat(discount.tokens()).isEqualTo(new BigDecimal("100.0000"));
  }

  @Test
  @DisplayName("bonus tokens keep the price and add tokens; a trial code discounts no purchase")
  void bonusAndTrial() {
    Discount bonus = Discount.apply(promo("bonus_tokens", "50.5"), new BigDecimal("499"), new BigDecimal("600"));

    assertThat(bonus.amount()).isEqualTo(new BigDecimal("499.00"));
    assertThat(bonus.tokens()).isEqualTo(new BigDecimal("650.5000"));
    assertThat(bonus.bonusTokens()).isEqualTo(new BigDecimal("50.5000"));
    assertThatThrownBy(() -> Discount.apply(promo("trial", "0"), BigDecimal.TEN, BigDecimal.TEN))
        .isInstanceOf(IllegalArgumentException.class);
  }
}

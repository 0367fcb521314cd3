package io.kopeck.track;

import io.kopeck.ledger.Amounts;
import io.kopeck.track.Track.Price;
import java.math.BigDecimal;
import java.util.Collection;

/**
 * What a run the bot started costs when it ends (SPEC §18), rounded once: {@code fixed} if set; else
 * {@code max(minimum, Σ total_cost × multiplier)}, or {@code fallback} when no cost arrived; at most
 * {@code cap}. A failed or cancelled run is charged by {@code on_failure}: nothing, what the Runner
 * reported (× multiplier, capped), or the minimum.
 */
final class RunPrice {
  private RunPrice() {
  }

  /** {@code costs}: the total_cost of each cost event the run reported (an empty list: none arrived). */
  static BigDecimal of(Price price, Collection<BigDecimal> costs, boolean succeeded) {
    BigDecimal reported = costs.stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    BigDecimal tokens = succeeded ? finished(price, reported, costs.isEmpty()) : failed(price, reported);
    return price.cap() != null && tokens.compareTo(price.cap()) > 0 ? price.cap() : tokens;
  }

  private static BigDecimal finished(Price price, BigDecimal reported, boolean noCost) {
    if (price.fixed() != null) {
      return price.fixed();
    }
    if (noCost) {
      return price.fallback() == null ? BigDecimal.ZERO.setScale(4) : price.fallback();
    }
    BigDecimal tokens = Amounts.tokensForCost(reported, price.multiplier());
    return tokens.max(price.minimum());
  }

  private static BigDecimal failed(Price price, BigDecimal reported) {
    return switch (price.onFailure()) {
      case FREE -> BigDecimal.ZERO.setScale(4);
      case COST -> Amounts.tokensForCost(reported, price.multiplier());
      case MINIMUM -> price.minimum();
    };
  }
}

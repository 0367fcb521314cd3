package io.kopeck.stats;

import io.kopeck.common.Refusal;

/** Why a report range is refused. */
enum StatsRefusal implements Refusal {
  INVALID_RANGE(Kind.INVALID),
  INVALID_DATE(Kind.INVALID);

  private final Kind kind;

  StatsRefusal(Kind kind) {
    this.kind = kind;
  }

  @Override
  public Kind kind() {
    return kind;
  }
}

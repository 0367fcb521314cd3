package io.kopeck.ledger;

import io.vertx.sqlclient.Row;
import java.math.BigDecimal;
import java.time.LocalDate;
import java.time.OffsetDateTime;

/** A user's balance state, read under a row lock and advanced in memory while a batch is built. */
final class Account {
  final long userId;
  final boolean blocked;
  final OffsetDateTime subscriptionEnd;
  final BigDecimal dailyLimit;
  /** Tokens reserved by active holds (SPEC §19): spends may use only balance − held. */
  final BigDecimal held;
  BigDecimal balance;
  long seq;
  LocalDate spentDay;
  BigDecimal spentToday;
  boolean dirty;

  private Account(Row row) {
    this.userId = row.getLong("id");
    this.blocked = row.getBoolean("is_blocked");
    this.subscriptionEnd = row.getOffsetDateTime("subscription_end");
    this.balance = row.getBigDecimal("token_balance");
    this.held = row.getBigDecimal("held");
    this.seq = row.getLong("balance_seq");
    this.spentDay = row.getLocalDate("spent_day");
    this.spentToday = row.getBigDecimal("spent_today");
    this.dailyLimit = row.getBigDecimal("daily_spend_limit");
  }

  static Account of(Row row) {
    return new Account(row);
  }

  /** What a spend may use: the balance less what active holds reserve. */
  BigDecimal available() {
    return balance.subtract(held);
  }

  /** Moves the balance and returns the ledger sequence number of the new row. */
  long post(BigDecimal delta) {
    balance = balance.add(delta);
    dirty = true;
    return ++seq;
  }

  /** Whether spending {@code amount} more today would pass the user's daily limit (none: never). */
  boolean overDailyLimit(LocalDate today, BigDecimal amount) {
    BigDecimal spent = today.equals(spentDay) ? spentToday : BigDecimal.ZERO;
    return dailyLimit != null && spent.add(amount).compareTo(dailyLimit) > 0;
  }

  /** Adds a debit to today's spending (days in the display time zone). */
  void countSpent(LocalDate today, BigDecimal amount) {
    if (!today.equals(spentDay)) {
      spentDay = today;
      spentToday = BigDecimal.ZERO;
    }
    spentToday = spentToday.add(amount);
    dirty = true;
  }
}

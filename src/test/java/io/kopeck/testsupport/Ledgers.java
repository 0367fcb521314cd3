package io.kopeck.testsupport;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.ledger.BalanceRule;
import io.kopeck.ledger.Ledger;
import io.kopeck.ledger.LedgerVerifier;
import io.kopeck.ledger.Posting;
import io.kopeck.ledger.PostingResult;
import io.kopeck.ledger.TransactionType;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;

/** Seeds users through the real ledger API and checks the SPEC §2 invariants after money moved. */
public final class Ledgers {
  public static final BigDecimal FLOOR = new BigDecimal("-1000");

  private Ledgers() {
  }

  /** Creates the user (if new) and credits {@code balance} with a topup row, so invariants hold. */
  public static void seedUser(Pool pool, long userId, String balance) {
    Http.await(pool.preparedQuery("INSERT INTO users (id, language_code) VALUES ($1, 'ru') ON CONFLICT DO NOTHING")
        .execute(Tuple.of(userId)));
    if (new BigDecimal(balance).signum() == 0) {
      return;
    }
    PostingResult result = Http.await(pool.withTransaction(tx -> new Ledger(Clock.systemUTC(), FLOOR).post(tx,
        new Posting(userId, TransactionType.TOPUP, new BigDecimal(balance), BalanceRule.CREDIT,
            "seed:" + userId + ":" + System.nanoTime(), null, "test seed", null))));
    assertThat(result.applied()).isTrue();
  }

  /** An adjustment of {@code delta} (may go below zero, down to the floor), through the ledger. */
  public static void post(Pool pool, long userId, String delta) {
    PostingResult result = Http.await(pool.withTransaction(tx -> new Ledger(Clock.systemUTC(), FLOOR).post(tx,
        new Posting(userId, TransactionType.ADJUSTMENT, new BigDecimal(delta), BalanceRule.DOWN_TO_FLOOR,
            "test:" + userId + ":" + System.nanoTime(), null, "test adjustment", null))));
    assertThat(result.applied()).isTrue();
  }

  public static BigDecimal balance(Pool pool, long userId) {
    return Http.await(pool.preparedQuery("SELECT token_balance FROM users WHERE id = $1").execute(Tuple.of(userId)))
        .iterator().next().getBigDecimal(0);
  }

  public static long count(Pool pool, String sql, Object... params) {
    return Http.await(pool.preparedQuery(sql).execute(Tuple.wrap(params))).iterator().next().getLong(0);
  }

  /** Asserts every invariant of SPEC §2 holds for every user. */
  public static void assertConsistent(Pool pool) {
    assertConsistent(new LedgerVerifier(pool, FLOOR, Clock.systemUTC(), Duration.ofDays(1)));
  }

  public static void assertConsistent(LedgerVerifier verifier) {
    assertThat(Http.await(verifier.verify())).as("ledger invariants").isEmpty();
  }
}

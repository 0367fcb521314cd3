package io.kopeck.ledger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.RunningService;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestKeys;
import io.vertx.core.Future;
import io.vertx.sqlclient.Pool;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class LedgerTest {
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("ADMIN_API_KEY", TestKeys.ADMIN));
  private static Pool pool;
  private static Http http;
  private static final Ledger LEDGER = new Ledger(Clock.systemUTC(), Ledgers.FLOOR);

  @BeforeAll
  static void start() {
    pool = service.pool();
    http = service.http();
  }


  private static PostingResult post(Posting posting) {
    return Http.await(pool.withTransaction(tx -> LEDGER.post(tx, posting)));
  }

  private static Posting credit(long user, String amount, String key) {
    return new Posting(user, TransactionType.TOPUP, new BigDecimal(amount), BalanceRule.CREDIT, key, null, "t", null);
  }

  private static Posting debit(long user, String amount, BalanceRule rule, String key) {
    return new Posting(user, TransactionType.ADJUSTMENT, new BigDecimal(amount).negate(), rule, key, null, "t", null);
  }

  @Test
  @DisplayName("credits and debits append rows with consecutive seq and running balance_after")
  void appendsRows() {
    Ledgers.seedUser(pool, 1L, "0");

    PostingResult a = post(credit(1, "10.5", "a"));
    PostingResult b = post(debit(1, "0.25", BalanceRule.NEVER_BELOW_ZERO, "b"));

    assertThat(a.status()).isEqualTo(PostingResult.Status.APPLIED);
    assertThat(a.balanceAfter()).isEqualByComparingTo("10.5");
    assertThat(b.balanceBefore()).isEqualByComparingTo("10.5");
    assertThat(b.balanceAfter()).isEqualByComparingTo("10.25");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = 1 AND seq IN (1, 2)"))
        .isEqualTo(2);
    Ledgers.assertConsistent(pool);
  }

  @Test
  @DisplayName("a key used before answers DUPLICATE with the first figures and changes nothing")
  void duplicateKey() {
    Ledgers.seedUser(pool, 2L, "0");
    PostingResult first = post(credit(2, "5", "invoice:x"));

    PostingResult again = post(credit(2, "5", "invoice:x"));

    assertThat(again.duplicate()).isTrue();
    assertThat(again.transactionId()).isEqualTo(first.transactionId());
    assertThat(again.balanceAfter()).isEqualByComparingTo("5");
    assertThat(Ledgers.balance(pool, 2)).isEqualByComparingTo("5");
    Ledgers.assertConsistent(pool);
  }

  @Test
  @DisplayName("NEVER_BELOW_ZERO refuses an overdraft; DOWN_TO_FLOOR allows debt down to the floor only")
  void rules() {
    Ledgers.seedUser(pool, 3L, "1");

    PostingResult overdraft = post(debit(3, "1.0001", BalanceRule.NEVER_BELOW_ZERO, "o"));
    PostingResult debt = post(debit(3, "1001", BalanceRule.DOWN_TO_FLOOR, "d"));
    PostingResult pastFloor = post(debit(3, "0.0001", BalanceRule.DOWN_TO_FLOOR, "p"));

    assertThat(overdraft.refusal()).isEqualTo(LedgerRefusal.INSUFFICIENT_BALANCE);
    assertThat(debt.balanceAfter()).isEqualByComparingTo("-1000");
    assertThat(pastFloor.refusal()).isEqualTo(LedgerRefusal.BALANCE_FLOOR);
    assertThat(Ledgers.balance(pool, 3)).isEqualByComparingTo("-1000");
    Ledgers.assertConsistent(pool);
  }

  @Test
  @DisplayName("an unknown user is refused, and postings reject amounts that would need rounding")
  void refusals() {
    assertThat(post(credit(404, "1", "k")).refusal()).isEqualTo(LedgerRefusal.USER_NOT_FOUND);
    assertThatThrownBy(() -> credit(1, "0.00001", "k")).isInstanceOf(ArithmeticException.class);
    assertThatThrownBy(() -> credit(1, "0", "k")).isInstanceOf(IllegalArgumentException.class);
    assertThatThrownBy(() -> new Posting(1, TransactionType.TOPUP, BigDecimal.ONE, BalanceRule.DOWN_TO_FLOOR, "k",
        null, null, null)).isInstanceOf(IllegalArgumentException.class);
  }

  @Test
  @DisplayName("concurrent postings on one user serialize on the row lock: 100 credits, 100 rows, exact sum")
  void concurrentPostings() {
    Ledgers.seedUser(pool, 5L, "0");
    List<Future<PostingResult>> all = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      Posting posting = credit(5, "0.0001", "c" + i);
      all.add(pool.withTransaction(tx -> LEDGER.post(tx, posting)));
    }
    Http.await(Future.all(all));

    assertThat(Ledgers.balance(pool, 5)).isEqualByComparingTo("0.0100");
    Ledgers.assertConsistent(pool);
  }

  @Test
  @DisplayName("verify reports each broken invariant, and the admin endpoint returns them behind its key")
  void verifyFindsViolations() {
    try (RunningService broken = RunningService.start(Map.of("ADMIN_API_KEY", TestKeys.ADMIN))) {
      Http client = broken.http();
      Pool p = broken.pool();
      Ledgers.seedUser(p, 10L, "10");
      Ledgers.seedUser(p, 11L, "10");
      Ledgers.seedUser(p, 12L, "10");
      // Tamper behind the ledger's back: a balance that disagrees, a broken chain, a balance below the floor.
      Http.await(p.query("UPDATE users SET token_balance = 11 WHERE id = 10").execute());
      Http.await(p.query("UPDATE transactions SET balance_after = 9 WHERE user_id = 11").execute());
      Http.await(p.preparedQuery("INSERT INTO transactions (user_id, seq, type, tokens_delta, balance_after, invoice_id) "
          + "VALUES (12, 2, 'adjustment', -2000, -1990, NULL)").execute());
      Http.await(p.query("UPDATE users SET token_balance = -1990, balance_seq = 2 WHERE id = 12").execute());
      // Below the floor through a provider's refund (SPEC §17): not a violation.
      Ledgers.seedUser(p, 13L, "10");
      PostingResult forced = Http.await(p.withTransaction(tx -> LEDGER.post(tx, new Posting(13, TransactionType.REFUND,
          new BigDecimal("-2000"), BalanceRule.PROVIDER_REFUND, "refund:test-13", null, "refund",
          BalanceRule.PROVIDER_REFUND_METADATA))));
      assertThat(forced.applied()).isTrue();

      List<Violation> violations = Http.await(new LedgerVerifier(p, Ledgers.FLOOR, Clock.systemUTC(), Duration.ofDays(1)).verify());
      Http.Response unauthorized = client.get("/admin/api/v1/ledger/verify", "wrong");
      Http.Response report = client.get("/admin/api/v1/ledger/verify", TestKeys.ADMIN);

      assertThat(violations).extracting(Violation::check, Violation::userId).containsExactlyInAnyOrder(
          org.assertj.core.groups.Tuple.tuple("balance_equals_sum", 10L),
          org.assertj.core.groups.Tuple.tuple("balance_after_chain", 11L),
          org.assertj.core.groups.Tuple.tuple("balance_above_floor", 12L));
      assertThat(unauthorized.status()).isEqualTo(401);
      assertThat(report.json().getBoolean("ok")).isFalse();
      assertThat(report.json().getJsonArray("violations")).hasSize(3);
    }
  }

  @Test
  @DisplayName("an invoice credited twice under different keys is reported")
  void invoiceTwice() {
    try (RunningService broken = RunningService.start(Map.of())) {
      Pool p = broken.pool();
      Ledgers.seedUser(p, 20L, "0");
      UUID invoice = UUID.randomUUID();
      Http.await(p.withTransaction(tx -> LEDGER.post(tx, new Posting(20, TransactionType.TOPUP, BigDecimal.TEN,
          BalanceRule.CREDIT, "invoice:a", invoice, null, null))));
      // The partial unique index refuses the second credit outright; drop it to prove verify would see it.
      Http.await(p.query("DROP INDEX transactions_invoice_type_key").execute());
      Http.await(p.withTransaction(tx -> LEDGER.post(tx, new Posting(20, TransactionType.TOPUP, BigDecimal.TEN,
          BalanceRule.CREDIT, "invoice:b", invoice, null, null))));

      assertThat(Http.await(new LedgerVerifier(p, Ledgers.FLOOR, Clock.systemUTC(), Duration.ofDays(1)).verify())).extracting(Violation::check)
          .containsExactly("invoice_credited_once");
    }
  }

  @Test
  @DisplayName("the unique index refuses a second credit of one invoice even under another key")
  void invoiceIndex() {
    Ledgers.seedUser(pool, 21L, "0");
    UUID invoice = UUID.randomUUID();
    post(new Posting(21, TransactionType.TOPUP, BigDecimal.TEN, BalanceRule.CREDIT, "invoice:1", invoice, null, null));

    assertThatThrownBy(() -> post(new Posting(21, TransactionType.TOPUP, BigDecimal.TEN, BalanceRule.CREDIT,
        "invoice:2", invoice, null, null))).hasMessageContaining("transactions_invoice_type_key");
    assertThat(Ledgers.balance(pool, 21)).isEqualByComparingTo("10");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE user_id = $1", 21L)).isEqualTo(1);
  }
}

package io.kopeck.pays;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.UUID;

/**
 * One user's pays history as Kopeck ledger rows: ordered by time (ties broken by the balance
 * chain), amounts from {@code double} to exact 4-decimal tokens rounded HALF_UP once, 0-delta rows
 * dropped, {@code seq} 1..n, {@code balance_after} recomputed from the rounded deltas, and — when the
 * history does not add up to the stored balance — one {@code adjustment} at the end, keyed
 * {@code pays:opening:<user id>}. At the end rather than first: every imported row keeps the
 * {@code balance_after} its user saw in pays.
 */
final class PaysLedger {
  static final Set<String> TYPES = Set.of("topup", "spend", "refund", "adjustment", "subscription");

  /** A pays transaction as read. */
  record Source(UUID id, String type, double delta, double balanceAfter, String description, UUID invoiceId,
                String metadata, OffsetDateTime createdAt) {
  }

  /** A Kopeck ledger row to write. */
  record Row(String type, BigDecimal delta, BigDecimal balanceAfter, long seq, String key, UUID invoiceId,
             String description, String metadata, OffsetDateTime createdAt) {
  }

  /** The rows, the balance they end at, and what had to be bridged. */
  record Result(List<Row> rows, BigDecimal historySum, BigDecimal adjustment, List<String> differences) {
  }

  private PaysLedger() {
  }

  /** pays stores doubles; their shortest decimal form, rounded HALF_UP to the ledger's 4 places. */
  static BigDecimal tokens(double value) {
    return new BigDecimal(Double.toString(value)).setScale(4, RoundingMode.HALF_UP);
  }

  static Result build(long userId, List<Source> history, BigDecimal storedBalance, OffsetDateTime importedAt) {
    List<String> differences = new ArrayList<>();
    List<Row> rows = new ArrayList<>();
    Set<String> linked = new HashSet<>();
    BigDecimal balance = BigDecimal.ZERO.setScale(4);
    long seq = 0;
    for (Source tx : ordered(history)) {
      BigDecimal delta = tokens(tx.delta());
      if (delta.signum() == 0) {
        differences.add("user " + userId + ": 0-token " + tx.type() + " row " + tx.id() + " (\"" + tx.description()
            + "\") not carried over: the ledger holds only balance changes");
        continue;
      }
      UUID invoiceId = tx.invoiceId();
      String type = kopeckType(tx);
      if (invoiceId != null && !linked.add(invoiceId + ":" + type)) {
        differences.add("user " + userId + ": a second " + type + " row for invoice " + invoiceId + " (" + tx.id()
            + ") kept without its invoice link: a paid invoice is credited once");
        invoiceId = null;
      }
      balance = balance.add(delta);
      rows.add(new Row(type, delta, balance, ++seq, "pays:tx:" + tx.id(), invoiceId, tx.description(), tx.metadata(),
          tx.createdAt()));
    }
    BigDecimal stored = storedBalance.setScale(4, RoundingMode.HALF_UP);
    BigDecimal gap = stored.subtract(balance);
    if (gap.signum() != 0) {
      rows.add(new Row("adjustment", gap, stored, ++seq, "pays:opening:" + userId, null,
          "Перенос из pays: баланс " + stored.toPlainString() + " при сумме истории " + balance.toPlainString(),
          "{\"source\": \"pays\", \"stored_balance\": \"" + stored.toPlainString() + "\", \"history_sum\": \""
              + balance.toPlainString() + "\"}", importedAt));
      differences.add("user " + userId + ": stored balance " + stored.toPlainString() + ", history "
          + balance.toPlainString() + " → adjustment " + (gap.signum() > 0 ? "+" : "") + gap.toPlainString()
          + " (pays:opening:" + userId + ")");
    }
    return new Result(rows, balance, gap, differences);
  }

  /** A trial activation (a top-up with a promo code and no invoice) is a trial row in Kopeck. */
  private static String kopeckType(Source tx) {
    boolean trial = tx.type().equals("topup") && tx.invoiceId() == null && tx.metadata() != null
        && tx.metadata().contains("\"promo_code\"");
    return trial ? "trial" : tx.type();
  }

  /**
   * By time; rows of the same instant in the order their balance chain implies (each one's
   * balance_after − delta is the previous balance_after), the rest by id.
   */
  static List<Source> ordered(List<Source> history) {
    List<Source> byTime = new ArrayList<>(history);
    byTime.sort(Comparator.comparing(Source::createdAt).thenComparing(Source::id));
    List<Source> out = new ArrayList<>(byTime.size());
    BigDecimal previous = BigDecimal.ZERO;
    int i = 0;
    while (i < byTime.size()) {
      int j = i;
      while (j < byTime.size() && byTime.get(j).createdAt().equals(byTime.get(i).createdAt())) {
        j++;
      }
      List<Source> tied = new ArrayList<>(byTime.subList(i, j));
      while (!tied.isEmpty()) {
        BigDecimal before = previous;
        Source next = tied.stream()
            .min(Comparator.comparing(t -> tokens(t.balanceAfter()).subtract(tokens(t.delta())).subtract(before).abs()))
            .orElseThrow();
        tied.remove(next);
        out.add(next);
        previous = tokens(next.balanceAfter());
      }
      i = j;
    }
    return out;
  }
}

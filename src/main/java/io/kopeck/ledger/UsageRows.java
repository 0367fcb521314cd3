package io.kopeck.ledger;

import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** The usage_charges rows of one batch, as the parallel arrays of one INSERT … SELECT unnest(…). */
final class UsageRows {
  private final List<Long> userIds = new ArrayList<>();
  private final List<String> eventIds = new ArrayList<>();
  private final List<String> tracks = new ArrayList<>();
  private final List<String> totalCosts = new ArrayList<>();
  private final List<String> currencies = new ArrayList<>();
  private final List<String> tokens = new ArrayList<>();
  private final List<Integer> apiCalls = new ArrayList<>();
  private final List<Integer> freeRequests = new ArrayList<>();
  private final List<Long> promptTokens = new ArrayList<>();
  private final List<Long> completionTokens = new ArrayList<>();
  private final List<Long> totalTokens = new ArrayList<>();
  private final List<String> nodeCosts = new ArrayList<>();
  private final List<String> statuses = new ArrayList<>();
  private final List<String> rejections = new ArrayList<>();
  private final List<Long> txSeqs = new ArrayList<>();
  private final List<String> balancesAfter = new ArrayList<>();
  /** A defined track's multiplier (SPEC §18), or null for the configured one: most rows send no text here. */
  private final List<String> multipliers = new ArrayList<>();

  void add(UsageCharge charge, Decision decision) {
    userIds.add(charge.userId());
    eventIds.add(charge.eventId());
    tracks.add(charge.track());
    totalCosts.add(charge.totalCost().toPlainString());
    currencies.add(charge.currency());
    tokens.add(decision.tokens.toPlainString());
    apiCalls.add(charge.apiCalls());
    freeRequests.add(charge.freeRequests());
    promptTokens.add(charge.promptTokens());
    completionTokens.add(charge.completionTokens());
    totalTokens.add(charge.totalTokens());
    nodeCosts.add(charge.nodeCostsJson());
    statuses.add(decision.status == PostingResult.Status.APPLIED ? "charged" : "rejected");
    rejections.add(decision.refusal == null ? null : decision.refusal.code());
    txSeqs.add(decision.txSeq);
    balancesAfter.add(decision.after.toPlainString());
    multipliers.add(charge.multiplier() == null ? null : charge.multiplier().toPlainString());
  }

  boolean isEmpty() {
    return userIds.isEmpty();
  }

  /** The parallel arrays, in the order of the usage columns of {@link BatchStatement#LEDGER_AND_USAGE}. */
  Object[] columns() {
    return columns(txSeqs.toArray(Long[]::new), multipliers.toArray(String[]::new));
  }

  /**
   * As {@link #columns()}, with each row's transaction id (by user and seq) in place of its seq, and
   * each row's multiplier spelt out ({@code configured} where it has none of its own).
   */
  Object[] columnsWithTransactionIds(Map<Long, Map<Long, Long>> ids, BigDecimal configured) {
    Long[] transactionIds = new Long[txSeqs.size()];
    String[] rowMultipliers = new String[txSeqs.size()];
    for (int i = 0; i < transactionIds.length; i++) {
      Long seq = txSeqs.get(i);
      transactionIds[i] = seq == null ? null : ids.get(userIds.get(i)).get(seq);
      rowMultipliers[i] = multipliers.get(i) == null ? configured.toPlainString() : multipliers.get(i);
    }
    return columns(transactionIds, rowMultipliers);
  }

  private Object[] columns(Long[] transactionColumn, String[] multiplierColumn) {
    return new Object[] {userIds.toArray(Long[]::new), eventIds.toArray(String[]::new), tracks.toArray(String[]::new),
        totalCosts.toArray(String[]::new), currencies.toArray(String[]::new), tokens.toArray(String[]::new),
        apiCalls.toArray(Integer[]::new), freeRequests.toArray(Integer[]::new), promptTokens.toArray(Long[]::new),
        completionTokens.toArray(Long[]::new), totalTokens.toArray(Long[]::new), nodeCosts.toArray(String[]::new),
        statuses.toArray(String[]::new), rejections.toArray(String[]::new), transactionColumn,
        balancesAfter.toArray(String[]::new), multiplierColumn};
  }
}

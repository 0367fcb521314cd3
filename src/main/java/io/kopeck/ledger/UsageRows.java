package io.kopeck.ledger;

import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.util.ArrayList;
import java.util.List;

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
  }

  boolean isEmpty() {
    return userIds.isEmpty();
  }

  /** Appends this batch's parameters ($11 … $27) after the ledger rows' ($1 … $10). */
  void appendTo(Tuple tuple, BigDecimal multiplier) {
    tuple.addValue(userIds.toArray(Long[]::new)).addValue(eventIds.toArray(String[]::new))
        .addValue(tracks.toArray(String[]::new)).addValue(totalCosts.toArray(String[]::new))
        .addValue(currencies.toArray(String[]::new)).addValue(tokens.toArray(String[]::new))
        .addValue(apiCalls.toArray(Integer[]::new)).addValue(freeRequests.toArray(Integer[]::new))
        .addValue(promptTokens.toArray(Long[]::new)).addValue(completionTokens.toArray(Long[]::new))
        .addValue(totalTokens.toArray(Long[]::new)).addValue(nodeCosts.toArray(String[]::new))
        .addValue(statuses.toArray(String[]::new)).addValue(rejections.toArray(String[]::new))
        .addValue(txSeqs.toArray(Long[]::new)).addValue(multiplier.toPlainString())
        .addValue(balancesAfter.toArray(String[]::new));
  }
}

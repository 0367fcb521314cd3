package io.kopeck.ledger;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Which of a user's tokens are still a grant's (SPEC §21), replayed from the ledger rather than kept in
 * a counter: the charge path writes nothing for grants, so a user's charges cost the same with or
 * without them. The rules: a debit takes from the active grants that expire first (then the one given
 * first), then from paid tokens; a refund takes back paid tokens first (it undoes a payment), then
 * grants; a grant's expiry row removes exactly that grant's rest. The replay starts at the earliest
 * grant still alive at some point since — before it no grant was active, so the balance then was all
 * paid tokens.
 */
public final class GrantReplay {
  private static final String GRANTS = """
      SELECT grant_id, amount, granted_seq, expires_at, expired_seq, expired_amount FROM grants WHERE user_id = $1""";
  private static final String ROWS = """
      SELECT seq, type, tokens_delta, balance_after, idempotency_key FROM transactions
      WHERE user_id = $1 AND seq >= $2 ORDER BY seq""";

  /** A grant as its row records it; {@code expiredSeq} and {@code expiredAmount} are null while it runs. */
  public record Grant(String grantId, BigDecimal amount, long grantedSeq, OffsetDateTime expiresAt, Long expiredSeq,
                      BigDecimal expiredAmount) {
    static Grant of(Row row) {
      return new Grant(row.getString("grant_id"), row.getBigDecimal("amount"), row.getLong("granted_seq"),
          row.getOffsetDateTime("expires_at"), row.getLong("expired_seq"), row.getBigDecimal("expired_amount"));
    }

    public boolean expired() {
      return expiredSeq != null;
    }
  }

  /** One ledger row, as the replay needs it. */
  public record Step(long seq, String type, BigDecimal delta, BigDecimal balanceAfter, String key) {
    static Step of(Row row) {
      return new Step(row.getLong("seq"), row.getString("type"), row.getBigDecimal("tokens_delta"),
          row.getBigDecimal("balance_after"), row.getString("idempotency_key"));
    }
  }

  /**
   * What the replay found: each running grant's rest now, and each expired grant's rest just before it
   * expired (what its expiry row must have taken).
   */
  public record Result(Map<String, BigDecimal> remaining, Map<String, BigDecimal> restAtExpiry, List<Grant> grants) {
    /** The running grants, the one that expires first first. */
    public List<Grant> running() {
      return grants.stream().filter(g -> !g.expired()).sorted(ORDER).toList();
    }

    /** The running grants as the APIs show them: id, amount, what is left, end. */
    public JsonArray runningJson() {
      JsonArray list = new JsonArray();
      for (Grant grant : running()) {
        list.add(new JsonObject().put("grant_id", grant.grantId()).put("amount", Amounts.tokenText(grant.amount()))
            .put("remaining", Amounts.tokenText(remaining.getOrDefault(grant.grantId(), BigDecimal.ZERO)))
            .put("expires_at", grant.expiresAt().toInstant().toString()));
      }
      return list;
    }

    /** What is left of all running grants together. */
    public BigDecimal granted() {
      return remaining.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
    }
  }

  private static final Comparator<Grant> ORDER = Comparator.comparing(Grant::expiresAt)
      .thenComparingLong(Grant::grantedSeq);

  private GrantReplay() {
  }

  /** The user's running grants replayed over their ledger rows, read on {@code client} (lock the user first to act on it). */
  public static Future<Result> load(SqlClient client, long userId) {
    return load(client, userId, false);
  }

  /** Every grant of the user replayed from the first one's row: what `ledger verify` checks ended grants with. */
  public static Future<Result> loadAll(SqlClient client, long userId) {
    return load(client, userId, true);
  }

  private static Future<Result> load(SqlClient client, long userId, boolean all) {
    return client.preparedQuery(GRANTS).execute(Tuple.of(userId)).compose(rows -> {
      List<Grant> grants = new ArrayList<>();
      rows.forEach(row -> grants.add(Grant.of(row)));
      if (grants.isEmpty()) {
        return Future.succeededFuture(new Result(Map.of(), Map.of(), List.of()));
      }
      long start = all ? grants.stream().mapToLong(Grant::grantedSeq).min().orElseThrow() : startSeq(grants);
      return client.preparedQuery(ROWS).execute(Tuple.of(userId, start)).map(steps -> {
        List<Step> list = new ArrayList<>();
        steps.forEach(step -> list.add(Step.of(step)));
        return replay(grants, list);
      });
    });
  }

  /**
   * The first row to replay for the running grants: the earliest grant that is running, or expired after a
   * row the replay reads (it may have taken debits a later grant would otherwise have taken).
   */
  static long startSeq(List<Grant> grants) {
    long start = Long.MAX_VALUE;
    for (Grant grant : grants) {
      if (!grant.expired()) {
        start = Math.min(start, grant.grantedSeq());
      }
    }
    boolean moved = true;
    while (moved) {
      moved = false;
      for (Grant grant : grants) {
        if (grant.expired() && grant.expiredSeq() >= start && grant.grantedSeq() < start) {
          start = grant.grantedSeq();
          moved = true;
        }
      }
    }
    return start; // Long.MAX_VALUE when none runs: nothing to read
  }

  /** The replay itself over rows in seq order, from {@link #startSeq}. */
  public static Result replay(List<Grant> grants, List<Step> steps) {
    Map<String, Grant> byId = new LinkedHashMap<>();
    grants.forEach(g -> byId.put(g.grantId(), g));
    Map<String, BigDecimal> active = new LinkedHashMap<>();
    Map<String, BigDecimal> restAtExpiry = new LinkedHashMap<>();
    for (Step step : steps) {
      String id = step.key() == null ? "" : step.key().substring(step.key().indexOf(':') + 1);
      if (step.type().equals("grant") && byId.containsKey(id)) {
        active.put(id, step.delta());
      } else if (step.type().equals("expiry") && active.containsKey(id)) {
        restAtExpiry.put(id, active.get(id));
        active.put(id, active.get(id).add(step.delta()));
      } else if (step.delta().signum() < 0) {
        BigDecimal debit = step.delta().negate();
        if (step.type().equals("refund")) {
          BigDecimal granted = active.values().stream().reduce(BigDecimal.ZERO, BigDecimal::add);
          BigDecimal paid = step.balanceAfter().subtract(step.delta()).subtract(granted).max(BigDecimal.ZERO);
          debit = debit.subtract(debit.min(paid));
        }
        consume(active, byId, debit);
      }
      for (Grant grant : grants) {
        if (grant.expired() && grant.expiredSeq() == step.seq() && active.containsKey(grant.grantId())) {
          // Without an expiry row (nothing was left) the rest at expiry is what was running until now.
          restAtExpiry.putIfAbsent(grant.grantId(), active.get(grant.grantId()));
          active.remove(grant.grantId());
        }
      }
    }
    return new Result(active, restAtExpiry, grants);
  }

  /** Takes {@code debit} from the running grants in consumption order, as far as they reach. */
  private static void consume(Map<String, BigDecimal> active, Map<String, Grant> byId, BigDecimal debit) {
    List<String> order = active.keySet().stream().map(byId::get).sorted(ORDER).map(Grant::grantId).toList();
    BigDecimal left = debit;
    for (String id : order) {
      if (left.signum() <= 0) {
        return;
      }
      BigDecimal rest = active.get(id);
      BigDecimal taken = left.min(rest.max(BigDecimal.ZERO));
      active.put(id, rest.subtract(taken));
      left = left.subtract(taken);
    }
  }
}

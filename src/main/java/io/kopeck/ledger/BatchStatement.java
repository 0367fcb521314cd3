package io.kopeck.ledger;

import static io.kopeck.common.ValuesSql.rowWise;
import static io.kopeck.common.ValuesSql.values;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The statements that write a batch's new rows, and their parameters: every {@code $n} of the
 * write path is numbered in this file only. Ledger rows alone ({@link #LEDGER}, $1–$10) serve
 * {@link Ledger#post} and spend-only batches; usage batches write their ledger rows and usage rows in
 * one statement ({@link #LEDGER_AND_USAGE}: the ledger's $1–$10, the configured multiplier $11, then the
 * usage columns $12–$28, the last a defined track's multiplier where the event has one, SPEC §18), in
 * which each usage row finds its transaction among the rows the same statement inserts (joined on user
 * and seq).
 */
final class BatchStatement {
  /** $1–$9: the ledger rows' parallel arrays; $10: created_at. */
  static final String LEDGER = """
      INSERT INTO transactions (user_id, seq, type, tokens_delta, balance_after, idempotency_key,
                                invoice_id, description, metadata, created_at)
      SELECT r.user_id, r.seq, r.type, r.delta::numeric, r.balance_after::numeric, r.idempotency_key,
             r.invoice_id::uuid, r.description, r.metadata::jsonb, $10
      FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::text[],
                  $7::text[], $8::text[], $9::text[])
           AS r(user_id, seq, type, delta, balance_after, idempotency_key, invoice_id, description, metadata)
      RETURNING user_id, seq, id""";

  static final String LEDGER_AND_USAGE = """
      WITH tx AS (%s),
      usage AS (
      INSERT INTO usage_charges (user_id, event_id, track, total_cost, currency, multiplier, tokens_charged,
                                 api_calls, free_requests, prompt_tokens, completion_tokens, total_tokens,
                                 node_costs, status, reject_reason, transaction_id, balance_after, created_at)
      SELECT u.user_id, u.event_id, u.track, u.total_cost::numeric, u.currency,
             coalesce(u.multiplier::numeric, $11::text::numeric), u.tokens::numeric,
             u.api_calls, u.free_requests, u.prompt_tokens, u.completion_tokens, u.total_tokens,
             u.node_costs::jsonb, u.status, u.reject_reason, tx.id, u.balance_after::numeric, $10
      FROM unnest($12::bigint[], $13::text[], $14::text[], $15::text[], $16::text[], $17::text[], $18::int[],
                  $19::int[], $20::bigint[], $21::bigint[], $22::bigint[], $23::text[], $24::text[], $25::text[],
                  $26::bigint[], $27::text[], $28::text[])
           AS u(user_id, event_id, track, total_cost, currency, tokens, api_calls, free_requests, prompt_tokens,
                completion_tokens, total_tokens, node_costs, status, reject_reason, tx_seq, balance_after, multiplier)
      LEFT JOIN tx ON tx.user_id = u.user_id AND tx.seq = u.tx_seq)
      SELECT user_id, seq, id FROM tx""".formatted(LEDGER);

  /*
   * On Citus the statements above would go through the coordinator (INSERT … SELECT becomes a COPY
   * with intermediate results, and the CTE ships the new ledger rows to every worker), committing
   * in two phases. A multi-row VALUES insert of one shard's rows (common.ValuesSql) is routed to
   * that shard and commits in one: the batch's ledger rows first, then its usage rows with their
   * transaction ids.
   */
  private static final String LEDGER_VALUES_HEAD = """
      INSERT INTO transactions (created_at, user_id, seq, type, tokens_delta, balance_after, idempotency_key,
                                invoice_id, description, metadata) VALUES """;
  private static final String[] LEDGER_CASTS = {"bigint", "bigint", "text", "text::numeric", "text::numeric", "text",
      "text::uuid", "text", "text::jsonb"};
  private static final String USAGE_VALUES_HEAD = """
      INSERT INTO usage_charges (created_at, user_id, event_id, track, total_cost, currency, tokens_charged,
                                 api_calls, free_requests, prompt_tokens, completion_tokens, total_tokens,
                                 node_costs, status, reject_reason, transaction_id, balance_after, multiplier) VALUES """;
  private static final String[] USAGE_CASTS = {"bigint", "text", "text", "text::numeric", "text", "text::numeric",
      "int", "int", "bigint", "bigint", "bigint", "text::jsonb", "text", "text", "bigint", "text::numeric",
      "text::numeric"};

  private BatchStatement() {
  }

  /** $1–$10 of {@link #LEDGER}. */
  static Tuple ledger(LedgerRows rows, OffsetDateTime now) {
    return Tuple.of(rows.userIds.toArray(Long[]::new), rows.seqs.toArray(Long[]::new),
        rows.types.toArray(String[]::new), rows.deltas.toArray(String[]::new),
        rows.balancesAfter.toArray(String[]::new), rows.keys.toArray(String[]::new),
        rows.invoiceIds.toArray(String[]::new), rows.descriptions.toArray(String[]::new),
        rows.metadata.toArray(String[]::new), now);
  }

  /** $1–$28 of {@link #LEDGER_AND_USAGE}. */
  static Tuple ledgerAndUsage(LedgerRows rows, UsageRows usage, OffsetDateTime now, BigDecimal multiplier) {
    Tuple tuple = ledger(rows, now).addValue(multiplier.toPlainString());
    for (Object column : usage.columns()) {
      tuple.addValue(column);
    }
    return tuple;
  }

  /** Citus: the ledger rows as one VALUES insert ($1 created_at), answering their ids by (user, seq). */
  static Future<Map<Long, Map<Long, Long>>> insertValues(SqlClient client, LedgerRows rows, OffsetDateTime now) {
    if (rows.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    Object[] columns = {rows.userIds.toArray(Long[]::new), rows.seqs.toArray(Long[]::new),
        rows.types.toArray(String[]::new), rows.deltas.toArray(String[]::new), rows.balancesAfter.toArray(String[]::new),
        rows.keys.toArray(String[]::new), rows.invoiceIds.toArray(String[]::new),
        rows.descriptions.toArray(String[]::new), rows.metadata.toArray(String[]::new)};
    return client.preparedQuery(values(LEDGER_VALUES_HEAD, "$1", 1, LEDGER_CASTS, rows.userIds.size())
            + " RETURNING user_id, seq, id")
        .execute(rowWise(Tuple.of(now), columns)).map(LedgerSql::idsByUserAndSeq);
  }

  /**
   * Citus: the usage rows as one VALUES insert ($1 created_at), with their transaction ids and each row's
   * multiplier (a defined track's, else {@code multiplier}).
   */
  static Future<Void> insertUsageValues(SqlClient client, UsageRows usage, Map<Long, Map<Long, Long>> ids,
                                        OffsetDateTime now, BigDecimal multiplier) {
    Object[] columns = usage.columnsWithTransactionIds(ids, multiplier);
    int rows = ((Object[]) columns[0]).length;
    return client.preparedQuery(values(USAGE_VALUES_HEAD, "$1", 1, USAGE_CASTS, rows))
        .execute(rowWise(Tuple.of(now), columns)).mapEmpty();
  }

  /** Inserts ledger rows alone and answers their ids by (user, seq). */
  static Future<Map<Long, Map<Long, Long>>> insert(SqlClient client, LedgerRows rows, OffsetDateTime now) {
    if (rows.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return client.preparedQuery(LEDGER).execute(ledger(rows, now)).map(LedgerSql::idsByUserAndSeq);
  }

  /** New ledger rows of one batch (or one posting), in the order they were decided. */
  static final class LedgerRows {
    final List<Long> userIds = new ArrayList<>();
    final List<Long> seqs = new ArrayList<>();
    final List<String> types = new ArrayList<>();
    final List<String> deltas = new ArrayList<>();
    final List<String> balancesAfter = new ArrayList<>();
    final List<String> keys = new ArrayList<>();
    final List<String> invoiceIds = new ArrayList<>();
    final List<String> descriptions = new ArrayList<>();
    final List<String> metadata = new ArrayList<>();

    void add(Account account, long seq, Posting posting) {
      userIds.add(account.userId);
      seqs.add(seq);
      types.add(posting.type().sql());
      deltas.add(posting.delta().toPlainString());
      balancesAfter.add(account.balance.toPlainString());
      keys.add(posting.idempotencyKey());
      invoiceIds.add(posting.invoiceId() == null ? null : posting.invoiceId().toString());
      descriptions.add(posting.description());
      metadata.add(posting.metadataJson());
    }

    boolean isEmpty() {
      return userIds.isEmpty();
    }
  }
}

package io.kopeck.notify;

import io.kopeck.common.PerRow;
import io.kopeck.common.RowClaim;
import io.kopeck.common.Times;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.Clock;
import java.time.Duration;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Takes the next messages due from the outbox for one sender, within both rates (SPEC §8), in one
 * short transaction: the bot-wide pacing row is locked (so claims of all instances take turns and
 * share TELEGRAM_RATE_GLOBAL, paced slot by slot with at most one tick of catching up), due rows
 * are picked with FOR UPDATE SKIP LOCKED ({@link RowClaim}), at most one per chat whose own pacing
 * slot is free (TELEGRAM_RATE_PER_CHAT), and each claimed row is leased by
 * moving its next attempt past the time a send can take. Another instance therefore never sends
 * the same row; a process killed between sending and recording sends it again after the lease —
 * at least once, never twice while it runs.
 */
final class OutboxClaims {
  static final Duration LEASE = Duration.ofMinutes(2);
  // How far a claim may catch up on an idle period: one tick. Any second then holds at most about
  // 1.1 × TELEGRAM_RATE_GLOBAL sends (a one-second burst would allow twice the rate right after idling).
  static final Duration BURST = Duration.ofMillis(100);
  private static final int MAX_BATCH = 100;

  private static final String GLOBAL = """
      SELECT greatest(next_send_at, clock_timestamp()) AS free_at, clock_timestamp() AS now
      FROM send_pacing WHERE chat_id = 0 FOR UPDATE""";
  // A message of a sequence (a run's output) waits while an earlier one of its sequence is pending;
  // once it is the first, it stays the first until claimed (no earlier one can appear).
  private final RowClaim due = new RowClaim(
      "SELECT id, chat_id FROM notifications n WHERE status = 'pending' AND next_attempt_at <= $1", """
      n.sequence IS NULL OR NOT EXISTS (SELECT 1 FROM notifications e WHERE e.chat_id = n.chat_id
        AND e.sequence = n.sequence AND e.status = 'pending' AND e.id < n.id)""",
      "ORDER BY next_attempt_at, id LIMIT $2", "FOR UPDATE SKIP LOCKED", 2, "chat_id", "chat_id", "id", "id");
  private static final String CHAT_SLOTS = """
      INSERT INTO send_pacing AS p (chat_id, next_send_at)
      SELECT c, clock_timestamp() + $2::bigint * interval '1 microsecond' FROM unnest($1::bigint[]) AS c
      ON CONFLICT (chat_id) DO UPDATE SET next_send_at = EXCLUDED.next_send_at
        WHERE p.next_send_at <= clock_timestamp()
      RETURNING chat_id""";
  // Per row ({@link PerRow}), named by id and chat: an update by id alone would run on every shard on Citus.
  private static final String LEASE_ROW = """
      UPDATE notifications n SET attempts = n.attempts + 1, next_attempt_at = $3 WHERE n.id = $1 AND n.chat_id = $2
      RETURNING n.id, n.chat_id, n.user_id, n.kind, n.template, n.args::text AS args, n.text, n.attempts,
        (SELECT coalesce(u.language_override, u.language_code) FROM users u WHERE u.id = n.chat_id) AS language,
        coalesce((SELECT u.bot_blocked FROM users u WHERE u.id = n.chat_id), false) AS blocked""";
  private static final String SPEND_GLOBAL = """
      UPDATE send_pacing SET next_send_at = $1::timestamptz + $2::bigint * interval '1 microsecond' WHERE chat_id = 0""";

  /** A leased outbox row, ready to render and send. */
  record Claimed(long id, long chatId, Long userId, String kind, String template, JsonObject args, String text,
                 int attempts, String language, boolean blocked) {
    static Claimed of(Row row) {
      String args = row.getString("args");
      return new Claimed(row.getLong("id"), row.getLong("chat_id"), row.getLong("user_id"), row.getString("kind"),
          row.getString("template"), args == null ? new JsonObject() : new JsonObject(args), row.getString("text"),
          row.getInteger("attempts"), row.getString("language"), row.getBoolean("blocked"));
    }
  }

  private final Pool pool;
  private final Clock clock;
  private final long globalIntervalMicros;
  private final long chatIntervalMicros;

  OutboxClaims(Pool pool, Clock clock, int globalPerSecond, int chatPerSecond) {
    this.pool = pool;
    this.clock = clock;
    this.globalIntervalMicros = 1_000_000L / globalPerSecond;
    this.chatIntervalMicros = 1_000_000L / chatPerSecond;
  }

  /** The next messages to send now; empty when nothing is due or the bot-wide budget is spent. */
  Future<List<Claimed>> claim() {
    OffsetDateTime now = Times.utcNow(clock);
    return pool.withTransaction(tx -> tx.query(GLOBAL).execute().compose(rows -> {
      Row global = rows.iterator().next();
      OffsetDateTime freeAt = global.getOffsetDateTime("free_at");
      long budgetMicros = Duration.between(freeAt, global.getOffsetDateTime("now").plus(BURST)).toNanos() / 1000;
      int budget = (int) Math.min(MAX_BATCH, Math.max(0, budgetMicros / globalIntervalMicros));
      if (budget == 0) {
        return Future.succeededFuture(List.<Claimed>of());
      }
      return due.claim(tx, Tuple.of(now, budget * 4), candidates -> firstPerChat(candidates, budget))
          .compose(due -> oneFreePerChat(tx, due, budget))
          .compose(free -> free.isEmpty() ? Future.succeededFuture(List.<Claimed>of())
              : lease(tx, free, now).compose(claimed -> tx.preparedQuery(SPEND_GLOBAL)
                  .execute(Tuple.of(freeAt, claimed.size() * globalIntervalMicros)).map(claimed)));
    }));
  }

  /** The oldest due row of each chat, at most {@code budget} of them (in the rows' order). */
  private static List<Row> firstPerChat(List<Row> due, int budget) {
    Map<Long, Row> first = new LinkedHashMap<>();
    for (Row row : due) {
      if (first.size() < budget) {
        first.putIfAbsent(row.getLong("chat_id"), row);
      }
    }
    return List.copyOf(first.values());
  }

  /** The oldest due row of each chat whose pacing slot is free, at most {@code budget} of them (row id → chat). */
  private Future<Map<Long, Long>> oneFreePerChat(SqlConnection tx, List<Row> due, int budget) {
    Map<Long, Long> firstPerChat = new LinkedHashMap<>();
    for (Row row : firstPerChat(due, budget)) {
      firstPerChat.put(row.getLong("chat_id"), row.getLong("id"));
    }
    if (firstPerChat.isEmpty()) {
      return Future.succeededFuture(Map.of());
    }
    return tx.preparedQuery(CHAT_SLOTS)
        .execute(Tuple.of(firstPerChat.keySet().toArray(Long[]::new), chatIntervalMicros))
        .map(slots -> {
          Map<Long, Long> free = new LinkedHashMap<>();
          slots.forEach(slot -> free.put(firstPerChat.get(slot.getLong("chat_id")), slot.getLong("chat_id")));
          return free;
        });
  }

  private Future<List<Claimed>> lease(SqlConnection tx, Map<Long, Long> chatOfRow, OffsetDateTime now) {
    List<Tuple> rows = new ArrayList<>();
    chatOfRow.forEach((id, chat) -> rows.add(Tuple.of(id, chat, now.plus(LEASE))));
    return PerRow.execute(tx, LEASE_ROW, rows).map(leased -> leased.stream().map(Claimed::of).toList());
  }
}

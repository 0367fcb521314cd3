package io.kopeck.notify;

import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.SqlConnection;
import io.vertx.sqlclient.Tuple;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.List;

/**
 * The transactional outbox (SPEC §3): a message is written in the same transaction as the change
 * it reports, and sent later by the notification sender. (chat, dedup key) is unique, so a change
 * retried or replayed never queues its message twice.
 */
public final class Outbox {
  private static final String INSERT = """
      INSERT INTO notifications (user_id, chat_id, kind, template, args, dedup_key, created_at, next_attempt_at)
      VALUES ($1, $2, $3, $4, $5::text::jsonb, $6, $7, $7) ON CONFLICT (chat_id, dedup_key) DO NOTHING""";

  private static final String INSERT_RENDERED = """
      INSERT INTO notifications (user_id, chat_id, kind, text, args, dedup_key, sequence, created_at, next_attempt_at)
      VALUES ($1, $1, $2, $3, $4::text::jsonb, $5, $6, $7, $7) ON CONFLICT (chat_id, dedup_key) DO NOTHING""";

  /**
   * A message written out already (a run's output, SPEC §18) rather than from a template: HTML text with
   * optional inline buttons, a document, or an edit of an earlier message. Messages of one
   * {@code sequence} leave in the order they were written; {@code dedupKey} makes writing one twice
   * (a replayed stream) a no-op.
   */
  public record Rendered(long userId, String kind, String text, JsonObject args, String dedupKey, String sequence) {
    /** HTML text; {@code buttons}: rows of {text, callback_data} objects, or null. */
    public static Rendered message(long userId, String kind, String html, JsonArray buttons, String dedupKey,
                                   String sequence) {
      JsonObject args = new JsonObject();
      if (buttons != null) {
        args.put("buttons", buttons);
      }
      return new Rendered(userId, kind, html, args, dedupKey, sequence);
    }

    /** A file sent with sendDocument: {@code content} as UTF-8, under {@code filename}, with an HTML caption. */
    public static Rendered document(long userId, String kind, String filename, String content, String captionHtml,
                                    String dedupKey, String sequence) {
      return new Rendered(userId, kind, content, new JsonObject().put("delivery", "document").put("filename", filename)
          .put("caption", captionHtml), dedupKey, sequence);
    }

    /** The bot's message {@code messageId} in the user's chat, given new HTML text. */
    public static Rendered edit(long userId, String kind, long messageId, String html, String dedupKey,
                                String sequence) {
      return new Rendered(userId, kind, html, new JsonObject().put("delivery", "edit").put("message_id", messageId),
          dedupKey, sequence);
    }
  }

  /** A message about a user: its kind, text template key, template arguments, and dedup key. */
  public record Notice(long userId, String kind, String template, JsonObject args, String dedupKey) {
  }

  private Outbox() {
  }

  /** The user's message in their own chat only. */
  public static Future<Void> toUser(SqlConnection tx, Notice notice, OffsetDateTime now) {
    return toUserAndAdmins(tx, notice, List.of(), now);
  }

  /**
   * The user's message in their own chat, and the admins' version (kind {@code admin_<kind>},
   * template {@code admin.<template>}, plus the user id) in every admin chat.
   */
  public static Future<Void> toUserAndAdmins(SqlConnection tx, Notice notice, List<Long> adminChats,
                                             OffsetDateTime now) {
    return insert(tx, notice.userId(), notice.userId(), notice.kind(), notice.template(), notice.args(),
        notice.dedupKey(), now).compose(v -> toAdmins(tx, notice, adminChats, now));
  }

  /** Only the admins' version of a notice about a user (e.g. a new user). */
  public static Future<Void> toAdmins(SqlConnection tx, Notice notice, List<Long> adminChats, OffsetDateTime now) {
    List<Future<?>> writes = new ArrayList<>();
    JsonObject adminArgs = notice.args().copy().put("user_id", notice.userId());
    for (Long chat : adminChats) {
      writes.add(insert(tx, notice.userId(), chat, "admin_" + notice.kind(), "admin." + notice.template(), adminArgs,
          notice.dedupKey() + ":" + notice.userId(), now));
    }
    return Future.all(writes).mapEmpty();
  }

  /** A message for the admins that concerns no one user (a reconciliation report); its template is used as is. */
  public static Future<Void> aboutNoUser(SqlConnection tx, String kind, String template, JsonObject args, String dedupKey,
                                         List<Long> adminChats, OffsetDateTime now) {
    List<Future<?>> writes = new ArrayList<>();
    for (Long chat : adminChats) {
      writes.add(insert(tx, null, chat, kind, template, args, dedupKey, now));
    }
    return Future.all(writes).mapEmpty();
  }

  /** A rendered message in the user's own chat. */
  public static Future<Void> rendered(SqlClient client, Rendered message, OffsetDateTime now) {
    return client.preparedQuery(INSERT_RENDERED).execute(Tuple.of(message.userId(), message.kind(), message.text(),
        message.args().encode(), message.dedupKey(), message.sequence(), now)).mapEmpty();
  }

  /** Several, in order (one round trip). */
  public static Future<Void> rendered(SqlClient client, List<Rendered> messages, OffsetDateTime now) {
    if (messages.isEmpty()) {
      return Future.succeededFuture();
    }
    return client.preparedQuery(INSERT_RENDERED).executeBatch(messages.stream().map(m -> Tuple.of(m.userId(), m.kind(),
        m.text(), m.args().encode(), m.dedupKey(), m.sequence(), now)).toList()).mapEmpty();
  }

  private static Future<?> insert(SqlConnection tx, Long userId, long chatId, String kind, String template,
                                  JsonObject args, String dedupKey, OffsetDateTime now) {
    return tx.preparedQuery(INSERT).execute(Tuple.of(userId, chatId, kind, template, args.encode(), dedupKey, now));
  }
}

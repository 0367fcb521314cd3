package io.kopeck.audit;

import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.SqlClient;
import io.vertx.sqlclient.Tuple;

/** Appends to audit_log, inside the caller's transaction, so the record commits with the change. */
public final class AuditLog {
  private static final String INSERT = """
      INSERT INTO audit_log (actor_type, actor_id, action, entity_type, entity_id, user_id, old_value, new_value)
      VALUES ($1, $2, $3, $4, $5, $6, $7::text::jsonb, $8::text::jsonb)""";

  /** Who made a change: "admin", "cli", "user", "webhook", "timer" or "system", and an optional id. */
  public record Actor(String type, String id) {
    public static final Actor SYSTEM = new Actor("system", null);
  }

  private AuditLog() {
  }

  public static Future<Void> record(SqlClient tx, Actor actor, String action, String entityType, String entityId,
                                    Long userId, JsonObject oldValue, JsonObject newValue) {
    return tx.preparedQuery(INSERT)
        .execute(Tuple.of(actor.type(), actor.id(), action, entityType, entityId, userId,
            oldValue == null ? null : oldValue.encode(), newValue == null ? null : newValue.encode()))
        .mapEmpty();
  }
}

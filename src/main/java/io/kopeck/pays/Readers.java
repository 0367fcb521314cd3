package io.kopeck.pays;

import java.math.BigDecimal;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.util.List;
import java.util.UUID;

/** Source rows as the importer needs them; an unreadable row is reported and comes back null. */
final class Readers {
  private Readers() {
  }

  static PaysLedger.Source transaction(ResultSet rows, ImportReport report) throws SQLException {
    String id = rows.getString("id");
    String type = rows.getString("type");
    Double delta = (Double) rows.getObject("tokens_delta");
    Double after = (Double) rows.getObject("balance_after");
    OffsetDateTime at = PaysImport.Times.utc(rows, "created_at");
    String problem = type == null || !PaysLedger.TYPES.contains(type) ? "type '" + type + "' is not a pays transaction type"
        : delta == null || after == null ? "tokens_delta or balance_after is NULL"
        : at == null ? "created_at is NULL"
        : Double.isNaN(delta) || Double.isInfinite(delta) ? "tokens_delta is not a number" : null;
    if (problem != null) {
      report.skipped("transactions", id + " of user " + rows.getLong("user_id") + ": " + problem);
      return null;
    }
    return new PaysLedger.Source(UUID.fromString(id), type, delta, after, rows.getString("description"),
        (UUID) rows.getObject("invoice_id"), rows.getString("metadata"), at);
  }

  static UserWriter.Imported user(ResultSet rows, List<PaysLedger.Source> history, ImportReport sink)
      throws SQLException {
    long id = rows.getLong("id");
    Double balance = (Double) rows.getObject("token_balance");
    Boolean blocked = (Boolean) rows.getObject("is_blocked");
    Boolean autoRenew = (Boolean) rows.getObject("auto_renew");
    OffsetDateTime created = PaysImport.Times.utc(rows, "created_at");
    OffsetDateTime updated = PaysImport.Times.utc(rows, "updated_at");
    String problem = balance == null ? "token_balance is NULL"
        : Double.isNaN(balance) || Double.isInfinite(balance) ? "token_balance is not a number"
        : blocked == null || autoRenew == null ? "is_blocked or auto_renew is NULL"
        : created == null || updated == null ? "created_at or updated_at is NULL"
        : id <= 0 ? "the id is not a Telegram user id" : null;
    if (problem != null) {
      sink.skipped("users", id + ": " + problem + " (with its " + history.size() + " transactions)");
      return null;
    }
    return new UserWriter.Imported(id, rows.getString("username"), rows.getString("first_name"),
        rows.getString("last_name"), PaysLedger.tokens(balance), PaysImport.Times.utc(rows, "subscription_end"),
        blocked, autoRenew, (Integer) rows.getObject("last_balance_notification"),
        (Integer) rows.getObject("last_subscription_notification"), created, updated, history);
  }

  static BigDecimal decimal(String text) {
    return text == null ? null : new BigDecimal(text);
  }
}

package io.kopeck.common;

import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.data.Numeric;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.util.UUID;

/** A database row as API JSON: column names as keys, numerics as exact decimal strings, times as ISO-8601 instants. */
public final class RowJson {
  private RowJson() {
  }

  public static JsonObject of(Row row) {
    JsonObject json = new JsonObject();
    for (int i = 0; i < row.size(); i++) {
      Object value = row.getValue(i);
      String column = row.getColumnName(i);
      if (value instanceof OffsetDateTime time) {
        json.put(column, time.toInstant().toString());
      } else if (value instanceof Numeric) {
        json.put(column, row.getBigDecimal(i).toPlainString());
      } else if (value instanceof LocalDate || value instanceof UUID) {
        json.put(column, value.toString());
      } else {
        json.put(column, value);
      }
    }
    return json;
  }
}

package io.kopeck.db;

import io.vertx.core.Future;
import io.vertx.sqlclient.SqlClient;

/**
 * The PostgreSQL versions Kopeck supports: 15 to 17 (README). The oldest is what CI runs on, the newest
 * what the embedded database, compose and Testcontainers run; deploy/test-newest-postgres.sh runs the
 * whole suite on it. A server outside the range still works as far as anyone knows, so it is a warning,
 * not a refusal.
 */
public final class PostgresVersion {
  public static final int OLDEST = 15;
  public static final int NEWEST = 17;

  /** The server's version ("15.14"), and whether it is in the supported range. */
  public record Found(String version, boolean supported) {
  }

  private PostgresVersion() {
  }

  public static Future<Found> read(SqlClient client) {
    return client.query("SELECT current_setting('server_version_num')::int AS num, current_setting('server_version') AS v")
        .execute().map(rows -> {
          var row = rows.iterator().next();
          int major = row.getInteger("num") / 10_000;
          return new Found(row.getString("v"), major >= OLDEST && major <= NEWEST);
        });
  }
}

package io.kopeck.db;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Makes the schema distributed on Citus (SPEC §16) with {@code db/citus/distribute.sql}: user-keyed
 * tables by user id and co-located, the catalog as reference tables, bookkeeping local. Blocking
 * (JDBC), like the migrations it follows.
 */
public final class CitusSchema {
  private static final String SCRIPT = "/db/citus/distribute.sql";

  private CitusSchema() {
  }

  /** Whether the citus extension is installed in the database. */
  public static boolean installed(DatabaseUrl url) {
    try (Connection conn = connect(url); Statement st = conn.createStatement();
         ResultSet rs = st.executeQuery("SELECT 1 FROM pg_extension WHERE extname = 'citus'")) {
      return rs.next();
    } catch (SQLException e) {
      throw new IllegalStateException("Could not read the database's extensions: " + e.getMessage(), e);
    }
  }

  /** Distributes the schema in one transaction; a schema already distributed is left alone. */
  public static void distribute(DatabaseUrl url) {
    try (Connection conn = connect(url); Statement st = conn.createStatement()) {
      conn.setAutoCommit(false);
      st.execute(script());
      conn.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("Could not distribute the schema on Citus: " + e.getMessage(), e);
    }
  }

  private static Connection connect(DatabaseUrl url) throws SQLException {
    return DriverManager.getConnection(url.jdbcUrl(), url.user(), url.password());
  }

  private static String script() {
    try (InputStream in = CitusSchema.class.getResourceAsStream(SCRIPT)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}

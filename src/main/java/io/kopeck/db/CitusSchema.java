package io.kopeck.db;

import io.kopeck.common.Progress;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.LongFunction;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

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
    distribute(url, rows -> Progress.silent());
  }

  /**
   * As {@link #distribute(DatabaseUrl)}, reporting the rows distributed so far to the {@link Progress} made for
   * their total (the CLI: standard error) — the tables move one statement each, the largest taking the time.
   */
  public static void distribute(DatabaseUrl url, LongFunction<Progress> progress) {
    Script script = Script.load();
    try (Connection conn = connect(url); Statement st = conn.createStatement()) {
      conn.setAutoCommit(false);
      if (distributed(st)) {
        conn.rollback();
        return;
      }
      st.execute(script.prepare());
      Map<String, Long> rows = new LinkedHashMap<>();
      for (Map.Entry<String, String> table : script.tables().entrySet()) {
        rows.put(table.getKey(), count(st, table.getKey()));
      }
      Progress pace = progress.apply(rows.values().stream().mapToLong(Long::longValue).sum());
      for (Map.Entry<String, String> table : script.tables().entrySet()) {
        st.execute(table.getValue());
        pace.advance(rows.get(table.getKey()));
      }
      pace.finish();
      st.execute(script.finish());
      conn.commit();
    } catch (SQLException e) {
      throw new IllegalStateException("Could not distribute the schema on Citus: " + e.getMessage(), e);
    }
  }

  private static boolean distributed(Statement st) throws SQLException {
    try (ResultSet rs = st.executeQuery(
        "SELECT 1 FROM pg_dist_partition WHERE logicalrelid = 'public.users'::regclass")) {
      return rs.next();
    }
  }

  private static long count(Statement st, String table) throws SQLException {
    try (ResultSet rs = st.executeQuery("SELECT count(*) FROM " + table)) {
      rs.next();
      return rs.getLong(1);
    }
  }

  /** distribute.sql in its three parts: the prepare block, each table's statement (by table), the finish block. */
  record Script(String prepare, Map<String, String> tables, String finish) {
    private static final Pattern TABLE = Pattern.compile("create_(?:reference|distributed)_table\\('(\\w+)'");

    static Script load() {
      String text = script();
      int tables = text.indexOf("-- @tables");
      int finish = text.indexOf("-- @finish");
      if (text.indexOf("-- @prepare") < 0 || tables < 0 || finish < tables) {
        throw new IllegalStateException(SCRIPT + " lacks its -- @prepare, -- @tables and -- @finish parts");
      }
      Map<String, String> statements = new LinkedHashMap<>();
      for (String line : text.substring(tables, finish).split("\\n")) {
        Matcher table = TABLE.matcher(line);
        if (line.startsWith("SELECT ") && table.find()) {
          statements.put(table.group(1), line);
        }
      }
      return new Script(text.substring(text.indexOf("-- @prepare"), tables), statements, text.substring(finish));
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

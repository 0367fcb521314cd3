package io.kopeck.testsupport;

import io.kopeck.app.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.UUID;
import org.testcontainers.DockerClientFactory;
import org.testcontainers.postgresql.PostgreSQLContainer;

/**
 * A fresh, empty database per test class on one shared PostgreSQL server per test run:
 * {@code TEST_DATABASE_URL} when set, else a Testcontainers PostgreSQL when a Docker engine is
 * reachable, else an embedded PostgreSQL.
 */
public final class TestDatabase implements AutoCloseable {
  private static DatabaseUrl server;

  private final DatabaseUrl url;

  private TestDatabase(DatabaseUrl url) {
    this.url = url;
  }

  /** An empty database (no schema). */
  public static TestDatabase createEmpty() {
    DatabaseUrl admin = server();
    String name = "kopeck_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 16).toLowerCase(Locale.ROOT);
    execute(admin, "CREATE DATABASE " + name);
    return new TestDatabase(admin.withDatabase(name));
  }

  public DatabaseUrl url() {
    return url;
  }

  /** Runs SQL against the shared server's admin database (e.g. to refuse connections to this one). */
  public void executeAsAdmin(String sql) {
    execute(server(), sql);
  }

  @Override
  public void close() {
    execute(server(), "DROP DATABASE IF EXISTS " + url.database() + " WITH (FORCE)");
  }

  private static synchronized DatabaseUrl server() {
    if (server == null) {
      server = startServer();
    }
    return server;
  }

  private static DatabaseUrl startServer() {
    String configured = System.getenv("TEST_DATABASE_URL");
    if (configured != null && !configured.isBlank()) {
      return DatabaseUrl.parse(configured);
    }
    if (dockerAvailable()) {
      PostgreSQLContainer container = new PostgreSQLContainer("postgres:16-alpine");
      container.start();
      return new DatabaseUrl(container.getHost(), container.getMappedPort(5432), container.getDatabaseName(),
          container.getUsername(), container.getPassword(), "disable");
    }
    try {
      EmbeddedPostgres embedded = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
      return new DatabaseUrl("localhost", embedded.getPort(), "postgres", "postgres", "", "disable");
    } catch (IOException e) {
      throw new UncheckedIOException("no TEST_DATABASE_URL, no Docker, and the embedded PostgreSQL failed", e);
    }
  }

  private static boolean dockerAvailable() {
    try {
      return DockerClientFactory.instance().isDockerAvailable();
    } catch (RuntimeException e) {
      return false;
    }
  }

  private static void execute(DatabaseUrl target, String sql) {
    try (Connection connection = DriverManager.getConnection(target.jdbcUrl(), target.user(), target.password());
         Statement statement = connection.createStatement()) {
      statement.execute(sql);
    } catch (SQLException e) {
      throw new IllegalStateException("SQL failed: " + sql + ": " + e.getMessage(), e);
    }
  }
}

package io.kopeck.testsupport;

import io.kopeck.db.DatabaseUrl;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.testcontainers.postgresql.PostgreSQLContainer;
import org.testcontainers.utility.TestcontainersConfiguration;

/**
 * A fresh, empty database per test class on one shared PostgreSQL server per test run:
 * {@code TEST_DATABASE_URL} when set, else a Testcontainers PostgreSQL when a Docker engine answers
 * and has (or can pull, quickly) the images, else an embedded PostgreSQL, with one line saying why.
 */
public final class TestDatabase implements AutoCloseable {
  private static final String POSTGRES_IMAGE = "postgres:17-alpine";
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
    String whyNotDocker = DockerProbe.whyNotUsable(List.of(POSTGRES_IMAGE, ryukImage()));
    if (whyNotDocker == null) {
      PostgreSQLContainer container = new PostgreSQLContainer(POSTGRES_IMAGE);
      container.start();
      return new DatabaseUrl(container.getHost(), container.getMappedPort(5432), container.getDatabaseName(),
          container.getUsername(), container.getPassword(), "disable");
    }
    System.err.println("Test database: embedded PostgreSQL, not Testcontainers: " + whyNotDocker);
    try {
      EmbeddedPostgres embedded = EmbeddedPostgres.builder().setServerConfig("max_connections", "300").start();
      return new DatabaseUrl("localhost", embedded.getPort(), "postgres", "postgres", "", "disable");
    } catch (IOException e) {
      throw new UncheckedIOException("no TEST_DATABASE_URL, no Docker, and the embedded PostgreSQL failed", e);
    }
  }

  /** Ryuk, Testcontainers' reaper, is started first and needs its own image (unless switched off). */
  private static String ryukImage() {
    return "true".equalsIgnoreCase(System.getenv("TESTCONTAINERS_RYUK_DISABLED")) ? null
        : TestcontainersConfiguration.getInstance().getRyukImage();
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

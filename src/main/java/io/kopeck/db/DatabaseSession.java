package io.kopeck.db;

import static net.logstash.logback.argument.StructuredArguments.kv;

import java.nio.file.Path;
import java.util.Optional;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The database this process uses: the configured DATABASE_URL, or an embedded PostgreSQL started
 * for the lifetime of this session. Opening and closing block: call them off the event loop.
 */
public final class DatabaseSession implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(DatabaseSession.class);

  private final DatabaseUrl url;
  private final EmbeddedDatabase embedded;

  private DatabaseSession(DatabaseUrl url, EmbeddedDatabase embedded) {
    this.url = url;
    this.embedded = embedded;
  }

  /**
   * {@code external} when configured (DATABASE_URL), else an embedded PostgreSQL with data in
   * {@code embeddedDir}, started for this session; refused when another running process owns that
   * directory (the server: one process serves a data directory).
   */
  public static DatabaseSession open(Optional<DatabaseUrl> external, Path embeddedDir) {
    if (external.isPresent()) {
      DatabaseUrl url = external.get();
      log.info("Database: external PostgreSQL at {}", kv("database", url.redacted()));
      return new DatabaseSession(url, null);
    }
    EmbeddedDatabase embedded = EmbeddedDatabase.start(embeddedDir);
    log.info("Database: embedded PostgreSQL at {} (data in {})", kv("database", embedded.url().redacted()),
        kv("data_dir", embedded.dataDir().toString()));
    return new DatabaseSession(embedded.url(), embedded);
  }

  /**
   * The same for a one-shot command: when a running process (a server) owns the embedded data
   * directory, the command uses that server's database instead of touching it (SPEC §17).
   */
  public static DatabaseSession openBeside(Optional<DatabaseUrl> external, Path embeddedDir) {
    if (external.isEmpty()) {
      Optional<EmbeddedDatabase.Running> running = EmbeddedDatabase.runningElsewhere(embeddedDir);
      if (running.isPresent() && running.get().port() > 0) {
        log.info("Database: the embedded PostgreSQL of the running Kopeck (pid {}) at {}", running.get().pid(),
            kv("database", running.get().url().redacted()));
        return new DatabaseSession(running.get().url(), null);
      }
    }
    return open(external, embeddedDir);
  }

  /** The pid of the running process that owns the embedded data directory, if one does. */
  public static Optional<Long> embeddedOwner(Path embeddedDir) {
    return EmbeddedDatabase.runningElsewhere(embeddedDir).map(EmbeddedDatabase.Running::pid);
  }

  public DatabaseUrl url() {
    return url;
  }

  @Override
  public void close() {
    if (embedded != null) {
      embedded.close();
    }
  }
}

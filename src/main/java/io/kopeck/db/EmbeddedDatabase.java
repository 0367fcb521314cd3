package io.kopeck.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL (binaries from Maven) run by the service itself when no DATABASE_URL is set.
 * Its data directory survives restarts; it listens on a free port on localhost only.
 * All methods block: call them off the event loop.
 */
final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);

  private final EmbeddedPostgres postgres;
  private final Path dataDir;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDir) {
    this.postgres = postgres;
    this.dataDir = dataDir;
  }

  static EmbeddedDatabase start(Path dataDir) {
    try {
      Files.createDirectories(dataDir);
      stopLeftoverServer(dataDir);
      EmbeddedPostgres postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setPort(freePort())
          .setServerConfig("listen_addresses", "127.0.0.1")
          .setServerConfig("max_connections", "200")
          .setPGStartupWait(Duration.ofSeconds(60))
          .setRegisterShutdownHook(true)
          .start();
      return new EmbeddedDatabase(postgres, dataDir);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDir, e);
    }
  }

  DatabaseUrl url() {
    return new DatabaseUrl("127.0.0.1", postgres.getPort(), "postgres", "postgres", "", "disable");
  }

  Path dataDir() {
    return dataDir;
  }

  @Override
  public void close() {
    try {
      postgres.close();
    } catch (IOException e) {
      log.warn("Embedded PostgreSQL did not stop cleanly: {}", e.getMessage());
    }
  }

  /**
   * A service killed with SIGKILL leaves its PostgreSQL child running on the data directory, and a
   * new server would refuse to start on it. Ask that leftover server to shut down first.
   */
  private static void stopLeftoverServer(Path dataDir) throws IOException {
    Path pidFile = dataDir.resolve("postmaster.pid");
    if (!Files.isRegularFile(pidFile)) {
      return;
    }
    Optional<ProcessHandle> leftover = Files.readAllLines(pidFile).stream().findFirst()
        .map(String::trim)
        .filter(line -> line.matches("\\d+"))
        .flatMap(pid -> ProcessHandle.of(Long.parseLong(pid)))
        .filter(ProcessHandle::isAlive)
        .filter(p -> p.info().command().map(c -> c.contains("postgres")).orElse(false));
    if (leftover.isEmpty()) {
      return;
    }
    ProcessHandle process = leftover.get();
    log.warn("Stopping a PostgreSQL (pid {}) left running on {} by an earlier run", process.pid(), dataDir);
    process.destroy();
    try {
      process.onExit().get(30, TimeUnit.SECONDS);
    } catch (Exception e) {
      process.destroyForcibly();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }
}

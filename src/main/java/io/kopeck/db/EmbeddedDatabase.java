package io.kopeck.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.channels.OverlappingFileLockException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A real PostgreSQL (binaries from Maven) run by the service itself when no DATABASE_URL is set.
 * Its data directory survives restarts; it listens on a free port on localhost only.
 *
 * <p>It holds money, so it runs durable (SPEC §17): the embedding library's test-speed settings
 * (no fsync, asynchronous commit) are overridden. One process owns a data directory at a time: the
 * owner holds an OS file lock beside it ({@code <dir>.lock}, released by the kernel however the
 * process ends), so another command can tell a running server from one left behind by a killed
 * process and never stops the former. The library's own shutdown hook is off: the owner stops the
 * server after its graceful drain, not in parallel with it.
 *
 * <p>All methods block: call them off the event loop.
 */
final class EmbeddedDatabase implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EmbeddedDatabase.class);
  private static final String HOST = "127.0.0.1";
  private static final String SUPERUSER = "postgres";

  private final EmbeddedPostgres postgres;
  private final Path dataDir;
  private final OwnerLock lock;

  private EmbeddedDatabase(EmbeddedPostgres postgres, Path dataDir, OwnerLock lock) {
    this.postgres = postgres;
    this.dataDir = dataDir;
    this.lock = lock;
  }

  /** Starts the server on {@code dataDir}; throws {@link InUse} when a running process owns it. */
  static EmbeddedDatabase start(Path dataDir) {
    OwnerLock lock = OwnerLock.take(dataDir);
    try {
      stopLeftoverServer(dataDir);
      EmbeddedPostgres postgres = EmbeddedPostgres.builder()
          .setDataDirectory(dataDir)
          .setCleanDataDirectory(false)
          .setPort(freePort())
          .setServerConfig("listen_addresses", HOST)
          .setServerConfig("max_connections", "200")
          // An acknowledged charge or payment must survive a crash of the server or of the machine.
          .setServerConfig("fsync", "on")
          .setServerConfig("synchronous_commit", "on")
          .setServerConfig("full_page_writes", "on")
          .setPGStartupWait(Duration.ofSeconds(60))
          .setRegisterShutdownHook(false)
          .start();
      return new EmbeddedDatabase(postgres, dataDir, lock);
    } catch (IOException | RuntimeException e) {
      lock.release();
      throw e instanceof IOException io ? new UncheckedIOException("cannot start the embedded PostgreSQL in " + dataDir, io)
          : (RuntimeException) e;
    }
  }

  /** The server another live process runs on {@code dataDir}, when one does. */
  static Optional<Running> runningElsewhere(Path dataDir) {
    return OwnerLock.owner(dataDir).map(pid -> new Running(pid, serverPort(dataDir)));
  }

  /** A server owned by process {@code pid}, listening on {@code port} (0 while it has not started). */
  record Running(long pid, int port) {
    DatabaseUrl url() {
      return new DatabaseUrl(HOST, port, SUPERUSER, SUPERUSER, "", "disable");
    }
  }

  DatabaseUrl url() {
    return new DatabaseUrl(HOST, postgres.getPort(), SUPERUSER, SUPERUSER, "", "disable");
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
    } finally {
      lock.release();
    }
  }

  /** Refused: another running process owns the data directory (its server must not be touched). */
  static final class InUse extends IllegalStateException {
    InUse(Path dataDir, long pid) {
      super("the embedded PostgreSQL in " + dataDir + " belongs to a running Kopeck (pid " + pid
          + "): stop that one first, or give this one its own DATABASE_URL or EMBEDDED_DB_DIR");
    }
  }

  /**
   * A service killed with SIGKILL leaves its PostgreSQL child running on the data directory, and a
   * new server would refuse to start on it. Only called by the owner of the directory's lock, so the
   * server found is never a live process's: ask it to shut down first.
   */
  private static void stopLeftoverServer(Path dataDir) throws IOException {
    Optional<ProcessHandle> leftover = postmasterLines(dataDir).stream().findFirst()
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

  /** The port in {@code postmaster.pid} (its fourth line), 0 when there is none yet. */
  private static int serverPort(Path dataDir) {
    List<String> lines = postmasterLines(dataDir);
    return lines.size() >= 4 && lines.get(3).trim().matches("\\d{1,5}") ? Integer.parseInt(lines.get(3).trim()) : 0;
  }

  private static List<String> postmasterLines(Path dataDir) {
    try {
      Path pidFile = dataDir.resolve("postmaster.pid");
      return Files.isRegularFile(pidFile) ? Files.readAllLines(pidFile) : List.of();
    } catch (IOException e) {
      return List.of();
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    }
  }

  /** {@code <dataDir>.lock}: held by the owner for as long as it runs, with the owner's pid inside. */
  private static final class OwnerLock {
    private final FileChannel channel;
    private final FileLock lock;

    private OwnerLock(FileChannel channel, FileLock lock) {
      this.channel = channel;
      this.lock = lock;
    }

    static OwnerLock take(Path dataDir) {
      try {
        Files.createDirectories(dataDir);
        FileChannel channel = FileChannel.open(lockFile(dataDir), StandardOpenOption.CREATE, StandardOpenOption.READ,
            StandardOpenOption.WRITE);
        FileLock lock = tryLock(channel);
        if (lock == null) {
          channel.close();
          throw new InUse(dataDir, owner(dataDir).orElse(0L));
        }
        channel.truncate(0);
        channel.write(ByteBuffer.wrap(Long.toString(ProcessHandle.current().pid()).getBytes(StandardCharsets.US_ASCII)),
            0);
        channel.force(false);
        return new OwnerLock(channel, lock);
      } catch (IOException e) {
        throw new UncheckedIOException("cannot lock " + lockFile(dataDir), e);
      }
    }

    /** The pid of the live process holding the lock, if one does. */
    static Optional<Long> owner(Path dataDir) {
      Path file = lockFile(dataDir);
      if (!Files.isRegularFile(file)) {
        return Optional.empty();
      }
      try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ, StandardOpenOption.WRITE)) {
        FileLock probe = tryLock(channel);
        if (probe != null) {
          probe.release();
          return Optional.empty();
        }
        String text = Files.readString(file, StandardCharsets.US_ASCII).trim();
        return Optional.of(text.matches("\\d{1,19}") ? Long.parseLong(text) : 0L);
      } catch (IOException e) {
        return Optional.empty();
      }
    }

    /** Null when another process, or another owner in this JVM (tests), holds it. */
    private static FileLock tryLock(FileChannel channel) throws IOException {
      try {
        return channel.tryLock();
      } catch (OverlappingFileLockException e) {
        return null;
      }
    }

    private static Path lockFile(Path dataDir) {
      Path absolute = dataDir.toAbsolutePath().normalize();
      return absolute.resolveSibling(absolute.getFileName() + ".lock");
    }

    void release() {
      try {
        lock.release();
        channel.close();
      } catch (IOException e) {
        // The kernel drops the lock when the process ends anyway.
      }
    }
  }
}

package io.kopeck.cli;

import io.kopeck.app.Application;
import io.kopeck.config.ConfigException;
import io.kopeck.config.KopeckConfig;
import io.kopeck.db.DatabaseSession;
import java.time.Clock;
import java.util.concurrent.atomic.AtomicBoolean;
import picocli.CommandLine.Command;
import sun.misc.Signal;

@Command(name = "serve", description = "Run the service (the default).")
public final class ServeCommand implements Runnable {

  @Override
  public void run() {
    KopeckConfig config = Cli.config();
    if (config.databaseUrl().isEmpty()) {
      DatabaseSession.embeddedOwner(config.embeddedDbDir()).ifPresent(pid -> {
        throw new ConfigException("EMBEDDED_DB_DIR", config.embeddedDbDir() + " is used by a running Kopeck (pid " + pid
            + "); stop that one first, or give this one its own DATABASE_URL or EMBEDDED_DB_DIR");
      });
    }
    Application app = Application.start(config, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.stop();
      Logs.flush();
      // A SIGTERM that drained cleanly is a normal end, not a signal death (which the JVM reports as
      // 143): orchestrators and `docker stop` should see 0. Everything that needed closing is closed.
      Runtime.getRuntime().halt(0);
    }, "kopeck-shutdown"));
    stopAtOnceOnSecondInterrupt();
  }

  /**
   * The first Ctrl-C drains as SIGTERM does; a second one, while that drain runs, stops at once
   * (exit 130). The JVM's own handler ignores every signal once its shutdown has begun.
   */
  private static void stopAtOnceOnSecondInterrupt() {
    AtomicBoolean interrupted = new AtomicBoolean();
    Signal.handle(new Signal("INT"), signal -> {
      if (interrupted.getAndSet(true)) {
        System.err.println("kopeck: interrupted again, stopping without draining");
        Runtime.getRuntime().halt(130);
      }
      System.exit(130);
    });
  }
}

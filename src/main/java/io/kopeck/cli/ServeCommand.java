package io.kopeck.cli;

import io.kopeck.app.Application;
import io.kopeck.config.KopeckConfig;
import java.time.Clock;
import picocli.CommandLine.Command;

@Command(name = "serve", description = "Run the service (the default).")
public final class ServeCommand implements Runnable {

  @Override
  public void run() {
    KopeckConfig config = Cli.config();
    Application app = Application.start(config, Clock.systemUTC());
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      app.stop();
      Logs.flush();
      // A SIGTERM that drained cleanly is a normal end, not a signal death (which the JVM reports as
      // 143): orchestrators and `docker stop` should see 0. Everything that needed closing is closed.
      Runtime.getRuntime().halt(0);
    }, "kopeck-shutdown"));
  }
}

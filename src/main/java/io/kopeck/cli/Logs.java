package io.kopeck.cli;

import ch.qos.logback.classic.LoggerContext;
import org.slf4j.LoggerFactory;

/**
 * Logging goes through async appenders; stopping the logger context drains their queues. Done as
 * the very last step of a command or of a graceful shutdown — after the lines of the shutdown
 * itself — rather than by a logback shutdown hook that would race the service's own.
 */
public final class Logs {
  private Logs() {
  }

  public static void flush() {
    if (LoggerFactory.getILoggerFactory() instanceof LoggerContext context) {
      context.stop();
    }
  }
}

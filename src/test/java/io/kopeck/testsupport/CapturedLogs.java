package io.kopeck.testsupport;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import io.vertx.core.json.JsonObject;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.function.Predicate;
import net.logstash.logback.encoder.LogstashEncoder;
import org.slf4j.LoggerFactory;

/**
 * Captures what some loggers write at INFO and above (tests run with LOG_LEVEL=WARN), and shows
 * each line as LOG_FORMAT=json would write it, through the same LogstashEncoder.
 */
public final class CapturedLogs implements AutoCloseable {
  private final ListAppender<ILoggingEvent> appender = new ListAppender<>();
  private final LogstashEncoder json = new LogstashEncoder();
  private final List<String> loggers;

  public CapturedLogs(String... loggers) {
    this.loggers = List.of(loggers);
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    appender.setContext(context);
    appender.start();
    json.setContext(context);
    json.start();
    for (String name : this.loggers) {
      context.getLogger(name).setLevel(Level.INFO);
      context.getLogger(name).addAppender(appender);
    }
  }

  /** The first line whose JSON form satisfies {@code filter}, waited for (up to two seconds). */
  public JsonObject line(Predicate<JsonObject> filter) {
    JsonObject line = Eventually.until(() -> find(filter), found -> found != null, 2);
    if (line == null) {
      throw new AssertionError("no such log line in " + appender.list);
    }
    return line;
  }

  /** Every line captured so far, in JSON form. */
  public List<JsonObject> lines() {
    return List.copyOf(appender.list).stream()
        .map(event -> new JsonObject(new String(json.encode(event), StandardCharsets.UTF_8))).toList();
  }

  private JsonObject find(Predicate<JsonObject> filter) {
    for (ILoggingEvent event : List.copyOf(appender.list)) {
      JsonObject line = new JsonObject(new String(json.encode(event), StandardCharsets.UTF_8));
      if (filter.test(line)) {
        return line;
      }
    }
    return null;
  }

  @Override
  public void close() {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    for (String name : loggers) {
      context.getLogger(name).detachAppender(appender);
      context.getLogger(name).setLevel(null);
    }
  }
}

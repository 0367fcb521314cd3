package io.kopeck.logging;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.AsyncAppender;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.LoggingEvent;
import ch.qos.logback.core.OutputStreamAppender;
import ch.qos.logback.core.encoder.Encoder;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** SPEC §17: whatever writes a log line, a bot token in it comes out as bot&lt;masked&gt;, in both formats. */
class LogMaskTest {
  static final String TOKEN = "7123456789:AAHk3vVb2n7_qX-0aZb1cDe2fGh3iJk4lMn";
  /** What Vert.x's web client says when a long poll times out: the URL, token included. */
  static final String TIMEOUT = "The timeout period of 35000ms has been exceeded while executing POST /bot" + TOKEN
      + "/getUpdates for server 127.0.0.1:443";

  /** The encoder of the console appender behind the root logger's async appender of {@code format}. */
  @SuppressWarnings("unchecked")
  private static Encoder<ILoggingEvent> configuredEncoder(String format) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    AsyncAppender async = (AsyncAppender) context.getLogger(Logger.ROOT_LOGGER_NAME).getAppender("async-" + format);
    return ((OutputStreamAppender<ILoggingEvent>) async.getAppender(format)).getEncoder();
  }

  private static String encode(Encoder<ILoggingEvent> encoder, String message, Throwable error) {
    LoggerContext context = (LoggerContext) LoggerFactory.getILoggerFactory();
    LoggingEvent event = new LoggingEvent(LogMaskTest.class.getName(), context.getLogger("io.kopeck.telegram.Poller"),
        Level.WARN, message, error, null);
    return new String(encoder.encode(event), StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("the configured log encoder masks the token in a library's timeout text and in a stack trace")
  void configuredEncoderMasks() {
    Encoder<ILoggingEvent> encoder = configuredEncoder(System.getProperty("LOG_FORMAT", "text"));

    String line = encode(encoder, "Telegram: getUpdates failed, retrying: " + TIMEOUT,
        new IllegalStateException("GET https://api.telegram.org/bot" + TOKEN + "/getMe"));

    assertThat(line).doesNotContain(TOKEN).doesNotContain("AAHk3vVb2n7").contains("/bot<masked>/getUpdates")
        .contains("/bot<masked>/getMe");
  }

  @Test
  @DisplayName("the mask wraps the JSON encoder too, and finds a token bare, in a URL, or with ':' escaped")
  void jsonAndShapes() {
    MaskingEncoder json = new MaskingEncoder();
    net.logstash.logback.encoder.LogstashEncoder logstash = new net.logstash.logback.encoder.LogstashEncoder();
    json.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    logstash.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
    json.setEncoder(logstash);
    json.start();

    String line = encode(json, TIMEOUT, null);

    assertThat(line).doesNotContain(TOKEN).contains("/bot<masked>/getUpdates");
    for (String text : List.of(TOKEN, "token=" + TOKEN.replace(":", "%3A"), "https://x/bot" + TOKEN + "/sendMessage")) {
      assertThat(LogMask.mask(text)).doesNotContain("AAHk3vVb2n7").contains("bot<masked>");
    }
    assertThat(LogMask.mask("update 12345 from chat 678")).isEqualTo("update 12345 from chat 678");
  }

  @Test
  @DisplayName("a configured secret of another shape is masked as well")
  void registeredSecrets() {
    LogMask.hide("robokassa-pass-2-0123456789");

    assertThat(LogMask.mask("signed with robokassa-pass-2-0123456789!")).isEqualTo("signed with <masked>!");
  }
}

package io.kopeck.cli;

import io.kopeck.app.Settings;
import io.kopeck.config.KopeckConfig;
import io.kopeck.i18n.Texts;
import java.util.Locale;

/** Shared start of every command: resolve the configuration, then let logging read it. */
public final class Cli {
  private Cli() {
  }

  /**
   * Loads the configuration before anything touches a logger, so that logback picks up the
   * resolved LOG_FORMAT and LOG_LEVEL, and a bad value is reported as one plain line.
   */
  public static KopeckConfig config() {
    KopeckConfig config = KopeckConfig.load(System.getenv());
    System.setProperty("LOG_FORMAT", config.logFormat());
    System.setProperty("LOG_LEVEL", config.logLevel().toUpperCase(Locale.ROOT));
    Texts.use(Settings.texts(config));
    return config;
  }
}

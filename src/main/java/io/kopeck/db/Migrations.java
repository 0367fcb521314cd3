package io.kopeck.db;

import io.kopeck.common.Progress;
import java.util.function.LongFunction;
import org.flywaydb.core.Flyway;
import org.flywaydb.core.api.MigrationInfo;

/** Flyway over the SQL files in migrations/ (shipped in the jar as db/migration). Blocking: JDBC. */
public final class Migrations {
  private Migrations() {
  }

  /**
   * Applies pending migrations and returns the schema version now in place. Where the citus
   * extension is installed the schema is distributed afterwards (once; SPEC §16).
   */
  public static String migrate(DatabaseUrl url) {
    return migrate(url, rows -> Progress.silent());
  }

  /** As {@link #migrate(DatabaseUrl)}, a distribution reporting its progress ({@code kopeck citus distribute}). */
  public static String migrate(DatabaseUrl url, LongFunction<Progress> distribution) {
    Flyway flyway = configure(url);
    flyway.migrate();
    if (CitusSchema.installed(url)) {
      CitusSchema.distribute(url, distribution);
    }
    MigrationInfo current = flyway.info().current();
    return current == null ? "" : current.getVersion().getVersion();
  }

  private static Flyway configure(DatabaseUrl url) {
    return Flyway.configure()
        .dataSource(url.jdbcUrl(), url.user(), url.password())
        .locations("classpath:db/migration")
        .validateMigrationNaming(true)
        .load();
  }
}

package io.kopeck.cli;

import io.kopeck.config.KopeckConfig;
import io.kopeck.db.DatabaseSession;
import io.kopeck.db.Migrations;
import picocli.CommandLine.Command;

@Command(name = "migrate", description = "Apply pending database migrations and exit (idempotent).")
public final class MigrateCommand implements Runnable {

  @Override
  public void run() {
    KopeckConfig config = Cli.config();
    try (DatabaseSession db = DatabaseSession.openBeside(config.databaseUrl(), config.embeddedDbDir())) {
      String version = Migrations.migrate(db.url());
      System.out.println("Schema is at version " + version + " (" + db.url().redacted() + ")");
    }
  }
}

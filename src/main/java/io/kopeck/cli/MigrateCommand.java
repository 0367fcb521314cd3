package io.kopeck.cli;

import io.kopeck.app.DatabaseSession;
import io.kopeck.app.KopeckConfig;
import io.kopeck.app.Migrations;
import picocli.CommandLine.Command;

@Command(name = "migrate", description = "Apply pending database migrations and exit (idempotent).")
public final class MigrateCommand implements Runnable {

  @Override
  public void run() {
    KopeckConfig config = Cli.config();
    try (DatabaseSession db = DatabaseSession.open(config)) {
      String version = Migrations.migrate(db.url());
      System.out.println("Schema is at version " + version + " (" + db.url().redacted() + ")");
    }
  }
}

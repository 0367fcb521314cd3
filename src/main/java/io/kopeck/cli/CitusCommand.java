package io.kopeck.cli;

import io.kopeck.common.Progress;
import io.kopeck.config.KopeckConfig;
import io.kopeck.db.CitusSchema;
import io.kopeck.db.DatabaseSession;
import io.kopeck.db.Migrations;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "citus", description = "Scale-out on Citus (deploy/citus/README.md).",
    subcommands = CitusCommand.Distribute.class)
public final class CitusCommand implements Runnable {

  @Override
  public void run() {
    System.out.println("Usage: kopeck citus distribute");
  }

  @Command(name = "distribute", description = "Migrate, then distribute the schema on the Citus coordinator that"
      + " DATABASE_URL names (existing rows move to the shards; a distributed schema is left alone).")
  static final class Distribute implements Callable<Integer> {
    @Override
    public Integer call() {
      KopeckConfig config = Cli.config();
      try (DatabaseSession db = DatabaseSession.openBeside(config.databaseUrl(), config.embeddedDbDir())) {
        if (!CitusSchema.installed(db.url())) {
          System.err.println("The citus extension is not installed in " + db.url().redacted()
              + " (CREATE EXTENSION citus on the coordinator and every worker first)");
          return 2;
        }
        String version = Migrations.migrate(db.url(), rows -> Progress.onStandardError("rows distributed", rows));
        System.out.println("Schema at version " + version + ", distributed on Citus (" + db.url().redacted() + ")");
        return 0;
      }
    }
  }
}

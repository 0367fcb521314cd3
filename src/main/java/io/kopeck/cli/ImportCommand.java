package io.kopeck.cli;

import io.kopeck.common.Progress;
import io.kopeck.config.KopeckConfig;
import io.kopeck.db.DatabaseSession;
import io.kopeck.db.DatabaseUrl;
import io.kopeck.db.Migrations;
import io.kopeck.ledger.Violation;
import io.kopeck.pays.ImportReport;
import io.kopeck.pays.PaysImport;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "import", description = "Bring data over from another system.", subcommands = ImportCommand.Pays.class)
public final class ImportCommand implements Runnable {

  @Override
  public void run() {
    System.out.println("Usage: kopeck import pays --from postgres://user:password@host:5432/pays [--dry-run]");
  }

  @Command(name = "pays", description = "Import users, ledgers, tariffs, invoices and promo codes of a pays database"
      + " (docs/migrating-from-pays.md). Safe to run again: nothing is imported twice.")
  static final class Pays implements Callable<Integer> {
    @Option(names = "--from", required = true, description = "the pays database, postgres://…") String from;
    @Option(names = "--dry-run", description = "do everything in one transaction and roll it back") boolean dryRun;

    @Override
    public Integer call() throws Exception {
      KopeckConfig config = Cli.config();
      DatabaseUrl source = DatabaseUrl.parse(from);
      try (DatabaseSession session = DatabaseSession.openBeside(config.databaseUrl(), config.embeddedDbDir())) {
        Migrations.migrate(session.url());
        long started = System.nanoTime();
        ImportReport report = new PaysImport(source, session.url(), dryRun, Clock.systemUTC(), config.balanceFloor(),
            Progress::onStandardError)
            .run();
        System.out.print(report.print());
        System.out.printf("took %.1f s%n", (System.nanoTime() - started) / 1e9);
      }
      if (dryRun) {
        return 0;
      }
      try (CliDatabase db = new CliDatabase(config)) {
        List<Violation> violations = db.run(pool -> db.services().verifier().verify());
        violations.forEach(v -> System.out.println("VIOLATION " + v));
        System.out.println(violations.isEmpty() ? "ledger verify: ok, all invariants hold"
            : "ledger verify: " + violations.size() + " violation(s)");
        return violations.isEmpty() ? 0 : 1;
      }
    }
  }
}

package io.kopeck.cli;

import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.config.KopeckConfig;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "invoices", description = "Invoice maintenance.", subcommands = InvoicesCommand.Expire.class)
public final class InvoicesCommand implements Runnable {

  @Override
  public void run() {
    System.out.println("Usage: kopeck invoices expire [--dry-run] [--ttl-hours N]");
  }

  @Command(name = "expire", description = "Expire pending invoices that are due (the timer does this too).")
  static final class Expire implements Callable<Integer> {
    @Option(names = "--dry-run", description = "only list what would expire") boolean dryRun;
    @Option(names = "--ttl-hours", description = "treat pending invoices older than N hours as due") Integer ttlHours;

    @Override
    public Integer call() {
      KopeckConfig config = Cli.config();
      try (CliDatabase db = new CliDatabase(config)) {
        List<Long> invIds = db.run(pool -> db.services().invoices()
            .expire(new Actor("cli", System.getProperty("user.name")), ttlHours, dryRun));
        System.out.println((dryRun ? "would expire " : "expired ") + invIds.size() + " invoice(s)"
            + (invIds.isEmpty() ? "" : ": " + invIds));
        return 0;
      }
    }
  }
}

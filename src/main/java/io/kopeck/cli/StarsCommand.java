package io.kopeck.cli;

import io.kopeck.config.KopeckConfig;
import io.kopeck.payment.StarsReconciliation;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "stars", description = "Telegram Stars.", subcommands = StarsCommand.Reconcile.class)
public final class StarsCommand implements Runnable {

  @Override
  public void run() {
    System.out.println("Usage: kopeck stars reconcile [--since YYYY-MM-DD] [--apply]");
  }

  @Command(name = "reconcile", description = "Compare Telegram's Star transactions with the payments Kopeck recorded;"
      + " with --apply, credit the missing ones whose payload names an invoice (exactly once).")
  static final class Reconcile implements Callable<Integer> {
    @Option(names = "--since", description = "first day to compare (UTC), default 30 days ago") LocalDate since;
    @Option(names = "--apply", description = "credit unknown payments that name an invoice") boolean apply;

    @Override
    public Integer call() {
      KopeckConfig config = Cli.config();
      try (CliDatabase db = new CliDatabase(config)) {
        StarsReconciliation reconciliation = db.services().payment().starsReconciliation().orElse(null);
        if (reconciliation == null) {
          System.err.println("stars is not among PAYMENT_PROVIDERS");
          return 2;
        }
        LocalDate from = since == null ? LocalDate.now(ZoneOffset.UTC).minusDays(30) : since;
        StarsReconciliation.Report report = db.run(pool -> reconciliation.run(from.atStartOfDay().atOffset(ZoneOffset.UTC),
            apply));
        System.out.println(report.toJson().encodePrettily());
        return report.unknown().size() > report.applied() || !report.missingAtTelegram().isEmpty() ? 1 : 0;
      }
    }
  }
}

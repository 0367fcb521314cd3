package io.kopeck.cli;

import io.kopeck.config.KopeckConfig;
import io.kopeck.ledger.Violation;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "ledger", description = "Ledger maintenance.", subcommands = LedgerCommand.Verify.class)
public final class LedgerCommand implements Runnable {

  @Override
  public void run() {
    System.out.println("Usage: kopeck ledger verify");
  }

  @Command(name = "verify", description = "Check the ledger invariants of every user; exit 1 on any violation.")
  static final class Verify implements Callable<Integer> {

    @Override
    public Integer call() {
      KopeckConfig config = Cli.config();
      try (CliDatabase db = new CliDatabase(config)) {
        List<Violation> violations = db.run(pool -> db.services().verifier().verify());
        violations.forEach(v -> System.out.println("VIOLATION " + v));
        System.out.println(violations.isEmpty() ? "ledger ok: all invariants hold"
            : violations.size() + " violation(s) found");
        return violations.isEmpty() ? 0 : 1;
      }
    }
  }
}

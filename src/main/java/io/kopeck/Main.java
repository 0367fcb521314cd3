package io.kopeck;

import io.kopeck.cli.CitusCommand;
import io.kopeck.cli.ImportCommand;
import io.kopeck.cli.InvoicesCommand;
import io.kopeck.cli.LedgerCommand;
import io.kopeck.cli.Logs;
import io.kopeck.cli.MigrateCommand;
import io.kopeck.cli.PromoCommand;
import io.kopeck.cli.RefundCommand;
import io.kopeck.cli.ServeCommand;
import io.kopeck.cli.StarsCommand;
import io.kopeck.cli.StatsCommand;
import io.kopeck.cli.TariffCommand;
import io.kopeck.cli.TextsCommand;
import io.kopeck.cli.TimersCommand;
import io.kopeck.cli.TrackCommand;
import io.kopeck.cli.UserCommand;
import io.kopeck.config.ConfigException;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/** Entry point: {@code kopeck [serve|migrate|...]}; with no subcommand it serves. */
@Command(name = "kopeck", mixinStandardHelpOptions = true, version = "kopeck 0.1.0",
    description = "Reactive billing service for Telegram bots.",
    subcommands = {ServeCommand.class, MigrateCommand.class, LedgerCommand.class, TariffCommand.class, TrackCommand.class, TextsCommand.class,
        PromoCommand.class, RefundCommand.class, InvoicesCommand.class, ImportCommand.class, StarsCommand.class,
        CitusCommand.class, TimersCommand.class, UserCommand.class, StatsCommand.class})
public final class Main implements Runnable {

  public static void main(String[] args) {
    String[] effective = args.length == 0 ? new String[] {"serve"} : args;
    // Before anything logs: only the service logs to standard output; a command's output is its answer.
    if (System.getProperty("LOG_TARGET") == null) {
      System.setProperty("LOG_TARGET", effective[0].equals("serve") ? "System.out" : "System.err");
    }
    CommandLine cli = new CommandLine(new Main());
    cli.setExecutionExceptionHandler((e, command, parseResult) -> {
      if (e instanceof ConfigException) {
        System.err.println("kopeck: configuration error: " + e.getMessage());
        return 2;
      }
      System.err.println("kopeck: " + e.getMessage());
      return 1;
    });
    int code = cli.execute(effective);
    boolean serving = cli.getParseResult().hasSubcommand()
        && cli.getParseResult().subcommand().commandSpec().userObject() instanceof ServeCommand;
    if (code != 0 || !serving) {
      Logs.flush();
      System.exit(code);
    }
  }

  @Override
  public void run() {
    new CommandLine(this).usage(System.out);
  }
}

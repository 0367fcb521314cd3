package io.kopeck.cli;

import io.kopeck.common.JobSummary;
import io.kopeck.config.KopeckConfig;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;

@Command(name = "timers", description = "The subscription timer's jobs.", subcommands = TimersCommand.RunOnce.class)
public final class TimersCommand implements Runnable {

  @Override
  public void run() {
    System.out.println("Usage: kopeck timers run-once");
  }

  @Command(name = "run-once", description = "Run every timer job once (cron-style operation, debugging).")
  static final class RunOnce implements Callable<Integer> {
    @Override
    public Integer call() {
      KopeckConfig config = Cli.config();
      try (CliDatabase db = new CliDatabase(config)) {
        List<JobSummary> summaries = db.run(pool -> db.services().runTimerJobsOnce());
        summaries.forEach(System.out::println);
        return summaries.stream().allMatch(JobSummary::succeeded) ? 0 : 1;
      }
    }
  }
}

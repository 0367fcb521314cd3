package io.kopeck.cli;

import io.kopeck.config.KopeckConfig;
import io.kopeck.stats.StatsRange;
import io.vertx.core.json.JsonObject;
import java.time.Clock;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

@Command(name = "stats", description = "The admin report: revenue, top-ups, usage by day / track / node, subscriptions.")
public final class StatsCommand implements Callable<Integer> {
  @Option(names = "--from", description = "first day, YYYY-MM-DD in DISPLAY_TIMEZONE (default: 29 days before --to)")
  String from;
  @Option(names = "--to", description = "last day, included (default: today)") String to;

  @Override
  public Integer call() {
    KopeckConfig config = Cli.config();
    StatsRange range = StatsRange.parse(from, to, Clock.systemUTC(), config.displayTimezone());
    try (CliDatabase db = new CliDatabase(config)) {
      JsonObject report = db.run(pool -> db.services().stats().report(range));
      System.out.println(report.encodePrettily());
      return 0;
    }
  }
}

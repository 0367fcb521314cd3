package io.kopeck.cli;

import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.config.KopeckConfig;
import io.vertx.core.json.JsonObject;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "refund", description = "Refund a paid invoice: reverse its tokens and subscription period.")
public final class RefundCommand implements Callable<Integer> {
  @Parameters(index = "0", paramLabel = "INV_ID") long invId;
  @Option(names = "--reason", description = "why, for the audit log") String reason;

  @Override
  public Integer call() {
    KopeckConfig config = Cli.config();
    try (CliDatabase db = new CliDatabase(config)) {
      JsonObject result = db.run(pool -> db.services().refunds()
          .refund(invId, reason, new Actor("cli", System.getProperty("user.name"))));
      System.out.println(result.encodePrettily());
      return 0;
    }
  }
}

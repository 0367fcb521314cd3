package io.kopeck.cli;

import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.config.KopeckConfig;
import io.kopeck.user.Adjustment;
import io.kopeck.user.UserAccounts;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.util.UUID;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "user", description = "One account: show, adjust the balance, block or unblock.",
    subcommands = {UserCommand.Show.class, UserCommand.Adjust.class, UserCommand.Block.class,
        UserCommand.Unblock.class})
public final class UserCommand implements Runnable {
  private static final Actor CLI = new Actor("cli", System.getProperty("user.name"));

  @Override
  public void run() {
    System.out.println("Usage: kopeck user show|adjust|block|unblock <id> (--help for options)");
  }

  @Command(name = "show", description = "Profile, balance, subscription and the last 20 transactions.")
  static final class Show implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "USER_ID") long userId;

    @Override
    public Integer call() {
      return print(accounts -> accounts.show(userId));
    }
  }

  @Command(name = "adjust",
      description = "Credit (positive) or debit (negative) tokens with a reason; idempotent by --key.")
  static final class Adjust implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "USER_ID") long userId;
    @Option(names = "--amount", required = true, description = "tokens, e.g. 50 or -5.5") BigDecimal amount;
    @Option(names = "--reason", required = true, description = "why, for the audit log and the user") String reason;
    @Option(names = "--key", description = "idempotency key; repeat it to retry safely (default: a new one, printed)")
    String key;

    @Override
    public Integer call() {
      String idempotencyKey = key != null ? key : "cli-" + UUID.randomUUID();
      Adjustment adjustment = new Adjustment(amount, reason, idempotencyKey);
      return print(accounts -> accounts.adjust(userId, adjustment, CLI)
          .map(result -> result.put("idempotency_key", idempotencyKey)));
    }
  }

  @Command(name = "block", description = "Block the account: spends refused, can_spend false.")
  static final class Block implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "USER_ID") long userId;

    @Override
    public Integer call() {
      return print(accounts -> accounts.setBlocked(userId, true, CLI));
    }
  }

  @Command(name = "unblock", description = "Unblock the account.")
  static final class Unblock implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "USER_ID") long userId;

    @Override
    public Integer call() {
      return print(accounts -> accounts.setBlocked(userId, false, CLI));
    }
  }

  private static Integer print(Function<UserAccounts, Future<JsonObject>> action) {
    KopeckConfig config = Cli.config();
    try (CliDatabase db = new CliDatabase(config)) {
      JsonObject result = db.run(pool -> action.apply(db.services().accounts()));
      System.out.println(result.encodePrettily());
      return 0;
    }
  }
}

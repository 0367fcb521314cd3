package io.kopeck.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.catalog.PromoCode;
import io.kopeck.catalog.PromoCodes;
import io.kopeck.common.StrictJson;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.function.Function;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "promo", description = "Promo codes.",
    subcommands = {PromoCommand.Create.class, PromoCommand.ListCodes.class, PromoCommand.Show.class,
        PromoCommand.Deactivate.class})
public final class PromoCommand implements Runnable {
  private static final Actor CLI = new Actor("cli", System.getProperty("user.name"));

  @Override
  public void run() {
    System.out.println("Usage: kopeck promo create|list|show|deactivate (--help for options)");
  }

  @Command(name = "create", description = "Add a promo code.")
  static final class Create implements Callable<Integer> {
    @Option(names = "--code", required = true) String code;
    @Option(names = "--type", required = true, description = "percent, fixed, bonus_tokens or trial") String type;
    @Option(names = "--value", description = "percent, roubles off, or bonus tokens (none for trial)") String value;
    @Option(names = "--max-uses") Integer maxUses;
    @Option(names = "--per-user", description = "uses per user (default 1)") Integer perUser;
    @Option(names = "--from", description = "ISO-8601 instant, default now") String from;
    @Option(names = "--until", description = "ISO-8601 instant, default open-ended") String until;
    @Option(names = "--tariff", description = "tariff slug (required for trial)") String tariff;
    @Option(names = "--description", description = "what the code gives, per language: en=Ten percent off (repeatable)")
    Map<String, String> descriptions;

    @Override
    public Integer call() {
      ObjectNode json = StrictJson.newObject().put("code", code).put("discount_type", type);
      put(json, "discount_value", value);
      put(json, "valid_from", from);
      put(json, "valid_until", until);
      put(json, "tariff", tariff);
      if (maxUses != null) {
        json.put("max_uses", maxUses);
      }
      if (perUser != null) {
        json.put("max_uses_per_user", perUser);
      }
      if (descriptions != null) {
        ObjectNode texts = json.putObject("descriptions");
        descriptions.forEach(texts::put);
      }
      return print(promos -> promos.create(json, CLI));
    }

    private static void put(ObjectNode json, String field, String text) {
      if (text != null) {
        json.put(field, text);
      }
    }
  }

  @Command(name = "list", description = "List every promo code.")
  static final class ListCodes implements Callable<Integer> {
    @Override
    public Integer call() {
      try (CliDatabase db = new CliDatabase(Cli.config())) {
        List<PromoCode> codes = db.run(pool -> db.services().promoCodes().list());
        System.out.printf("%-20s %-13s %12s %11s %-6s %-12s%n", "CODE", "TYPE", "VALUE", "USES", "ACTIVE", "TARIFF");
        for (PromoCode p : codes) {
          String uses = p.usesCount() + "/" + (p.maxUses() == null ? "∞" : p.maxUses());
          System.out.printf("%-20s %-13s %12s %11s %-6s %-12s%n", p.code(), p.discountType(),
              p.discountValue().stripTrailingZeros().toPlainString(), uses, p.active(),
              p.tariffSlug() == null ? "-" : p.tariffSlug());
        }
        return 0;
      }
    }
  }

  @Command(name = "show", description = "Show one promo code.")
  static final class Show implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CODE") String code;

    @Override
    public Integer call() {
      return print(promos -> promos.find(code));
    }
  }

  @Command(name = "deactivate", description = "Stop a promo code from being used.")
  static final class Deactivate implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "CODE") String code;

    @Override
    public Integer call() {
      return print(promos -> promos.deactivate(code, CLI));
    }
  }

  private static Integer print(Function<PromoCodes, io.vertx.core.Future<PromoCode>> action) {
    try (CliDatabase db = new CliDatabase(Cli.config())) {
      PromoCode promo = db.run(pool -> action.apply(db.services().promoCodes()));
      System.out.println(promo.toJson().encodePrettily());
      return 0;
    }
  }
}

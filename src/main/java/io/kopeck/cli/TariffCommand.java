package io.kopeck.cli;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.catalog.Tariff;
import io.kopeck.common.StrictJson;
import io.kopeck.config.KopeckConfig;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

@Command(name = "tariff", description = "The tariff catalog.",
    subcommands = {TariffCommand.ListTariffs.class, TariffCommand.Create.class, TariffCommand.Update.class,
        TariffCommand.Deactivate.class})
public final class TariffCommand implements Runnable {
  private static final Actor CLI = new Actor("cli", System.getProperty("user.name"));

  @Override
  public void run() {
    System.out.println("Usage: kopeck tariff list|create|update|deactivate (--help for options)");
  }

  /** Options shared by create and update; absent options are left out of the change. */
  static class Fields {
    @Option(names = "--name") String name;
    @Option(names = "--description") String description;
    @Option(names = "--price", description = "RUB, e.g. 499.00") String price;
    @Option(names = "--tokens") String tokens;
    @Option(names = "--period-unit", description = "hour, day or month") String periodUnit;
    @Option(names = "--period-value") Integer periodValue;
    @Option(names = "--fee", description = "subscription fee in tokens, charged on auto-renew") String fee;
    @Option(names = "--sort") Integer sortOrder;
    @Option(names = "--active", arity = "1") Boolean active;
    @Option(names = "--trial", arity = "1") Boolean trial;
    @Option(names = "--price-stars", description = "whole Telegram Stars; 0 = not sold for Stars") Integer priceStars;
    @Option(names = "--name-in", description = "the name in another language: en=Basic (repeatable)")
    Map<String, String> names;
    @Option(names = "--description-in", description = "the description in another language: en=… (repeatable)")
    Map<String, String> descriptions;

    ObjectNode toJson() {
      ObjectNode json = StrictJson.newObject();
      putText(json, "name", name);
      putText(json, "description", description);
      putText(json, "price", price);
      putText(json, "tokens", tokens);
      putText(json, "period_unit", periodUnit);
      putText(json, "subscription_fee", fee);
      if (periodValue != null) {
        json.put("period_value", periodValue);
      }
      if (sortOrder != null) {
        json.put("sort_order", sortOrder);
      }
      if (active != null) {
        json.put("is_active", active);
      }
      if (trial != null) {
        json.put("is_trial", trial);
      }
      if (names != null) {
        ObjectNode texts = json.putObject("names");
        names.forEach(texts::put);
      }
      if (descriptions != null) {
        ObjectNode texts = json.putObject("descriptions");
        descriptions.forEach(texts::put);
      }
      if (priceStars != null && priceStars == 0) {
        json.putNull("price_stars");
      } else if (priceStars != null) {
        json.put("price_stars", priceStars);
      }
      return json;
    }

    private static void putText(ObjectNode json, String field, String value) {
      if (value != null) {
        json.put(field, value);
      }
    }
  }

  @Command(name = "list", description = "List every tariff, active or not.")
  static final class ListTariffs implements Callable<Integer> {
    @Override
    public Integer call() {
      KopeckConfig config = Cli.config();
      try (CliDatabase db = new CliDatabase(config)) {
        List<Tariff> tariffs = db.run(pool -> db.services().tariffs().list());
        System.out.printf("%-16s %-20s %10s %12s %-10s %10s %-6s %-5s%n", "SLUG", "NAME", "PRICE", "TOKENS", "PERIOD",
            "FEE", "ACTIVE", "TRIAL");
        for (Tariff t : tariffs) {
          System.out.printf("%-16s %-20s %10s %12s %-10s %10s %-6s %-5s%n", t.slug(), t.name(), t.toJson().getString("price"),
              t.toJson().getString("tokens"), t.hasPeriod() ? t.periodValue() + " " + t.periodUnit() : "-",
              t.toJson().getString("subscription_fee"), t.active(), t.trial());
        }
        return 0;
      }
    }
  }

  @Command(name = "create", description = "Add a tariff.")
  static final class Create extends Fields implements Callable<Integer> {
    @Option(names = "--slug", required = true) String slug;

    @Override
    public Integer call() {
      ObjectNode json = toJson().put("slug", slug);
      return print(db -> db.run(pool -> db.services().tariffs().create(json, CLI)));
    }
  }

  @Command(name = "update", description = "Change some fields of a tariff.")
  static final class Update extends Fields implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SLUG") String slug;

    @Override
    public Integer call() {
      return print(db -> db.run(pool -> db.services().tariffs().update(slug, toJson(), CLI)));
    }
  }

  @Command(name = "deactivate", description = "Take a tariff off sale.")
  static final class Deactivate implements Callable<Integer> {
    @Parameters(index = "0", paramLabel = "SLUG") String slug;

    @Override
    public Integer call() {
      return print(db -> db.run(pool -> db.services().tariffs().deactivate(slug, CLI)));
    }
  }

  private static Integer print(java.util.function.Function<CliDatabase, Tariff> change) {
    try (CliDatabase db = new CliDatabase(Cli.config())) {
      System.out.println(change.apply(db).toJson().encodePrettily());
      return 0;
    }
  }
}

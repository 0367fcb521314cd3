package io.kopeck.testsupport;

import io.kopeck.catalog.InvoiceSettings;
import io.kopeck.catalog.Invoices;
import io.kopeck.catalog.PaymentLinks;
import io.kopeck.catalog.PromoCodes;
import io.kopeck.catalog.TariffCatalog;
import io.kopeck.common.BillingRules;
import io.kopeck.events.Events;
import io.kopeck.ledger.Ledger;
import io.kopeck.subscription.NoticeSettings;
import io.kopeck.subscription.SubscriptionJobs;
import io.kopeck.subscription.SubscriptionPeriods;
import io.kopeck.subscription.Subscriptions;
import io.kopeck.subscription.Trials;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.List;

/**
 * Feature services built the way the composition root builds them (one ledger, the owners of the rows
 * they write), for tests that need one with their own clock, settings or payment links.
 */
public final class TestServices {
  private TestServices() {
  }

  public static Invoices invoices(Pool pool, Clock clock, InvoiceSettings settings, List<? extends PaymentLinks> links) {
    return new Invoices(pool, clock, settings, new PromoCodes(pool, clock), ledger(clock), links);
  }

  public static Invoices invoices(Pool pool, Clock clock, InvoiceSettings settings, PaymentLinks... links) {
    return invoices(pool, clock, settings, List.of(links));
  }

  public static Trials trials(Pool pool, Clock clock, BillingRules rules) {
    Ledger ledger = ledger(clock);
    return new Trials(pool, clock, rules, new PromoCodes(pool, clock), new TariffCatalog(pool),
        new SubscriptionPeriods(rules, ledger), ledger);
  }

  public static Subscriptions subscriptions(Pool pool, Clock clock, BillingRules rules) {
    Ledger ledger = ledger(clock);
    return new Subscriptions(pool, clock, rules, ledger, new SubscriptionPeriods(rules, ledger));
  }

  public static SubscriptionJobs subscriptionJobs(Pool pool, Clock clock, BillingRules rules, NoticeSettings notices) {
    Ledger ledger = ledger(clock);
    return new SubscriptionJobs(pool, clock, rules, notices, ledger, new SubscriptionPeriods(rules, ledger),
        Events.none(clock));
  }

  private static Ledger ledger(Clock clock) {
    return new Ledger(clock, Ledgers.FLOOR);
  }
}

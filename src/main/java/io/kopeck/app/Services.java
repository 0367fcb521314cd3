package io.kopeck.app;

import io.kopeck.botapi.BotApi;
import io.kopeck.catalog.Invoices;
import io.kopeck.catalog.PromoCodes;
import io.kopeck.catalog.TariffCatalog;
import io.kopeck.common.BillingRules;
import io.kopeck.common.JobSummary;
import io.kopeck.common.TimerJob;
import io.kopeck.common.Topology;
import io.kopeck.config.KopeckConfig;
import io.kopeck.events.Events;
import io.kopeck.events.WebhookEvents;
import io.kopeck.ledger.Grants;
import io.kopeck.ledger.Holds;
import io.kopeck.ledger.Ledger;
import io.kopeck.ledger.LedgerVerifier;
import io.kopeck.notify.Retention;
import io.kopeck.payment.PaymentProviders;
import io.kopeck.payment.PaymentServices;
import io.kopeck.payment.Payments;
import io.kopeck.payment.Refunds;
import io.kopeck.product.ProductUpdates;
import io.kopeck.stats.Stats;
import io.kopeck.stats.UsageRollup;
import io.kopeck.subscription.SubscriptionJobs;
import io.kopeck.subscription.SubscriptionPeriods;
import io.kopeck.subscription.Subscriptions;
import io.kopeck.subscription.Trials;
import io.kopeck.telegram.BotServices;
import io.kopeck.telegram.Commands;
import io.kopeck.telegram.RatingButtons;
import io.kopeck.track.RunnerClient;
import io.kopeck.track.TrackCatalog;
import io.kopeck.track.TrackRuns;
import io.kopeck.track.TrackServices;
import io.kopeck.user.GrantAccounts;
import io.kopeck.user.UserAccounts;
import io.kopeck.user.Users;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Every feature service, built once from the settings records (the composition root's half that
 * the CLI shares). Services are stateless over the pool, so one of each serves every verticle.
 */
public record Services(TariffCatalog tariffs, PromoCodes promoCodes, Invoices invoices, Trials trials,
                       Subscriptions subscriptions, PaymentServices payment, UserAccounts accounts,
                       Stats stats, LedgerVerifier verifier, Ledger ledger, Holds holds, Users users,
                       TrackCatalog tracks, TrackRuns trackRuns, ProductUpdates productUpdates,
                       GrantAccounts grants, WebhookEvents webhookEvents, List<TimerJob> timerJobs) {

  /**
   * {@code baseUrl}: where Kopeck's own pages are served (the YooKassa return page); {@code topology}:
   * one PostgreSQL or Citus (the ledger locks user rows by a write there).
   */
  public static Services build(KopeckConfig config, Vertx vertx, Pool pool, Clock clock, PaymentProviders providers,
                               String baseUrl, BotApi botApi, Topology topology) {
    BillingRules rules = Settings.billing(config);
    Ledger ledger = new Ledger(clock, rules.balanceFloor(), topology.distributed(), rules.displayTimezone());
    Holds holds = new Holds(pool, clock, ledger);
    Events events = new Events(clock, !config.webhookUrl().isEmpty());
    WebhookEvents webhookEvents = new WebhookEvents(pool, clock);
    GrantAccounts grants = new GrantAccounts(pool, clock, new Grants(ledger), events);
    PromoCodes promoCodes = new PromoCodes(pool, clock);
    TariffCatalog tariffs = new TariffCatalog(pool);
    SubscriptionPeriods periods = new SubscriptionPeriods(rules, ledger);
    Invoices invoices = new Invoices(pool, clock, Settings.invoices(config), promoCodes, ledger, providers.methods());
    PaymentServices payment = PaymentServices.build(vertx, pool, clock, rules,
        new PaymentServices.Owners(ledger, promoCodes, periods, events), providers, botApi, Settings.yooKassa(config, baseUrl));
    Users users = new Users(pool, rules.adminChatIds(), events);
    SubscriptionJobs subscriptionJobs = new SubscriptionJobs(pool, clock, rules, Settings.notices(config), ledger,
        periods, events);
    TrackCatalog tracks = new TrackCatalog(pool, config.costMultiplier(), Commands.BUILT_IN);
    ProductUpdates productUpdates = new ProductUpdates(pool, clock);
    TrackRuns trackRuns = new TrackRuns(vertx, pool, clock, rules, new TrackServices(tracks, ledger, holds, events),
        new RunnerClient(vertx, config.runnerBaseUrl(), config.runnerStreamKey()), config.currency(),
        RatingButtons::forRun);
    return new Services(tariffs, promoCodes, invoices,
        new Trials(pool, clock, rules, promoCodes, tariffs, periods, ledger),
        new Subscriptions(pool, clock, rules, ledger, periods), payment, new UserAccounts(pool, clock, ledger, users),
        new Stats(pool, clock), new LedgerVerifier(pool, rules.balanceFloor(), clock,
            Duration.ofSeconds(config.timerIntervalSeconds())), ledger, holds, users, tracks, trackRuns, productUpdates,
        grants, webhookEvents, timerJobs(subscriptionJobs, rules, pool, clock, invoices, payment, holds, productUpdates,
        grants, webhookEvents));
  }

  /** The one list the timer runs, each job owned by its feature, in this order. */
  private static List<TimerJob> timerJobs(SubscriptionJobs subscriptionJobs, BillingRules rules, Pool pool,
                                          Clock clock, Invoices invoices, PaymentServices payment, Holds holds,
                                          ProductUpdates productUpdates, GrantAccounts grants,
                                          WebhookEvents webhookEvents) {
    List<TimerJob> jobs = new ArrayList<>(subscriptionJobs.jobs());
    jobs.add(invoices.expiryJob());
    jobs.add(holds.expiryJob());
    jobs.add(grants.expiryJob());
    jobs.addAll(payment.jobs());
    jobs.add(new Retention(pool, clock).job());
    jobs.add(productUpdates.retentionJob());
    jobs.add(webhookEvents.retentionJob());
    jobs.add(new UsageRollup(pool, clock, rules.displayTimezone()).job());
    return List.copyOf(jobs);
  }

  public Payments payments() {
    return payment.payments();
  }

  public Refunds refunds() {
    return payment.refunds();
  }

  /** The timer job called {@code name} (tests and operators run one on its own). */
  public TimerJob timerJob(String name) {
    return timerJobs.stream().filter(job -> job.name().equals(name)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no timer job " + name));
  }

  /** Every timer job once, in order ({@code kopeck timers run-once}). */
  public Future<List<JobSummary>> runTimerJobsOnce() {
    return TimerVerticle.runOnce(timerJobs);
  }

  BotServices bot() {
    return new BotServices(tariffs, invoices, trials, promoCodes, subscriptions, stats, accounts, users, payment,
        tracks, trackRuns);
  }
}

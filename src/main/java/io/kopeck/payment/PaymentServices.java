package io.kopeck.payment;

import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.botapi.BotApi;
import io.kopeck.catalog.PromoCodes;
import io.kopeck.common.BillingRules;
import io.kopeck.common.TimerJob;
import io.kopeck.common.Times;
import io.kopeck.events.Events;
import io.kopeck.ledger.Ledger;
import io.kopeck.subscription.SubscriptionPeriods;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.time.Clock;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The payment feature, assembled once: the one payment model ({@link Payments}), refunds with each
 * provider's way of giving money back, and the Stars and YooKassa services when they are enabled,
 * with the timer jobs they need (returning money not credited, re-checking YooKassa, reconciling
 * Stars daily).
 */
public final class PaymentServices {
  private final Payments payments;
  private final Refunds refunds;
  private final StarsPayments stars;
  private final StarsReconciliation starsReconciliation;
  private final PaymentUpdates updates;
  private final YooKassaPayments yooKassa;
  private final List<TimerJob> jobs;
  private final YooKassaClient client;

  private PaymentServices(Payments payments, Refunds refunds, StarsPayments stars, StarsReconciliation reconciliation,
                          PaymentUpdates updates, YooKassaPayments yooKassa, List<TimerJob> jobs,
                          YooKassaClient client) {
    this.payments = payments;
    this.refunds = refunds;
    this.stars = stars;
    this.updates = updates;
    this.starsReconciliation = reconciliation;
    this.yooKassa = yooKassa;
    this.jobs = jobs;
    this.client = client;
  }

  /** What payments write through: the ledger, promo codes' uses, subscription periods, events out (their owners). */
  public record Owners(Ledger ledger, PromoCodes promoCodes, SubscriptionPeriods periods, Events events) {
  }

  /** {@code telegram}: the process's one Bot API client (Stars pays, refunds and reconciles through it). */
  public static PaymentServices build(Vertx vertx, Pool pool, Clock clock, BillingRules rules, Owners owners,
                                      PaymentProviders providers, BotApi telegram, YooKassaSettings yooKassa) {
    Map<String, MoneyBack> moneyBack = new HashMap<>();
    BotApi bot = providers.has(StarsPayments.NAME) ? telegram : null;
    YooKassaClient client = providers.has(YooKassaPayments.NAME)
        ? new YooKassaClient(vertx, yooKassa.apiUrl(), yooKassa.shopId(), yooKassa.secretKey()) : null;
    if (bot != null) {
      moneyBack.put(StarsPayments.NAME, new StarsMoneyBack(bot));
    }
    if (client != null) {
      moneyBack.put(YooKassaPayments.NAME, new YooKassaMoneyBack(client));
    }
    Payments payments = new Payments(pool, clock, rules, providers, owners.ledger(), owners.promoCodes(),
        owners.periods(), owners.events());
    Refunds refunds = new Refunds(pool, clock, rules, owners.ledger(), owners.periods(), owners.events(), moneyBack);
    StarsPayments stars = bot == null ? null : new StarsPayments(pool, bot, payments, refunds, owners.periods());
    StarsReconciliation reconciliation = bot == null ? null
        : new StarsReconciliation(pool, clock, bot, stars, rules);
    YooKassaPayments yoo = client == null ? null
        : new YooKassaPayments(pool, clock, client, yooKassa, payments, refunds);
    PaymentUpdates updates = new PaymentUpdates(pool, clock, Optional.ofNullable(stars));
    List<TimerJob> jobs = new ArrayList<>();
    jobs.add(updates.retryJob());
    if (stars != null) {
      jobs.add(returnJob(refunds, StarsPayments.NAME, clock));
      jobs.add(reconciliation.dailyJob());
    }
    if (yoo != null) {
      jobs.add(yoo.recheckJob());
    }
    return new PaymentServices(payments, refunds, stars, reconciliation, updates, yoo, List.copyOf(jobs), client);
  }

  public Payments payments() {
    return payments;
  }

  public Refunds refunds() {
    return refunds;
  }

  /** Present when stars is among PAYMENT_PROVIDERS. */
  public Optional<StarsPayments> stars() {
    return Optional.ofNullable(stars);
  }

  /** Payments that arrive as Telegram updates, kept until recorded. */
  public PaymentUpdates updates() {
    return updates;
  }

  public Optional<StarsReconciliation> starsReconciliation() {
    return Optional.ofNullable(starsReconciliation);
  }

  /** Present when yookassa is among PAYMENT_PROVIDERS. */
  public Optional<YooKassaPayments> yooKassa() {
    return Optional.ofNullable(yooKassa);
  }

  /** The timer jobs of the enabled providers. */
  public List<TimerJob> jobs() {
    return jobs;
  }

  /** Closes the provider clients (their connection pools); the Bot API client is the root's to close. */
  public void close() {
    if (client != null) {
      client.close();
    }
  }

  /** Money not credited goes back; a return Telegram did not take is tried again five minutes later. */
  private static TimerJob returnJob(Refunds refunds, String provider, Clock clock) {
    Actor timer = new Actor("timer", provider);
    return TimerJob.counting(provider + "-returns", "returned",
        () -> refunds.returnDue(provider, Times.utcNow(clock).minusMinutes(5), timer));
  }
}

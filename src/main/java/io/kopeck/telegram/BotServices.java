package io.kopeck.telegram;

import io.kopeck.catalog.Invoices;
import io.kopeck.catalog.PromoCodes;
import io.kopeck.catalog.TariffCatalog;
import io.kopeck.payment.PaymentServices;
import io.kopeck.stats.Stats;
import io.kopeck.subscription.Subscriptions;
import io.kopeck.subscription.Trials;
import io.kopeck.track.TrackCatalog;
import io.kopeck.track.TrackRuns;
import io.kopeck.user.UserAccounts;
import io.kopeck.user.Users;

/** The feature services the bot's screens call, built once by the composition root. */
public record BotServices(TariffCatalog tariffs, Invoices invoices, Trials trials, PromoCodes promoCodes,
                          Subscriptions subscriptions, Stats stats, UserAccounts accounts, Users users,
                          PaymentServices payment, TrackCatalog tracks, TrackRuns trackRuns) {
}

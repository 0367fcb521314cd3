package io.kopeck.app;

import io.kopeck.botapi.BotApi;
import io.kopeck.catalog.InvoiceSettings;
import io.kopeck.catalog.PaymentLinks;
import io.kopeck.common.BillingRules;
import io.kopeck.common.Topology;
import io.kopeck.config.ConfigException;
import io.kopeck.config.KopeckConfig;
import io.kopeck.i18n.TextBook;
import io.kopeck.ledger.EngineSettings;
import io.kopeck.notify.SenderSettings;
import io.kopeck.payment.MockProvider;
import io.kopeck.payment.PaymentProviders;
import io.kopeck.payment.RobokassaProvider;
import io.kopeck.payment.StarsPayments;
import io.kopeck.payment.YooKassaPayments;
import io.kopeck.payment.YooKassaSettings;
import io.kopeck.subscription.NoticeSettings;
import io.kopeck.telegram.BotSettings;
import io.kopeck.usage.RunFollowerVerticle;
import io.kopeck.usage.UsageSettings;
import io.kopeck.web.ClientAddress;
import io.kopeck.web.HttpSettings;
import io.kopeck.web.LegalPages;
import io.vertx.core.Vertx;
import io.vertx.sqlclient.Pool;
import java.io.UncheckedIOException;
import java.time.Clock;
import java.time.Duration;
import java.util.Set;

/**
 * The one place that reads the whole configuration and hands each part the small record it needs
 * (no class below {@code app} receives {@link KopeckConfig}). Used by the composition root, the CLI
 * and tests that build a single service.
 */
public final class Settings {
  private Settings() {
  }

  public static BillingRules billing(KopeckConfig config) {
    return new BillingRules(config.balanceFloor(), config.displayTimezone(), config.adminChatIds(),
        config.topupActivatesSubscription(), config.defaultTariff(),
        config.bonusTokensTtlDays() == 0 ? null : Duration.ofDays(config.bonusTokensTtlDays()));
  }

  public static InvoiceSettings invoices(KopeckConfig config) {
    return new InvoiceSettings(config.defaultTariff(), config.invoiceIdempotencyMinutes(), config.invoiceTtlHours(),
        config.minTopupRub(), config.maxTopupRub(), config.tokensPerRub(), config.minTopupStars(),
        config.maxTopupStars(), config.tokensPerStar(), config.starsSubscriptions(),
        config.maxPendingInvoicesPerUser());
  }

  public static NoticeSettings notices(KopeckConfig config) {
    return new NoticeSettings(config.subscriptionNotifyDays(), config.lowBalanceThresholds());
  }

  public static SenderSettings sender(KopeckConfig config) {
    return new SenderSettings(config.telegramApiUrl(), config.telegramBotToken(), config.telegramRateGlobal(),
        config.telegramRatePerChat(), config.displayTimezone());
  }

  /** {@code baseUrl}: where this service's own pages are (the legal pages the bot links to). */
  /**
   * The texts the bot speaks (SPEC §20): the jar's, the owner's files in TEXTS_DIR over them, "Kopeck"
   * named BOT_NAME. A file with a key the bot does not have or other placeholders stops the process.
   */
  public static TextBook texts(KopeckConfig config) {
    try {
      return TextBook.load(config.textsDir(), config.botName(), Set.copyOf(config.botCommands()));
    } catch (IllegalArgumentException | UncheckedIOException e) {
      throw new ConfigException("TEXTS_DIR", e.getMessage());
    }
  }

  public static BotSettings bot(KopeckConfig config, String baseUrl) {
    return new BotSettings(config.telegramApiUrl(), config.telegramBotToken(), config.publicBaseUrl(),
        config.telegramWebhookSecret(), config.adminChatIds(), config.supportUsername(), config.displayTimezone(),
        config.minTopupRub(), config.maxTopupRub(), LegalPages.link(config.legalOfferUrl(), baseUrl, "offer"),
        LegalPages.link(config.legalPrivacyUrl(), baseUrl, "privacy"), config.telegramMode(), config.devConsole(),
        config.botCommands());
  }

  public static UsageSettings usage(KopeckConfig config) {
    return new UsageSettings(config.currency(), config.displayTimezone(), config.maxBodyBytes(),
        config.requireSubscription(), config.streamIdleTimeoutSeconds());
  }

  public static RunFollowerVerticle.Settings runnerStreams(KopeckConfig config) {
    return new RunFollowerVerticle.Settings(config.runnerBaseUrl(), config.runnerStreamKey(),
        config.runnerStreamMaxRetries(), config.runnerStreamLeaseSeconds(), config.runnerStreamBackoffMs(),
        config.runnerStreamIdleSeconds());
  }

  static HttpSettings http(KopeckConfig config, int port) {
    return new HttpSettings(port, config.maxBodyBytes(), config.shutdownTimeoutSeconds(),
        config.httpReadTimeoutSeconds(), config.httpMaxConnections(), config.httpMaxConnectionsPerIp(),
        clientAddress(config), config.accessLog());
  }

  /**
   * The process's one Bot API client: as many calls in flight as the sender may make in two seconds
   * (at least 8), so a slow round trip never caps it below TELEGRAM_RATE_GLOBAL.
   */
  public static BotApi botApi(KopeckConfig config, Vertx vertx) {
    return BotApi.create(vertx, config.telegramApiUrl(), config.telegramBotToken(),
        Math.max(8, 2 * config.telegramRateGlobal()));
  }

  /** Who sent a request: the peer, or behind TRUSTED_PROXIES the client they name. */
  static ClientAddress clientAddress(KopeckConfig config) {
    return new ClientAddress(config.trustedProxies());
  }

  static EngineSettings engine(KopeckConfig config, Pool pool, Clock clock, Topology topology) {
    return new EngineSettings(pool, clock, config.displayTimezone(), config.costMultiplier(), config.balanceFloor(),
        config.requireSubscription(), config.billingLanes(), config.billingLanesParallelAt(),
        config.billingBatchMaxSize(), config.billingBatchMaxDelayMs(), topology);
  }

  /** The enabled providers (PAYMENT_PROVIDERS); the mock's pages are served at {@code baseUrl}/mock-payment. */
  public static PaymentProviders paymentProviders(KopeckConfig config, String baseUrl) {
    return PaymentProviders.of(config.paymentProviders().stream()
        .map(name -> provider(name, config, baseUrl)).toList());
  }

  /** One enabled payment method, configured: robokassa, mock, stars or yookassa. */
  public static PaymentLinks provider(String name, KopeckConfig config, String baseUrl) {
    return switch (name) {
      case "robokassa" -> RobokassaProvider.of(config.robokassaMerchantLogin(), config.robokassaPassword1(),
          config.robokassaPassword2(), config.robokassaHash(), config.robokassaIsTest(), config.robokassaReceiptTax());
      case StarsPayments.NAME -> StarsPayments.METHOD;
      case YooKassaPayments.NAME -> YooKassaPayments.METHOD;
      default -> MockProvider.of(config.mockMerchantLogin(), config.mockPassword1(), config.mockPassword2(),
          config.robokassaHash(), baseUrl);
    };
  }

  /** The YooKassa shop; the payer comes back to {@code baseUrl}/payments/yookassa/return. */
  public static YooKassaSettings yooKassa(KopeckConfig config, String baseUrl) {
    return new YooKassaSettings(config.yookassaShopId(), config.yookassaSecretKey(), config.yookassaApiUrl(),
        config.yookassaAllowedIps(), config.yookassaVatCode(), baseUrl + "/payments/yookassa/return");
  }
}

package io.kopeck.app;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.kopeck.admin.AdminApi;
import io.kopeck.admin.WebhookDeliveriesApi;
import io.kopeck.botapi.BotApi;
import io.kopeck.catalog.CatalogAdminApi;
import io.kopeck.catalog.DefaultCatalog;
import io.kopeck.catalog.TariffCatalog;
import io.kopeck.common.ConfFile;
import io.kopeck.common.StrictJson;
import io.kopeck.common.Topology;
import io.kopeck.config.KopeckConfig;
import io.kopeck.db.DatabaseSession;
import io.kopeck.db.Migrations;
import io.kopeck.db.PostgresVersion;
import io.kopeck.devconsole.DemoRunner;
import io.kopeck.devconsole.DevConsole;
import io.kopeck.events.WebhookSenderVerticle;
import io.kopeck.i18n.Texts;
import io.kopeck.ledger.BillingEngineVerticle;
import io.kopeck.ledger.EngineMetrics;
import io.kopeck.notify.NotifierVerticle;
import io.kopeck.notify.RunCostMessages;
import io.kopeck.payment.MockPaymentPages;
import io.kopeck.payment.PaymentAdminApi;
import io.kopeck.payment.PaymentApi;
import io.kopeck.payment.PaymentLinksApi;
import io.kopeck.payment.PaymentProviders;
import io.kopeck.payment.RobokassaCallbacks;
import io.kopeck.payment.RunnerPaymentLinks;
import io.kopeck.payment.StarsCheckout;
import io.kopeck.payment.YooKassaApi;
import io.kopeck.product.ForwarderVerticle;
import io.kopeck.stats.StatsAdminApi;
import io.kopeck.telegram.CheckoutVerticle;
import io.kopeck.telegram.PollerVerticle;
import io.kopeck.telegram.TelegramVerticle;
import io.kopeck.telegram.TelegramWebhook;
import io.kopeck.telegram.UpdateRouting;
import io.kopeck.track.TracksAdminApi;
import io.kopeck.usage.HoldsApi;
import io.kopeck.usage.RunFollowerVerticle;
import io.kopeck.usage.RunnerAccess;
import io.kopeck.usage.RunsApi;
import io.kopeck.usage.UsageApi;
import io.kopeck.user.UserAdminApi;
import io.kopeck.web.BearerAuth;
import io.kopeck.web.ConnectionCounts;
import io.kopeck.web.HttpRoutes;
import io.kopeck.web.HttpServerVerticle;
import io.kopeck.web.HttpSettings;
import io.kopeck.web.LegalPages;
import io.kopeck.web.MetricsRoute;
import io.kopeck.web.OpenApiRoute;
import io.kopeck.web.Readiness;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.config.MeterFilter;
import io.micrometer.core.instrument.distribution.DistributionStatisticConfig;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.net.NetClientOptions;
import io.vertx.ext.web.client.WebClient;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.pgclient.PgBuilder;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.PoolOptions;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns the start-up order (config → database → migrations → pool → verticles → HTTP) and the
 * reverse order on shutdown. Used by {@code kopeck serve} and by the integration tests.
 */
public final class Application {
  private static final Logger log = LoggerFactory.getLogger(Application.class);

  private final KopeckConfig config;
  private final Clock clock;
  private final Vertx vertx;
  private final PrometheusMeterRegistry registry;
  private DatabaseSession database;
  private Pool pool;
  /** Two connections of their own for answering Telegram's pre-checkout queries ahead of any queue. */
  private Pool checkoutPool;
  private Topology topology;
  private Services services;
  /** Which updates are Kopeck's and which the owner's product's (SPEC §20). */
  private UpdateRouting routing;
  /** The Robokassa-protocol result callbacks (Robokassa and the mock), shared by every HTTP verticle instance. */
  private RobokassaCallbacks callbacks;
  private Readiness readiness;
  private final RunnerAccess runnerAccess;
  /** The one Bot API client of the process (its own connection pool, sized for the sender's rate). */
  private final BotApi botApi;
  private final List<ObjectNode> defaultTariffs;
  private final List<ObjectNode> defaultTracks;
  private final PaymentProviders paymentProviders;
  private final String baseUrl;
  private final LegalPages.Pages legalPages;
  private final DevConsole.State devConsoleState = new DevConsole.State();
  private final DemoRunner.Tasks demoTasks = new DemoRunner.Tasks();
  private String httpDeployment;
  private RunCostMessages runCosts;
  private String engineDeployment;
  private final int httpPort;

  private Application(KopeckConfig configured, Clock clock) {
    configured.checkServable();
    this.httpPort = configured.httpPort() == 0 ? freePort() : configured.httpPort();
    // With the developer console the bot talks to this process's own recording Bot API (SPEC §15).
    this.config = configured.forDevConsole(httpPort);
    KopeckConfig config = this.config;
    Texts.use(Settings.texts(config));
    this.clock = clock;
    this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    // Buckets for HTTP response times and pool waits, so dashboards can show their p99.
    registry.config().meterFilter(new MeterFilter() {
      @Override
      public DistributionStatisticConfig configure(Meter.Id id, DistributionStatisticConfig config) {
        String name = id.getName();
        return name.startsWith("vertx.http.server.response.time") || name.startsWith("vertx.pool.queue.time")
            ? DistributionStatisticConfig.builder().percentilesHistogram(true).build().merge(config) : config;
      }
    });
    this.vertx = Vertx.builder().with(new VertxOptions().setMetricsOptions(metricsOptions()))
        .withMetrics(new MicrometerMetricsFactory(registry)).build();
    this.runnerAccess = RunnerAccess.of(config.runnerApiKeys(), config.runnerRateLimit());
    this.botApi = Settings.botApi(config, vertx);
    this.defaultTariffs = DefaultCatalog.load();
    this.defaultTracks = ConfFile.objects("tracks.json");
    this.baseUrl = config.publicBaseUrl().isEmpty() ? "http://localhost:" + httpPort : config.publicBaseUrl();
    this.paymentProviders = Settings.paymentProviders(config, baseUrl);
    this.legalPages = LegalPages.load(config.legalOfferUrl(), config.legalPrivacyUrl());
  }

  /**
   * Vert.x meters into this application's own registry (several applications in one JVM, as in
   * tests, never mix), with the matched route as a label but never the raw path.
   */
  private static MicrometerMetricsOptions metricsOptions() {
    return new MicrometerMetricsOptions().setEnabled(true).setJvmMetricsEnabled(true)
        .addLabels(Label.HTTP_ROUTE, Label.HTTP_CODE, Label.HTTP_METHOD, Label.POOL_TYPE, Label.POOL_NAME);
  }

  /** Starts everything; blocks the calling thread (never an event loop) until ready or failed. */
  public static Application start(KopeckConfig config, Clock clock) {
    Application app = new Application(config, clock);
    try {
      app.startAsync().toCompletionStage().toCompletableFuture().get(5, TimeUnit.MINUTES);
      return app;
    } catch (Exception e) {
      app.stop();
      throw new IllegalStateException("Kopeck failed to start: " + rootMessage(e), e);
    }
  }

  private Future<Void> startAsync() {
    long started = System.nanoTime();
    log.info("Configuration (secrets masked): {}", config.describe());
    warnAboutTestSettings();
    return vertx.executeBlocking(() -> database = DatabaseSession.open(config.databaseUrl(), config.embeddedDbDir()))
        .compose(db -> vertx.executeBlocking(() -> Migrations.migrate(db.url())))
        .compose(schemaVersion -> {
          pool = createPool();
          readiness = new Readiness(pool, schemaVersion);
          readiness.export(vertx, registry, 10_000);
          log.info("Schema at version {}", schemaVersion);
          return PostgresVersion.read(pool).compose(found -> {
            if (found.supported()) {
              log.info("PostgreSQL {}", found.version());
            } else {
              log.warn("PostgreSQL {} is outside the supported range {} to {}", found.version(), PostgresVersion.OLDEST,
                  PostgresVersion.NEWEST);
            }
            return Topology.read(pool);
          });
        })
        .compose(read -> {
          topology = read;
          log.info("Database topology: {}", topology);
          services = Services.build(config, vertx, pool, clock, paymentProviders, baseUrl, botApi, topology);
          routing = new UpdateRouting(pool, clock, services.tracks(), !config.productWebhookUrl().isEmpty());
          callbacks = new RobokassaCallbacks(paymentProviders, services.payments(), registry);
          return seedCatalog();
        })
        .compose(seeded -> config.devConsole() ? seedDemoPromoCodes() : Future.succeededFuture())
        .compose(seeded -> {
          runCosts = new RunCostMessages(pool, topology, clock, config.costMessageWindowMs());
          return vertx.deployVerticle(runCosts);
        })
        .compose(costs -> vertx.deployVerticle(new BillingEngineVerticle(Settings.engine(config, pool, clock, topology),
            new EngineMetrics(registry), runCosts)))
        .map(engine -> engineDeployment = engine)
        .compose(engine -> vertx.deployVerticle(
            new TelegramVerticle(pool, Settings.bot(config, baseUrl), clock, services.bot(), botApi, registry)))
        .compose(telegram -> {
          checkoutPool = createPool("kopeck-checkout", 2);
          return vertx.deployVerticle(new CheckoutVerticle(new StarsCheckout(checkoutPool, clock),
              Settings.bot(config, baseUrl), services.payment().stars().isPresent(), botApi));
        })
        .compose(checkout -> !config.telegramMode().equals("polling") ? Future.succeededFuture()
            : vertx.deployVerticle(new PollerVerticle(pool, Settings.bot(config, baseUrl), botApi, registry, routing,
                clock)))
        .compose(poller -> config.runnerBaseUrl().isEmpty() ? Future.succeededFuture()
            : vertx.deployVerticle(new RunFollowerVerticle(pool, Settings.runnerStreams(config), config.currency(),
                services.tracks(), services.trackRuns().events())))
        .compose(follower -> config.productWebhookUrl().isEmpty() ? Future.succeededFuture()
            : vertx.deployVerticle(new ForwarderVerticle(services.productUpdates(), new ForwarderVerticle.Settings(
                config.productWebhookUrl(), config.productWebhookSecret()), botApi, registry)))
        .compose(forwarder -> config.webhookUrl().isEmpty() ? Future.succeededFuture()
            : vertx.deployVerticle(new WebhookSenderVerticle(services.webhookEvents(), new WebhookSenderVerticle.Settings(
                config.webhookUrl(), config.webhookSigningSecret()), clock, registry)))
        .compose(webhooks -> vertx.deployVerticle(new NotifierVerticle(pool, clock, Settings.sender(config), botApi,
            chatId -> services.users().setBotBlocked(chatId, true), registry)))
        .compose(notifier -> vertx.deployVerticle(new TimerVerticle(services.timerJobs(),
            config.timerIntervalSeconds() * 1000L, registry)))
        .compose(engine -> deployHttp())
        .map(id -> {
          httpDeployment = id;
          readiness.markDeployed();
          log.info("Kopeck ready on port {} in {} ms", httpPort, (System.nanoTime() - started) / 1_000_000);
          if (config.devConsole()) {
            log.info("Developer console: open http://localhost:{}/dev", httpPort);
          }
          return null;
        });
  }

  /**
   * First start: the default tariffs of conf/tariffs.json and the tracks of conf/tracks.json (in console
   * mode with none defined, the demo track); an existing catalog is left as it is.
   */
  private Future<Integer> seedCatalog() {
    TariffCatalog catalog = services.tariffs();
    List<ObjectNode> tracks = config.devConsole() && defaultTracks.isEmpty() ? List.of(DemoRunner.track())
        : defaultTracks;
    return services.tracks().seedIfEmpty(tracks).onSuccess(seeded -> {
      if (seeded > 0) {
        log.info("Tracks: seeded {} from {}", seeded, defaultTracks.isEmpty() ? "the console's demo" : "conf/tracks.json");
      }
    })
        // Loaded before the first charge arrives: an event naming a track is charged at its multiplier from the start.
        .compose(v -> services.tracks().list())
        .compose(v -> catalog.seedIfEmpty(defaultTariffs)).compose(seeded -> catalog.list().map(tariffs -> {
      log.info(seeded > 0 ? "Catalog: seeded {} default tariffs" : "Catalog: {} tariffs, defaults not applied",
          seeded > 0 ? seeded : tariffs.size());
      if (tariffs.stream().noneMatch(t -> t.slug().equals(config.defaultTariff()))) {
        log.warn("DEFAULT_TARIFF '{}' is not in the catalog: custom top-ups and renewals after a trial will fail",
            config.defaultTariff());
      }
      return seeded;
    }));
  }

  /** Console mode, first start: promo codes to try (a discount, bonus tokens, the trial), none if any exist. */
  private Future<Void> seedDemoPromoCodes() {
    return services.promoCodes().seedIfEmpty(DevConsole.DEMO_PROMO_CODES.stream().map(StrictJson::readObject).toList())
        .onSuccess(made -> {
          if (made > 0) {
            log.info("Console: demo promo codes DEMO10 (10% off), BONUS50 (50 bonus tokens) and TRIAL (the trial tariff)");
          }
        }).mapEmpty();
  }

  private Pool createPool() {
    return createPool("kopeck", config.dbPoolSize());
  }

  private Pool createPool(String name, int size) {
    return PgBuilder.pool()
        .with(new PoolOptions().setMaxSize(size).setName(name).setShared(true)
            .setMaxWaitQueueSize(100_000).setConnectionTimeout(10).setConnectionTimeoutUnit(TimeUnit.SECONDS))
        .with(new NetClientOptions().setConnectTimeout(5_000))
        .connectingTo(database.url().toConnectOptions())
        .using(vertx)
        .build();
  }

  private Future<String> deployHttp() {
    HttpSettings http = Settings.http(config, httpPort);
    int instances = Math.max(1, Runtime.getRuntime().availableProcessors());
    ConnectionCounts connections = new ConnectionCounts();
    return vertx.deployVerticle(() -> new HttpServerVerticle(http, readiness, this::routes, connections,
        UsageApi::isStream), new DeploymentOptions().setInstances(instances));
  }

  /** Feature routes; each HTTP verticle instance gets its own handler objects. */
  private List<HttpRoutes> routes() {
    List<HttpRoutes> routes = new java.util.ArrayList<>(List.of(
        new UsageApi(vertx, pool, Settings.usage(config), clock, runnerAccess, services.tracks()),
        new RunsApi(pool, !config.runnerBaseUrl().isEmpty(), config.maxBodyBytes()),
        new HoldsApi(services.holds()),
        new AdminApi(new BearerAuth(List.of(config.adminApiKey())), services.verifier(), config.maxBodyBytes()),
        new CatalogAdminApi(services.tariffs(), services.promoCodes()),
        new TracksAdminApi(services.tracks()),
        new PaymentApi(callbacks),
        new PaymentLinksApi(new RunnerPaymentLinks(pool, services.invoices(), services.payment())),
        new PaymentAdminApi(pool, services.refunds(), registry),
        new TelegramWebhook(List.of(config.telegramWebhookSecret(), config.devConsoleWebhookSecret()), pool,
            vertx.eventBus(), registry, routing, clock),
        new UserAdminApi(services.accounts(), services.grants()),
        new WebhookDeliveriesApi(services.webhookEvents()),
        new StatsAdminApi(services.stats(), clock, config.displayTimezone()),
        new MetricsRoute(registry, config.metricsBearerToken(), config.publicDeployment()
            ? Settings.clientAddress(config) : null), new LegalPages(legalPages), new OpenApiRoute()));
    if (config.devConsole()) {
      routes.add(new DevConsole(pool, devConsoleState, config.devConsoleWebhookSecret(), config.devConsoleRunnerKey(),
          config.adminChatIds(), config.minTopupRub()));
    }
    if (config.devConsoleDemoRunner(httpPort)) {
      routes.add(new DemoRunner(demoTasks, config.runnerStreamKey()));
    }
    services.payment().yooKassa().ifPresent(yooKassa ->
        routes.add(new YooKassaApi(yooKassa, config.yookassaAllowedIps(), Settings.clientAddress(config), registry)));
    paymentProviders.mock().ifPresent(mock ->
        routes.add(new MockPaymentPages(mock, WebClient.create(vertx), httpPort, pool)));
    return routes;
  }

  /** SPEC §11: whenever the mock can take payments, the log says so; generated secrets are named, never shown. */
  private void warnAboutTestSettings() {
    if (paymentProviders.mock().isEmpty()) {
      return;
    }
    // In console mode (a laptop, SPEC §15) the mock is the point, so it is said without a warning.
    String line = "The mock payment provider is ON: anyone who opens its page can pay any invoice without money."
        + " Payment providers: {}";
    if (config.devConsole()) {
      log.info(line, paymentProviders.names());
    } else {
      log.warn(line, paymentProviders.names());
    }
    for (String name : config.generatedSecrets()) {
      log.info("{} was not set: generated a random one for this process (set it when several instances share"
          + " the mock's pages)", name);
    }
  }

  /**
   * Graceful stop: /ready turns 503, the HTTP server stops accepting and drains in-flight requests
   * (bounded by SHUTDOWN_TIMEOUT_SECONDS), the other verticles stop, then the pool and the
   * embedded database. Blocks the calling thread.
   */
  public void stop() {
    log.info("Stopping Kopeck");
    if (readiness != null) {
      readiness.markStopping();
    }
    long timeout = config.shutdownTimeoutSeconds() + 10L;
    try {
      Future<Void> http = httpDeployment == null ? Future.succeededFuture() : vertx.undeploy(httpDeployment);
      // The engine writes its queue first, so the cost messages of its last charges are still queued.
      http.recover(e -> Future.succeededFuture())
          .compose(v -> engineDeployment == null ? Future.succeededFuture() : vertx.undeploy(engineDeployment))
          .recover(e -> Future.succeededFuture())
          .compose(v -> Future.join(vertx.deploymentIDs().stream().map(vertx::undeploy).toList()))
          .recover(e -> Future.succeededFuture())
          .compose(v -> pool == null ? Future.succeededFuture() : pool.close())
          .compose(v -> checkoutPool == null ? Future.succeededFuture() : checkoutPool.close())
          .toCompletionStage().toCompletableFuture().get(timeout, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Draining did not complete cleanly: {}", rootMessage(e));
    }
    if (services != null) {
      services.payment().close();
    }
    botApi.close();
    try {
      // Waited for from this thread: a continuation on a Vert.x context would outlive its event loop.
      vertx.close().toCompletionStage().toCompletableFuture().get(timeout, TimeUnit.SECONDS);
    } catch (Exception e) {
      log.warn("Vert.x did not close cleanly: {}", rootMessage(e));
    } finally {
      if (database != null) {
        database.close();
      }
    }
    log.info("Kopeck stopped");
  }

  /** The feature services this instance runs (tests drive timer jobs and reconciliation through them). */
  public Services services() {
    return services;
  }

  public int httpPort() {
    return httpPort;
  }

  /** The configuration this instance runs with (generated secrets included; tests sign with them). */
  public KopeckConfig config() {
    return config;
  }

  public Pool pool() {
    return pool;
  }

  private static int freePort() {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  static String rootMessage(Throwable e) {
    Throwable root = e;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
  }
}

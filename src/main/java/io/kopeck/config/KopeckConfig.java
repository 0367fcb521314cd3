package io.kopeck.config;

import io.kopeck.common.Cidr;
import io.kopeck.db.DatabaseUrl;
import io.kopeck.logging.LogMask;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.ZoneId;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The resolved configuration: defaults from {@code conf/kopeck.json}, each overridden by the
 * environment variable of the same name (SPEC §10). Parsing is strict: a bad value stops start-up
 * with a {@link ConfigException} naming the variable.
 */
public final class KopeckConfig {


  /** Secrets that may be left unset: each process then makes up its own, never printed. */
  private static final List<String> GENERATED_WHEN_EMPTY = List.of("MOCK_PASSWORD_1", "MOCK_PASSWORD_2");
  private static final SecureRandom RANDOM = new SecureRandom();

  private final Map<String, String> raw;
  private final Map<String, Object> values;
  private final List<String> generated;

  private KopeckConfig(Map<String, String> raw, Map<String, Object> values, List<String> generated) {
    this.raw = Map.copyOf(raw);
    this.values = Map.copyOf(values);
    this.generated = List.copyOf(generated);
  }

  /** Loads defaults from the conf file ({@code KOPECK_CONF}, else ./conf/kopeck.json, else the bundled copy). */
  public static KopeckConfig load(Map<String, String> env) {
    return fromDefaults(Variables.defaults(env.get("KOPECK_CONF")), env);
  }

  static KopeckConfig fromDefaults(Map<String, String> defaults, Map<String, String> env) {
    Map<String, String> merged = new HashMap<>();
    Map<String, Object> values = new HashMap<>();
    List<String> generated = new ArrayList<>();
    for (Setting setting : Variables.ALL) {
      String fromFile = fromFile(setting.name(), env);
      String text = fromFile != null ? fromFile
          : env.containsKey(setting.name()) ? env.get(setting.name()) : defaults.get(setting.name());
      if (text == null) {
        throw new ConfigException(setting.name(), "has no value and no default in conf/kopeck.json");
      }
      if (text.isBlank() && GENERATED_WHEN_EMPTY.contains(setting.name())) {
        text = randomSecret();
        generated.add(setting.name());
      }
      merged.put(setting.name(), text);
      values.put(setting.name(), setting.parse(text));
    }
    KopeckConfig config = new KopeckConfig(merged, values, generated);
    config.checkCombinations();
    config.hideSecretsFromLogs();
    return config;
  }

  /**
   * {@code NAME_FILE}: the value of NAME read from that file (Docker and Kubernetes secrets), without its
   * trailing line break; null when NAME_FILE is not set. Setting both is refused: which one wins would
   * be a guess.
   */
  private static String fromFile(String name, Map<String, String> env) {
    String path = env.get(name + "_FILE");
    if (path == null || path.isBlank()) {
      return null;
    }
    if (env.containsKey(name)) {
      throw new ConfigException(name + "_FILE", "is set next to " + name + ": set one of them");
    }
    try {
      return Files.readString(Path.of(path), StandardCharsets.UTF_8).replaceAll("[\\r\\n]+$", "");
    } catch (IOException | RuntimeException e) {
      throw new ConfigException(name + "_FILE", "names a file that cannot be read (" + path + "): "
          + e.getClass().getSimpleName());
    }
  }

  /** A copy with some variables replaced, parsed and checked the same way (tests, benchmark). */
  public KopeckConfig with(Map<String, String> overrides) {
    return fromDefaults(raw, overrides);
  }

  private static String randomSecret() {
    byte[] bytes = new byte[24];
    RANDOM.nextBytes(bytes);
    return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
  }

  /** Names of the secrets this process made up because they were unset (for one start-up line). */
  public List<String> generatedSecrets() {
    return generated;
  }

  /**
   * The rule of SPEC §11 that only {@code serve} enforces (other commands never take payments):
   * the mock provider, which lets anyone pay themselves, never meets real users by accident.
   */
  public void checkServable() {
    if (string("DEV_CONSOLE").equals("true") && httpsBaseUrl()) {
      throw new ConfigException("DEV_CONSOLE", "is true while PUBLIC_BASE_URL is https: the console speaks as any user;"
          + " it is for a laptop, never for a public address");
    }
    if (!paymentProviders().contains("mock") || allowMockPayments()) {
      return;
    }
    String exposure = !telegramBotToken().isEmpty() ? "TELEGRAM_BOT_TOKEN is set"
        : httpsBaseUrl() ? "PUBLIC_BASE_URL is https" : null;
    if (exposure != null) {
      throw new ConfigException("PAYMENT_PROVIDERS", "includes mock while " + exposure
          + ": anyone could pay themselves; set ALLOW_MOCK_PAYMENTS=true only for a demo");
    }
  }

  /** The bot token the developer console runs the bot with: its calls go to Kopeck's own recording Bot API. */
  public static final String DEV_CONSOLE_TOKEN = "0:dev-console";
  /** The admin chat the console shows when ADMIN_CHAT_IDS is empty. */
  public static final String DEV_CONSOLE_ADMIN_CHAT = "1000";

  /**
   * Whether the developer console (/dev) is served (SPEC §15, §17): never with a real bot token;
   * DEV_CONSOLE=true or false when set; unset, only with the embedded database (the README's first
   * command) and nothing that says the deployment is public: no https PUBLIC_BASE_URL, no real
   * payment provider (robokassa, yookassa) configured.
   */
  public boolean devConsole() {
    String token = telegramBotToken();
    if (token.equals(DEV_CONSOLE_TOKEN)) {
      return true;
    }
    if (!token.isEmpty()) {
      return false;
    }
    String setting = string("DEV_CONSOLE");
    if (!setting.isEmpty()) {
      return setting.equals("true");
    }
    boolean realProvider = paymentProviders().contains("robokassa") || paymentProviders().contains("yookassa");
    return databaseUrl().isEmpty() && !httpsBaseUrl() && !realProvider;
  }

  private boolean httpsBaseUrl() {
    return publicBaseUrl().regionMatches(true, 0, "https://", 0, 8);
  }

  /** A deployment that faces the internet: PUBLIC_BASE_URL is https. */
  public boolean publicDeployment() {
    return httpsBaseUrl();
  }

  /**
   * With the console on, the configuration the service runs with: the bot talks to
   * {@code http://127.0.0.1:<port>/dev/botapi} with the console's token (webhook mode, no webhook
   * registered), a webhook secret and a Runner key made up for this process (the page is given
   * both; the webhook also takes an operator's own TELEGRAM_WEBHOOK_SECRET, which is never handed to
   * the page, nor are their Runner keys), an admin chat when none is configured, Stars next to the configured provider when
   * PAYMENT_PROVIDERS is unset, and the mock allowed (nothing real is reachable).
   */
  public KopeckConfig forDevConsole(int port) {
    if (!devConsole() || telegramBotToken().equals(DEV_CONSOLE_TOKEN)) {
      return this;
    }
    Map<String, String> overrides = new HashMap<>();
    overrides.put("TELEGRAM_BOT_TOKEN", DEV_CONSOLE_TOKEN);
    overrides.put("TELEGRAM_API_URL", "http://127.0.0.1:" + port + "/dev/botapi");
    overrides.put("TELEGRAM_MODE", "webhook");
    overrides.put("ALLOW_MOCK_PAYMENTS", "true");
    // Made up once and kept in the data directory, so that an open page survives a restart.
    ConsoleSecrets kept = ConsoleSecrets.load(embeddedDbDir().toAbsolutePath().normalize().resolveSibling(
        ConsoleSecrets.FILE), List.of("webhook_secret", "runner_key", "stream_key", "mock_password_1",
        "mock_password_2"), KopeckConfig::randomSecret);
    // The page's own secret: an operator's TELEGRAM_WEBHOOK_SECRET is kept for their own callers, never given out.
    String pageSecret = string("DEV_CONSOLE_WEBHOOK_SECRET").isEmpty() ? kept.get("webhook_secret")
        : string("DEV_CONSOLE_WEBHOOK_SECRET");
    if (generated.contains("MOCK_PASSWORD_1") && generated.contains("MOCK_PASSWORD_2")) {
      overrides.put("MOCK_PASSWORD_1", kept.get("mock_password_1"));
      overrides.put("MOCK_PASSWORD_2", kept.get("mock_password_2"));
    }
    overrides.put("DEV_CONSOLE_WEBHOOK_SECRET", pageSecret);
    if (telegramWebhookSecret().isEmpty()) {
      overrides.put("TELEGRAM_WEBHOOK_SECRET", pageSecret);
    }
    if (adminChatIds().isEmpty()) {
      overrides.put("ADMIN_CHAT_IDS", DEV_CONSOLE_ADMIN_CHAT);
    }
    if (list("PAYMENT_PROVIDERS").isEmpty()) {
      overrides.put("PAYMENT_PROVIDERS", string("PAYMENT_PROVIDER") + ",stars"); // both ways to pay, to try
    }
    if (runnerBaseUrl().isEmpty()) {
      // The console's own demo Runner (SPEC §18), so that the first minute shows a whole priced run.
      overrides.put("RUNNER_BASE_URL", demoRunnerUrl(port));
      overrides.put("RUNNER_STREAM_KEY", "dev-stream-" + kept.get("stream_key"));
    }
    List<String> keys = new ArrayList<>(runnerApiKeys());
    keys.add("dev-runner-" + kept.get("runner_key"));
    overrides.put("RUNNER_API_KEYS", String.join(",", keys));
    return with(overrides);
  }

  /** Whether the Runner is the console's demo Runner (console mode without a RUNNER_BASE_URL of the operator's). */
  public boolean devConsoleDemoRunner(int port) {
    return devConsole() && runnerBaseUrl().equals(demoRunnerUrl(port));
  }

  private static String demoRunnerUrl(int port) {
    return "http://127.0.0.1:" + port + "/dev/runner";
  }

  /** The webhook secret the console's page posts with (the one {@link #forDevConsole} made up); empty without the console. */
  public String devConsoleWebhookSecret() {
    return devConsole() ? string("DEV_CONSOLE_WEBHOOK_SECRET") : "";
  }

  /** The Runner key the console's page uses (the one {@link #forDevConsole} made up). */
  public String devConsoleRunnerKey() {
    return runnerApiKeys().stream().filter(k -> k.startsWith("dev-runner-")).findFirst().orElse("");
  }

  private void checkCombinations() {
    if (paymentProviders().contains("robokassa")) {
      for (String name : List.of("ROBOKASSA_MERCHANT_LOGIN", "ROBOKASSA_PASSWORD_1", "ROBOKASSA_PASSWORD_2")) {
        if (string(name).isEmpty()) {
          throw new ConfigException(name, "is required when robokassa is a payment provider");
        }
      }
    }
    if (paymentProviders().contains("yookassa")) {
      for (String name : List.of("YOOKASSA_SHOP_ID", "YOOKASSA_SECRET_KEY")) {
        if (string(name).isEmpty()) {
          throw new ConfigException(name, "is required when yookassa is a payment provider");
        }
      }
    }
    if (maxTopupStars() < minTopupStars()) {
      throw new ConfigException("MAX_TOPUP_STARS", "must not be below MIN_TOPUP_STARS");
    }
    if (maxTopupRub().compareTo(minTopupRub()) < 0) {
      throw new ConfigException("MAX_TOPUP_RUB", "must not be below MIN_TOPUP_RUB");
    }
    if (!productWebhookUrl().isEmpty() && productWebhookSecret().isEmpty()) {
      throw new ConfigException("PRODUCT_WEBHOOK_SECRET", "is required with PRODUCT_WEBHOOK_URL (at least 16 characters, "
          + "sent as X-Kopeck-Secret so the product knows the updates come from Kopeck)");
    }
    if (!webhookUrl().isEmpty() && webhookSigningSecret().length() < 32) {
      throw new ConfigException("WEBHOOK_SIGNING_SECRET", "is required with WEBHOOK_URL, at least 32 characters (every "
          + "event is signed with it: Kopeck-Signature)");
    }
    if (telegramMode().equals("webhook") && telegramWebhookSecret().isEmpty()) {
      throw new ConfigException("TELEGRAM_WEBHOOK_SECRET", "is required when TELEGRAM_BOT_TOKEN is set (webhook mode)");
    }
  }

  /** Every secret's value is masked in every log line from now on (SPEC §17), whatever logs it. */
  private void hideSecretsFromLogs() {
    for (Setting setting : Variables.ALL) {
      Object value = values.get(setting.name());
      if (setting.secret() && value instanceof String text) {
        LogMask.hide(text);
      } else if (setting.secret() && value instanceof List<?> list) {
        list.forEach(item -> LogMask.hide(String.valueOf(item)));
      }
    }
  }

  /** Every setting with secrets masked, for the start-up log line. */
  public Map<String, String> describe() {
    Map<String, String> shown = new LinkedHashMap<>();
    for (Setting setting : Variables.ALL) {
      Object value = values.get(setting.name());
      boolean empty = value instanceof String s && s.isEmpty() || value instanceof List<?> l && l.isEmpty();
      String text = setting.secret() && !empty ? "****" : String.valueOf(value);
      if (value instanceof DatabaseUrl url) {
        text = url.redacted();
      }
      shown.put(setting.name(), text);
    }
    return shown;
  }

  private String string(String name) {
    return (String) values.get(name);
  }

  private int integer(String name) {
    return (Integer) values.get(name);
  }

  private BigDecimal decimal(String name) {
    return (BigDecimal) values.get(name);
  }

  @SuppressWarnings("unchecked")
  private <T> List<T> list(String name) {
    return (List<T>) values.get(name);
  }

  public int httpPort() { return integer("HTTP_PORT"); }
  public int maxBodyBytes() { return integer("HTTP_MAX_BODY_BYTES"); }
  public int shutdownTimeoutSeconds() { return integer("SHUTDOWN_TIMEOUT_SECONDS"); }
  public int httpReadTimeoutSeconds() { return integer("HTTP_READ_TIMEOUT_SECONDS"); }
  public int streamIdleTimeoutSeconds() { return integer("STREAM_IDLE_TIMEOUT_SECONDS"); }
  public int httpMaxConnections() { return integer("HTTP_MAX_CONNECTIONS"); }
  public int httpMaxConnectionsPerIp() { return integer("HTTP_MAX_CONNECTIONS_PER_IP"); }
  /** Proxies whose X-Forwarded-For is believed (SPEC §17); empty = the peer is the client. */
  @SuppressWarnings("unchecked")
  public List<Cidr> trustedProxies() { return (List<Cidr>) values.get("TRUSTED_PROXIES"); }

  /** The external database, or empty to start the embedded one. */
  public Optional<DatabaseUrl> databaseUrl() {
    return values.get("DATABASE_URL") instanceof DatabaseUrl url ? Optional.of(url) : Optional.empty();
  }

  public int dbPoolSize() { return integer("DB_POOL_SIZE"); }
  public Path embeddedDbDir() { return Path.of(string("EMBEDDED_DB_DIR")); }
  public String telegramBotToken() { return string("TELEGRAM_BOT_TOKEN"); }
  public String telegramWebhookSecret() { return string("TELEGRAM_WEBHOOK_SECRET"); }
  public String publicBaseUrl() { return string("PUBLIC_BASE_URL"); }
  public String telegramApiUrl() { return string("TELEGRAM_API_URL"); }
  public List<Long> adminChatIds() { return list("ADMIN_CHAT_IDS"); }
  public String supportUsername() { return string("SUPPORT_USERNAME"); }
  /** The bot's name in every text, where the built-in texts say "Kopeck" (SPEC §20). */
  public String botName() { return string("BOT_NAME"); }
  /** Where the owner's texts files are ({@code <lang>.properties}); a missing directory means none. */
  public Path textsDir() { return Path.of(string("TEXTS_DIR")); }
  /** The commands Telegram's menu shows, in order; empty = the bot's own choice (start, the tracks, the rest). */
  public List<String> botCommands() { return list("BOT_COMMANDS"); }
  /** Where updates Kopeck does not handle go (SPEC §20); empty = nowhere, Kopeck answers everything itself. */
  public String productWebhookUrl() { return string("PRODUCT_WEBHOOK_URL"); }
  public String productWebhookSecret() { return string("PRODUCT_WEBHOOK_SECRET"); }
  public String webhookUrl() { return string("WEBHOOK_URL"); }
  public String webhookSigningSecret() { return string("WEBHOOK_SIGNING_SECRET"); }
  /** Days a promo's bonus tokens or a trial's tokens last, as an expiring grant; 0 = they never expire. */
  public int bonusTokensTtlDays() { return integer("BONUS_TOKENS_TTL_DAYS"); }
  public int telegramRateGlobal() { return integer("TELEGRAM_RATE_GLOBAL"); }
  public int telegramRatePerChat() { return integer("TELEGRAM_RATE_PER_CHAT"); }
  public int costMessageWindowMs() { return integer("COST_MESSAGE_WINDOW_MS"); }
  /** PAYMENT_PROVIDERS, or the one PAYMENT_PROVIDER when that list is empty; the first makes new invoices. */
  public List<String> paymentProviders() {
    List<String> list = list("PAYMENT_PROVIDERS");
    return list.isEmpty() ? List.of(string("PAYMENT_PROVIDER")) : list;
  }

  public boolean allowMockPayments() { return (Boolean) values.get("ALLOW_MOCK_PAYMENTS"); }
  public String robokassaMerchantLogin() { return string("ROBOKASSA_MERCHANT_LOGIN"); }
  public String robokassaPassword1() { return string("ROBOKASSA_PASSWORD_1"); }
  public String robokassaPassword2() { return string("ROBOKASSA_PASSWORD_2"); }
  public String robokassaHash() { return string("ROBOKASSA_HASH"); }
  public boolean robokassaIsTest() { return (Boolean) values.get("ROBOKASSA_IS_TEST"); }
  /** The 54-FZ receipt's tax code; empty = send no Receipt. */
  public String robokassaReceiptTax() { return string("ROBOKASSA_RECEIPT_TAX"); }
  public String mockMerchantLogin() { return string("MOCK_MERCHANT_LOGIN"); }
  public String mockPassword1() { return string("MOCK_PASSWORD_1"); }
  public String mockPassword2() { return string("MOCK_PASSWORD_2"); }
  public BigDecimal tokensPerStar() { return decimal("TOKENS_PER_STAR"); }
  public int minTopupStars() { return integer("MIN_TOPUP_STARS"); }
  public int maxTopupStars() { return integer("MAX_TOPUP_STARS"); }
  public boolean starsSubscriptions() { return (Boolean) values.get("STARS_SUBSCRIPTIONS"); }
  public String yookassaShopId() { return string("YOOKASSA_SHOP_ID"); }
  public String yookassaSecretKey() { return string("YOOKASSA_SECRET_KEY"); }
  public String yookassaApiUrl() { return string("YOOKASSA_API_URL"); }
  @SuppressWarnings("unchecked")
  public List<Cidr> yookassaAllowedIps() { return (List<Cidr>) values.get("YOOKASSA_ALLOWED_IPS"); }
  /** YooKassa's VAT code of the 54-FZ receipt; empty = send no receipt. */
  public String yookassaVatCode() { return string("YOOKASSA_VAT_CODE"); }
  public List<String> runnerApiKeys() { return list("RUNNER_API_KEYS"); }
  public int runnerRateLimit() { return integer("RUNNER_RATE_LIMIT"); }
  public String runnerBaseUrl() { return string("RUNNER_BASE_URL"); }
  public String runnerStreamKey() { return string("RUNNER_STREAM_KEY"); }
  public int runnerStreamMaxRetries() { return integer("RUNNER_STREAM_MAX_RETRIES"); }
  public int runnerStreamLeaseSeconds() { return integer("RUNNER_STREAM_LEASE_SECONDS"); }
  public int runnerStreamBackoffMs() { return integer("RUNNER_STREAM_BACKOFF_MS"); }
  public int runnerStreamIdleSeconds() { return integer("RUNNER_STREAM_IDLE_SECONDS"); }
  public String adminApiKey() { return string("ADMIN_API_KEY"); }
  public String metricsBearerToken() { return string("METRICS_BEARER_TOKEN"); }
  public BigDecimal costMultiplier() { return decimal("COST_MULTIPLIER"); }
  public String currency() { return string("CURRENCY").toUpperCase(java.util.Locale.ROOT); }
  public BigDecimal balanceFloor() { return decimal("BALANCE_FLOOR"); }
  public boolean requireSubscription() { return (Boolean) values.get("REQUIRE_SUBSCRIPTION"); }
  /** LOW_BALANCE_THRESHOLDS, or the one LOW_BALANCE_THRESHOLD when that list is empty; highest first. */
  public List<BigDecimal> lowBalanceThresholds() {
    List<BigDecimal> tiers = list("LOW_BALANCE_THRESHOLDS");
    List<BigDecimal> chosen = tiers.isEmpty() ? List.of(decimal("LOW_BALANCE_THRESHOLD")) : tiers;
    return chosen.stream().distinct().sorted(Comparator.reverseOrder()).toList();
  }
  public BigDecimal minTopupRub() { return decimal("MIN_TOPUP_RUB"); }
  public BigDecimal maxTopupRub() { return decimal("MAX_TOPUP_RUB"); }
  public BigDecimal tokensPerRub() { return decimal("TOKENS_PER_RUB"); }
  public String defaultTariff() { return string("DEFAULT_TARIFF"); }
  public boolean topupActivatesSubscription() { return (Boolean) values.get("TOPUP_ACTIVATES_SUBSCRIPTION"); }
  public String legalOfferUrl() { return string("LEGAL_OFFER_URL"); }
  public String legalPrivacyUrl() { return string("LEGAL_PRIVACY_URL"); }

  /**
   * TELEGRAM_MODE, or when empty: webhook with an https PUBLIC_BASE_URL, else polling when a bot
   * token is set (a laptop without a public address), else offline ("").
   */
  public String telegramMode() {
    String mode = string("TELEGRAM_MODE");
    if (!mode.isEmpty() || telegramBotToken().isEmpty()) {
      return telegramBotToken().isEmpty() ? "" : mode;
    }
    return httpsBaseUrl() ? "webhook" : "polling";
  }
  public int invoiceTtlHours() { return integer("INVOICE_TTL_HOURS"); }
  public int invoiceIdempotencyMinutes() { return integer("INVOICE_IDEMPOTENCY_MINUTES"); }
  public int maxPendingInvoicesPerUser() { return integer("MAX_PENDING_INVOICES_PER_USER"); }
  public List<Integer> subscriptionNotifyDays() { return list("SUBSCRIPTION_NOTIFY_DAYS"); }
  public ZoneId displayTimezone() { return (ZoneId) values.get("DISPLAY_TIMEZONE"); }
  public int timerIntervalSeconds() { return integer("TIMER_INTERVAL_SECONDS"); }
  public int billingBatchMaxSize() { return integer("BILLING_BATCH_MAX_SIZE"); }
  public int billingLanes() { return integer("BILLING_LANES"); }
  public int billingLanesParallelAt() { return integer("BILLING_LANES_PARALLEL_AT"); }
  public int billingBatchMaxDelayMs() { return integer("BILLING_BATCH_MAX_DELAY_MS"); }
  public String logFormat() { return string("LOG_FORMAT"); }
  public boolean accessLog() { return (Boolean) values.get("ACCESS_LOG"); }
  public String logLevel() { return string("LOG_LEVEL"); }
}

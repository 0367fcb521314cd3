package io.kopeck.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Every configuration variable (SPEC §10 and later sections) with how it is parsed, and where their
 * defaults come from ({@code conf/kopeck.json}). {@link KopeckConfig} resolves them against the
 * environment.
 */
final class Variables {
  static final List<Setting> ALL = List.of(
      Setting.integer("HTTP_PORT", 0, 65535),
      Setting.integer("HTTP_MAX_BODY_BYTES", 1024, 64 * 1024 * 1024),
      Setting.integer("SHUTDOWN_TIMEOUT_SECONDS", 1, 600),
      Setting.integer("HTTP_READ_TIMEOUT_SECONDS", 1, 3600),
      Setting.integer("STREAM_IDLE_TIMEOUT_SECONDS", 1, 86_400),
      Setting.integer("HTTP_MAX_CONNECTIONS", 1, 1_000_000),
      Setting.integer("HTTP_MAX_CONNECTIONS_PER_IP", 1, 1_000_000),
      Setting.cidrList("TRUSTED_PROXIES"),
      Setting.databaseUrl("DATABASE_URL"),
      Setting.integer("DB_POOL_SIZE", 1, 500),
      Setting.text("EMBEDDED_DB_DIR"),
      Setting.secret("TELEGRAM_BOT_TOKEN"),
      Setting.key("TELEGRAM_WEBHOOK_SECRET"),
      Setting.httpUrl("PUBLIC_BASE_URL"),
      Setting.httpUrl("TELEGRAM_API_URL"),
      Setting.longList("ADMIN_CHAT_IDS"),
      Setting.text("SUPPORT_USERNAME"),
      Setting.text("BOT_NAME"),
      Setting.text("TEXTS_DIR"),
      Setting.commandList("BOT_COMMANDS"),
      Setting.httpUrl("PRODUCT_WEBHOOK_URL"),
      Setting.key("PRODUCT_WEBHOOK_SECRET"),
      Setting.httpUrl("WEBHOOK_URL"),
      Setting.key("WEBHOOK_SIGNING_SECRET"),
      Setting.integer("BONUS_TOKENS_TTL_DAYS", 0, 3650),
      Setting.integer("TELEGRAM_RATE_GLOBAL", 1, 1000),
      Setting.integer("TELEGRAM_RATE_PER_CHAT", 1, 100),
      Setting.integer("COST_MESSAGE_WINDOW_MS", 0, 60_000),
      Setting.oneOf("PAYMENT_PROVIDER", "mock", "robokassa"),
      Setting.listOf("PAYMENT_PROVIDERS", "mock", "robokassa", "stars", "yookassa"),
      Setting.bool("ALLOW_MOCK_PAYMENTS"),
      Setting.text("ROBOKASSA_MERCHANT_LOGIN"),
      Setting.secret("ROBOKASSA_PASSWORD_1"),
      Setting.secret("ROBOKASSA_PASSWORD_2"),
      Setting.oneOf("ROBOKASSA_HASH", "md5", "sha1", "sha256", "sha384", "sha512"),
      Setting.bool("ROBOKASSA_IS_TEST"),
      Setting.oneOf("ROBOKASSA_RECEIPT_TAX", "", "none", "vat0", "vat5", "vat7", "vat10", "vat20", "vat22", "vat105",
          "vat107", "vat110", "vat120", "vat122"),
      Setting.text("MOCK_MERCHANT_LOGIN"),
      Setting.secret("MOCK_PASSWORD_1"),
      Setting.secret("MOCK_PASSWORD_2"),
      Setting.decimal("TOKENS_PER_STAR", BigDecimal.ZERO, false),
      Setting.integer("MIN_TOPUP_STARS", 1, 1_000_000),
      Setting.integer("MAX_TOPUP_STARS", 1, 1_000_000),
      Setting.bool("STARS_SUBSCRIPTIONS"),
      Setting.text("YOOKASSA_SHOP_ID"),
      Setting.secret("YOOKASSA_SECRET_KEY"),
      Setting.httpUrl("YOOKASSA_API_URL"),
      Setting.cidrList("YOOKASSA_ALLOWED_IPS"),
      Setting.oneOf("YOOKASSA_VAT_CODE", "", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12"),
      Setting.keyList("RUNNER_API_KEYS"),
      Setting.integer("RUNNER_RATE_LIMIT", 0, 1_000_000),
      Setting.httpUrl("RUNNER_BASE_URL"),
      Setting.secret("RUNNER_STREAM_KEY"),
      Setting.integer("RUNNER_STREAM_MAX_RETRIES", 0, 1_000),
      Setting.integer("RUNNER_STREAM_LEASE_SECONDS", 2, 3_600),
      Setting.integer("RUNNER_STREAM_BACKOFF_MS", 1, 60_000),
      Setting.integer("RUNNER_STREAM_IDLE_SECONDS", 1, 86_400),
      Setting.key("ADMIN_API_KEY"),
      Setting.key("METRICS_BEARER_TOKEN"),
      Setting.decimal("COST_MULTIPLIER", BigDecimal.ZERO, false),
      Setting.oneOf("CURRENCY", "rub"),
      Setting.signedDecimal("BALANCE_FLOOR"),
      Setting.bool("REQUIRE_SUBSCRIPTION"),
      Setting.decimal("LOW_BALANCE_THRESHOLD", BigDecimal.ZERO, true),
      Setting.decimalList("LOW_BALANCE_THRESHOLDS"),
      Setting.decimal("MIN_TOPUP_RUB", BigDecimal.ONE, true),
      Setting.decimal("MAX_TOPUP_RUB", BigDecimal.ONE, true),
      Setting.decimal("TOKENS_PER_RUB", BigDecimal.ZERO, false),
      Setting.text("DEFAULT_TARIFF"),
      Setting.bool("TOPUP_ACTIVATES_SUBSCRIPTION"),
      Setting.text("LEGAL_OFFER_URL"),
      Setting.text("LEGAL_PRIVACY_URL"),
      Setting.oneOf("TELEGRAM_MODE", "", "webhook", "polling"),
      Setting.oneOf("DEV_CONSOLE", "", "true", "false"),
      Setting.secret("DEV_CONSOLE_WEBHOOK_SECRET"),
      Setting.integer("INVOICE_TTL_HOURS", 1, 24 * 30),
      Setting.integer("INVOICE_IDEMPOTENCY_MINUTES", 0, 24 * 60),
      Setting.integer("MAX_PENDING_INVOICES_PER_USER", 1, 1_000),
      Setting.intList("SUBSCRIPTION_NOTIFY_DAYS", 0, 365),
      Setting.zone("DISPLAY_TIMEZONE"),
      Setting.integer("TIMER_INTERVAL_SECONDS", 1, 86_400),
      Setting.integer("BILLING_BATCH_MAX_SIZE", 1, 10_000),
      Setting.integer("BILLING_LANES", 1, 64),
      Setting.integer("BILLING_LANES_PARALLEL_AT", 1, 10_000),
      Setting.integer("BILLING_BATCH_MAX_DELAY_MS", 0, 1_000),
      Setting.oneOf("LOG_FORMAT", "text", "json"),
      Setting.bool("ACCESS_LOG"),
      Setting.oneOf("LOG_LEVEL", "trace", "debug", "info", "warn", "error"));

  private static final ObjectMapper JSON = new ObjectMapper()
      .enable(DeserializationFeature.USE_BIG_DECIMAL_FOR_FLOATS);

  private Variables() {
  }

  /** The defaults file: KOPECK_CONF, else ./conf/kopeck.json, else the copy in the jar; keys are the variable names. */
  static Map<String, String> defaults(String explicitPath) {
    try (InputStream in = openDefaults(explicitPath)) {
      JsonNode root = JSON.readTree(in);
      if (root == null || !root.isObject()) {
        throw new ConfigException("KOPECK_CONF", "the configuration file is not a JSON object");
      }
      Map<String, String> defaults = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = root.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> field = it.next();
        JsonNode node = field.getValue();
        defaults.put(field.getKey(), node.isNumber() ? node.decimalValue().toPlainString() : node.asText());
      }
      return defaults;
    } catch (IOException e) {
      throw new ConfigException("KOPECK_CONF", "cannot read the configuration file: " + e.getMessage());
    }
  }

  private static InputStream openDefaults(String explicitPath) throws IOException {
    if (explicitPath != null && !explicitPath.isBlank()) {
      return Files.newInputStream(Path.of(explicitPath));
    }
    Path local = Path.of("conf", "kopeck.json");
    if (Files.isRegularFile(local)) {
      return Files.newInputStream(local);
    }
    InputStream bundled = KopeckConfig.class.getResourceAsStream("/conf/kopeck.json");
    if (bundled == null) {
      throw new IOException("conf/kopeck.json not found");
    }
    return bundled;
  }
}

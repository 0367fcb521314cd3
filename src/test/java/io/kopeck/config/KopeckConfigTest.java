package io.kopeck.config;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.kopeck.db.DatabaseUrl;
import io.kopeck.testsupport.TestKeys;
import java.io.IOException;
import java.math.BigDecimal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class KopeckConfigTest {

  @Test
  @DisplayName("conf/kopeck.json supplies a default for every setting of SPEC §10")
  void defaultsCoverEverySetting() {
    KopeckConfig config = KopeckConfig.load(Map.of());

    assertThat(config.httpPort()).isEqualTo(8080);
    assertThat(config.databaseUrl()).isEmpty();
    assertThat(config.costMultiplier()).isEqualByComparingTo("3.14");
    assertThat(config.costMultiplier().toPlainString()).isEqualTo("3.14");
    assertThat(config.balanceFloor()).isEqualByComparingTo("-1000");
    assertThat(config.currency()).isEqualTo("RUB");
    assertThat(config.paymentProviders()).containsExactly("mock");
    assertThat(config.subscriptionNotifyDays()).containsExactly(3, 1, 0);
    assertThat(config.displayTimezone()).isEqualTo(ZoneId.of("Europe/Moscow"));
    assertThat(config.telegramApiUrl()).isEqualTo("https://api.telegram.org");
    assertThat(config.maxBodyBytes()).isEqualTo(1024 * 1024);
    assertThat(config.minTopupRub()).isEqualByComparingTo("200");
    assertThat(config.invoiceTtlHours()).isEqualTo(24);
    assertThat(config.invoiceIdempotencyMinutes()).isEqualTo(60);
    assertThat(config.telegramRateGlobal()).isEqualTo(30);
    assertThat(config.telegramRatePerChat()).isEqualTo(1);
    assertThat(config.timerIntervalSeconds()).isEqualTo(60);
  }

  @Test
  @DisplayName("environment variables override the defaults and are parsed to their types")
  void environmentOverrides() {
    KopeckConfig config = KopeckConfig.load(Map.of(
        "HTTP_PORT", "9090",
        "COST_MULTIPLIER", "2.5",
        "RUNNER_API_KEYS", "k1-0123456789abcd, k2-0123456789abcd,,k3-0123456789abcd",
        "ADMIN_CHAT_IDS", "1,-1002",
        "REQUIRE_SUBSCRIPTION", "yes",
        "PUBLIC_BASE_URL", "https://pay.example.com/",
        "DATABASE_URL", "postgresql://u:p@db:6543/kopeck?sslmode=require"));

    assertThat(config.httpPort()).isEqualTo(9090);
    assertThat(config.costMultiplier()).isEqualTo(new BigDecimal("2.5"));
    assertThat(config.runnerApiKeys()).containsExactly("k1-0123456789abcd", "k2-0123456789abcd", "k3-0123456789abcd");
    assertThat(config.adminChatIds()).containsExactly(1L, -1002L);
    assertThat(config.requireSubscription()).isTrue();
    assertThat(config.publicBaseUrl()).isEqualTo("https://pay.example.com");
    assertThat(config.databaseUrl()).get().extracting(DatabaseUrl::host, DatabaseUrl::port, DatabaseUrl::sslMode)
        .containsExactly("db", 6543, "require");
  }

  @ParameterizedTest(name = "{0}={1} → {2}")
  @DisplayName("a bad value stops start-up with one line naming the variable and the problem")
  @CsvSource(delimiter = '|', value = {
      "HTTP_PORT|abc|HTTP_PORT: 'abc' is not a whole number",
      "HTTP_PORT|70000|HTTP_PORT: '70000' must be between 0 and 65535",
      "DB_POOL_SIZE|0|DB_POOL_SIZE: '0' must be between 1 and 500",
      "COST_MULTIPLIER|three|COST_MULTIPLIER: 'three' is not a decimal number",
      "COST_MULTIPLIER|0|COST_MULTIPLIER: '0' must be greater than 0",
      "BALANCE_FLOOR|NaN|BALANCE_FLOOR: 'NaN' is not a decimal number",
      "PAYMENT_PROVIDER|paypal|PAYMENT_PROVIDER: 'paypal' is not one of mock, robokassa",
      "ROBOKASSA_HASH|crc32|ROBOKASSA_HASH: 'crc32' is not one of md5, sha1, sha256, sha384, sha512",
      "REQUIRE_SUBSCRIPTION|maybe|REQUIRE_SUBSCRIPTION: 'maybe' is not a boolean (use true or false)",
      "PUBLIC_BASE_URL|not a url|PUBLIC_BASE_URL: 'not a url' is not a valid URL",
      "TELEGRAM_API_URL|ftp://x|TELEGRAM_API_URL: 'ftp://x' is not an absolute http(s) URL",
      "DATABASE_URL|mysql://h/db|DATABASE_URL: (hidden) must start with postgres:// or postgresql://",
      "ADMIN_CHAT_IDS|12,abc|ADMIN_CHAT_IDS: '12,abc' contains 'abc', which is not a whole number",
      "SUBSCRIPTION_NOTIFY_DAYS|3,-1|SUBSCRIPTION_NOTIFY_DAYS: '3,-1' contains -1, outside 0..365",
      "DISPLAY_TIMEZONE|Mars/Base|DISPLAY_TIMEZONE: 'Mars/Base' is not a time zone id (e.g. Europe/Moscow)",
      "LOG_FORMAT|xml|LOG_FORMAT: 'xml' is not one of text, json",
      "CURRENCY|USD|CURRENCY: 'USD' is not one of rub"})
  void badValues(String variable, String value, String message) {
    assertThatThrownBy(() -> KopeckConfig.load(Map.of(variable, value)))
        .isInstanceOf(ConfigException.class)
        .hasMessage(message)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
  }

  @Test
  @DisplayName("the robokassa provider refuses to start without its credentials")
  void robokassaNeedsCredentials() {
    assertThatThrownBy(() -> KopeckConfig.load(Map.of("PAYMENT_PROVIDER", "robokassa",
        "ROBOKASSA_MERCHANT_LOGIN", "shop", "ROBOKASSA_PASSWORD_1", "p1")))
        .hasMessage("ROBOKASSA_PASSWORD_2: is required when robokassa is a payment provider");
  }

  @Test
  @DisplayName("a bot token without a webhook secret is refused in webhook mode (the webhook would accept anyone); "
      + "long polling needs none")
  void tokenNeedsSecret() {
    assertThatThrownBy(() -> KopeckConfig.load(Map.of("TELEGRAM_BOT_TOKEN", "123:abc",
        "PUBLIC_BASE_URL", "https://kopeck.example")))
        .hasMessage("TELEGRAM_WEBHOOK_SECRET: is required when TELEGRAM_BOT_TOKEN is set (webhook mode)");
    assertThatThrownBy(() -> KopeckConfig.load(Map.of("TELEGRAM_BOT_TOKEN", "123:abc", "TELEGRAM_MODE", "webhook")))
        .hasMessageContaining("TELEGRAM_WEBHOOK_SECRET");
    assertThat(KopeckConfig.load(Map.of("TELEGRAM_BOT_TOKEN", "123:abc")).telegramMode()).isEqualTo("polling");
  }

  @Test
  @DisplayName("the printable description masks every secret, including the database password")
  void describeMasksSecrets() {
    KopeckConfig config = KopeckConfig.load(Map.of(
        "TELEGRAM_BOT_TOKEN", "123:very-secret-token", "TELEGRAM_WEBHOOK_SECRET", "hook-secret-0123456789",
        "ADMIN_API_KEY", TestKeys.ADMIN, "RUNNER_API_KEYS", TestKeys.RUNNER,
        "MOCK_PASSWORD_2", "mock-password-2",
        "DATABASE_URL", "postgres://kopeck:db-password@db/kopeck"));

    String described = config.describe().toString();

    assertThat(described).doesNotContain("very-secret-token", "hook-secret", "admin-key", "runner-key",
        "db-password", "mock-password-2", config.mockPassword1());
    assertThat(config.describe()).containsEntry("DATABASE_URL", "postgres://kopeck:****@db:5432/kopeck?sslmode=disable");
  }

  @Test
  @DisplayName("a secret's bad value is not echoed in the error")
  void secretNotEchoed() {
    assertThatThrownBy(() -> KopeckConfig.load(Map.of("DATABASE_URL", "postgres://u:hunter2@/db")))
        .hasMessageNotContaining("hunter2");
  }

  @Test
  @DisplayName("with() re-parses overrides, so tests cannot smuggle in values start-up would refuse")
  void withReparses() {
    KopeckConfig config = KopeckConfig.load(Map.of());
    assertThat(config.with(Map.of("HTTP_PORT", "0")).httpPort()).isZero();
    assertThatThrownBy(() -> config.with(Map.of("HTTP_PORT", "x"))).isInstanceOf(ConfigException.class);
    assertThat(config.with(Map.of()).runnerApiKeys()).isEqualTo(List.of());
  }

  @Test
  @DisplayName("Any variable X may come from the file X_FILE names (Docker and Kubernetes secrets), without its line break")
  void fromFiles(@TempDir Path dir) throws IOException {
    Path key = Files.writeString(dir.resolve("admin_key"), TestKeys.ADMIN + "\n");
    Path url = Files.writeString(dir.resolve("db_url"), "postgres://kopeck:s3cret@db:5432/kopeck\r\n");
    KopeckConfig config = KopeckConfig.load(Map.of("ADMIN_API_KEY_FILE", key.toString(),
        "DATABASE_URL_FILE", url.toString()));
    assertThat(config.adminApiKey()).isEqualTo(TestKeys.ADMIN);
    assertThat(config.databaseUrl().orElseThrow().redacted()).contains("db:5432/kopeck").doesNotContain("\n");
    assertThatThrownBy(() -> KopeckConfig.load(Map.of("ADMIN_API_KEY_FILE", key.toString(), "ADMIN_API_KEY", "x")))
        .isInstanceOf(ConfigException.class).hasMessageContaining("ADMIN_API_KEY_FILE");
    assertThatThrownBy(() -> KopeckConfig.load(Map.of("ADMIN_API_KEY_FILE", dir.resolve("missing").toString())))
        .isInstanceOf(ConfigException.class).hasMessageContaining("cannot be read");
    Path shortKey = Files.writeString(dir.resolve("short"), "short\n");
    assertThatThrownBy(() -> KopeckConfig.load(Map.of("ADMIN_API_KEY_FILE", shortKey.toString())))
        .isInstanceOf(ConfigException.class).hasMessageNotContaining("short'");
  }

  @Test
  @DisplayName("The console's made-up secrets are kept next to the embedded database, owner-readable only, across starts")
  void consoleSecretsSurviveRestarts(@TempDir Path dir) throws IOException {
    Map<String, String> env = Map.of("DEV_CONSOLE", "true", "EMBEDDED_DB_DIR", dir.resolve("postgres").toString());
    KopeckConfig first = KopeckConfig.load(env).forDevConsole(8080);
    KopeckConfig second = KopeckConfig.load(env).forDevConsole(8080);
    assertThat(first.devConsoleWebhookSecret()).isNotBlank().isEqualTo(second.devConsoleWebhookSecret());
    assertThat(first.devConsoleRunnerKey()).startsWith("dev-runner-").isEqualTo(second.devConsoleRunnerKey());
    assertThat(first.runnerStreamKey()).isEqualTo(second.runnerStreamKey());
    assertThat(first.mockPassword1()).isEqualTo(second.mockPassword1());
    Path file = dir.resolve("console-secrets.properties");
    assertThat(java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(file)))
        .isEqualTo("rw-------");
    assertThat(Files.readString(file)).contains(first.devConsoleWebhookSecret());
  }
}

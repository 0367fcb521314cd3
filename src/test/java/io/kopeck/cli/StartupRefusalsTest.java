package io.kopeck.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.KopeckProcess;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** SPEC §11 start-up refusals, as an operator meets them: a separate JVM, one line, exit code 2. */
class StartupRefusalsTest {

  private static void refused(Map<String, String> env, String line) throws Exception {
    KopeckProcess.Run run = KopeckProcess.run(env, "serve");

    assertThat(run.exitCode()).isEqualTo(2);
    assertThat(run.output().strip()).isEqualTo(line);
  }

  @Test
  @DisplayName("the mock provider next to a bot token is refused: anyone could pay themselves")
  void mockWithBotToken() throws Exception {
    refused(Map.of("TELEGRAM_BOT_TOKEN", "123:token", "TELEGRAM_WEBHOOK_SECRET", "hook-secret-0123456789"),
        "kopeck: configuration error: PAYMENT_PROVIDERS: includes mock while TELEGRAM_BOT_TOKEN is set: anyone could"
            + " pay themselves; set ALLOW_MOCK_PAYMENTS=true only for a demo");
  }

  @Test
  @DisplayName("the mock provider behind a public https URL is refused, also when listed in PAYMENT_PROVIDERS")
  void mockWithHttpsBaseUrl() throws Exception {
    refused(Map.of("PUBLIC_BASE_URL", "https://billing.example.com", "PAYMENT_PROVIDERS", "robokassa, mock",
            "ROBOKASSA_MERCHANT_LOGIN", "shop", "ROBOKASSA_PASSWORD_1", "p1", "ROBOKASSA_PASSWORD_2", "p2"),
        "kopeck: configuration error: PAYMENT_PROVIDERS: includes mock while PUBLIC_BASE_URL is https: anyone could"
            + " pay themselves; set ALLOW_MOCK_PAYMENTS=true only for a demo");
  }

  @Test
  @DisplayName("keys and secrets shorter than 16 characters are refused, each naming its variable, never its value")
  void shortKeys() throws Exception {
    for (String name : new String[] {"RUNNER_API_KEYS", "ADMIN_API_KEY", "TELEGRAM_WEBHOOK_SECRET", "METRICS_BEARER_TOKEN"}) {
      refused(Map.of(name, "short-key-15chr"),
          "kopeck: configuration error: " + name + ": (hidden) is shorter than 16 characters");
    }
    refused(Map.of("RUNNER_API_KEYS", "long-enough-key-number-1,tiny"),
        "kopeck: configuration error: RUNNER_API_KEYS: (hidden) is shorter than 16 characters");
  }

  @Test
  @DisplayName("a provider list with an unknown name is refused")
  void unknownProvider() throws Exception {
    refused(Map.of("PAYMENT_PROVIDERS", "mock,paypal"),
        "kopeck: configuration error: PAYMENT_PROVIDERS: 'mock,paypal' contains 'paypal', not one of mock, robokassa, stars, yookassa");
  }

  @Test
  @DisplayName("yookassa without its shop id or key, or a bad allow-list, is refused")
  void yooKassaSettings() throws Exception {
    refused(Map.of("PAYMENT_PROVIDERS", "yookassa"),
        "kopeck: configuration error: YOOKASSA_SHOP_ID: is required when yookassa is a payment provider");
    refused(Map.of("PAYMENT_PROVIDERS", "stars", "YOOKASSA_ALLOWED_IPS", "10.0.0.0/8,example.com"),
        "kopeck: configuration error: YOOKASSA_ALLOWED_IPS: '10.0.0.0/8,example.com' contains 'example.com', which is not an"
            + " IP address or CIDR network");
  }

  @Test
  @DisplayName("the developer console next to an https address is refused: it speaks as any user")
  void devConsoleInPublic() throws Exception {
    refused(Map.of("DEV_CONSOLE", "true", "PUBLIC_BASE_URL", "https://kopeck.example"),
        "kopeck: configuration error: DEV_CONSOLE: is true while PUBLIC_BASE_URL is https: the console speaks as any"
            + " user; it is for a laptop, never for a public address");
  }
}

package io.kopeck.devconsole;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Application;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.TestKeys;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** Where the console is not: with a bot token, or by default next to an external database (SPEC §15). */
class DevConsoleTest {
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("TELEGRAM_BOT_TOKEN", "123456:real-token",
      "TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET, "DEV_CONSOLE", "true", "TELEGRAM_API_URL",
      "http://127.0.0.1:9"));

  private static List<Integer> statuses(Http http) {
    return List.of(http.get("/dev", null).status(), http.get("/dev/", null).status(),
        http.get("/dev/app.js", null).status(), http.get("/dev/config", null).status(),
        http.get("/dev/events", null).status(),
        http.post("/dev/botapi/bot123456:real-token/sendMessage", null, "application/json", "{\"chat_id\": 1}").status());
  }

  @Test
  @DisplayName("with a bot token, /dev and /dev/botapi/... are 404 whatever DEV_CONSOLE says")
  void notWithAToken() {
    assertThat(statuses(service.http())).containsOnly(404);
  }

  @Test
  @DisplayName("DEV_CONSOLE unset next to an external database: off (it defaults on only with the embedded one)")
  void offByDefaultOnAnExternalDatabase() {
    Application app = TestApp.start(service.db(), Map.of());
    try (Http http = new Http(app.httpPort())) {
      assertThat(statuses(http)).containsOnly(404);
    } finally {
      app.stop();
    }
  }
}

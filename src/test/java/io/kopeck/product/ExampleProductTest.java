package io.kopeck.product;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.BotChat;
import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.RunningService;
import io.kopeck.testsupport.TestKeys;
import io.kopeck.testsupport.Updates;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** examples/echo-product (docs/embedding.md) behind Kopeck: it gets what Kopeck forwards and answers through it. */
class ExampleProductTest {
  private static final String SECRET = "example-product-secret-0123";

  @Test
  @DisplayName("the example product answers /whoami with the balance it asks Kopeck for, and echoes text; Kopeck keeps /balance")
  void exampleProduct() throws Exception {
    Path python = Path.of("/usr/bin/python3");
    Assumptions.assumeTrue(Files.isExecutable(python), "no python3 here: the example product is not run");
    int port;
    try (ServerSocket socket = new ServerSocket(0)) {
      port = socket.getLocalPort();
    }
    try (FakeTelegram telegram = new FakeTelegram(); RunningService service = RunningService.start(Map.of(
        "TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN, "TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET,
        "TELEGRAM_API_URL", telegram.url(), "TELEGRAM_RATE_PER_CHAT", "50", "RUNNER_API_KEYS", TestKeys.RUNNER,
        "PRODUCT_WEBHOOK_URL", "http://127.0.0.1:" + port + "/telegram", "PRODUCT_WEBHOOK_SECRET", SECRET),
        Clock.systemUTC())) {
      ProcessBuilder builder = new ProcessBuilder(python.toString(), "examples/echo-product/product.py",
          Integer.toString(port)).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      builder.environment().putAll(Map.of("KOPECK_URL", "http://127.0.0.1:" + service.app().httpPort(),
          "RUNNER_KEY", TestKeys.RUNNER, "PRODUCT_SECRET", SECRET));
      Process product = builder.start();
      try {
        Eventually.until(() -> listening(port), up -> up, 20);
        JsonObject user = Updates.user(882_000_001L, "Eve", "Ng", "en");
        Ledgers.seedUser(service.pool(), 882_000_001L, "10");
        BotChat chat = new BotChat(telegram, service.http(), TestKeys.WEBHOOK_SECRET);

        chat.post(Updates.text(user, "/whoami"));
        chat.post(Updates.text(user, "hello"));
        chat.say(user, "/balance", "Balance");

        telegram.awaitOne("sendMessage", 882_000_001L,
            c -> "You have 10.0000 tokens available (0.0000 held).".equals(c.text()));
        telegram.awaitOne("sendMessage", 882_000_001L, c -> "You said: hello".equals(c.text()));
        assertThat(telegram.calls("sendMessage", c -> c.chatId() == 882_000_001L && "You said: /balance".equals(c.text())))
            .isEmpty();
      } finally {
        product.destroy();
        product.waitFor(10, TimeUnit.SECONDS);
      }
    }
  }

  private static boolean listening(int port) {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      return true;
    } catch (IOException e) {
      return false;
    }
  }
}

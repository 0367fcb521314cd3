package io.kopeck.product;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Application;
import io.kopeck.testsupport.BotChat;
import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.FakeProduct;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.TestKeys;
import io.kopeck.testsupport.Updates;
import io.vertx.core.json.JsonObject;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Kopeck in front of an owner's bot (SPEC §20): what Kopeck does not handle reaches the product once,
 * in order per chat, from a durable queue, across several instances and a restart; the product's
 * webhook reply is made; Kopeck's own conversations never leave Kopeck.
 */
class ProductForwardingTest {
  static final String SECRET = "product-secret-0123456789";
  private static final FakeTelegram telegram = new FakeTelegram();
  private static final FakeProduct product = new FakeProduct();
  private static final Map<String, String> SETTINGS = Map.of("TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN,
      "TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET, "TELEGRAM_API_URL", telegram.url(),
      "TELEGRAM_RATE_PER_CHAT", "50", "PRODUCT_WEBHOOK_URL", product.url(), "PRODUCT_WEBHOOK_SECRET", SECRET,
      "DB_POOL_SIZE", "16");
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(SETTINGS);
  private static BotChat chat;

  @BeforeAll
  static void start() {
    chat = new BotChat(telegram, service.http(), TestKeys.WEBHOOK_SECRET);
  }

  @AfterAll
  static void stop() {
    telegram.close();
    product.close();
  }

  private static List<FakeProduct.Received> deliveredOf(long updateId) {
    return product.delivered().stream().filter(r -> r.updateId() == updateId).toList();
  }

  @Test
  @DisplayName("an unknown command reaches the product once — Telegram delivering it twice, the product answering 500 first — as Telegram's JSON with the secret; Kopeck says nothing")
  void unknownCommandOnce() {
    JsonObject user = Updates.user(880_100_001L, "Ann", "Lee", "en");
    JsonObject update = Updates.text(user, "/shop now");
    long updateId = update.getLong("update_id");
    product.failFirst(updateId, 1);

    chat.post(update);
    chat.post(update);
    Eventually.until(() -> deliveredOf(updateId), delivered -> delivered.size() == 1, 20);

    assertThat(product.received().stream().filter(r -> r.updateId() == updateId).map(FakeProduct.Received::status))
        .containsExactly(500, 200);
    assertThat(deliveredOf(updateId).get(0).update()).isEqualTo(update);
    assertThat(deliveredOf(updateId).get(0).secret()).isEqualTo(SECRET);
    assertThat(telegram.calls("sendMessage", c -> c.chatId() == user.getLong("id"))).isEmpty();
    // Recorded just after the product's 200 arrived: waited for, not assumed.
    Eventually.equals(() -> Ledgers.count(service.pool(), "SELECT count(*) FROM product_updates WHERE update_id = $1 "
        + "AND status = 'delivered' AND attempts = 2", updateId), 1, 10);
  }

  @Test
  @DisplayName("the product's webhook reply ({\"method\": \"sendMessage\", …}) is made by Kopeck")
  void webhookReply() {
    JsonObject user = Updates.user(880_100_002L, "Bob", "Ray", "en");
    product.replies(update -> update.getJsonObject("message") != null
        && update.getJsonObject("message").getString("text", "").equals("what can you do?")
        ? new JsonObject().put("method", "sendMessage").put("chat_id", user.getLong("id")).put("text", "From the product")
        : null);
    try {
      chat.post(Updates.text(user, "what can you do?"));
      telegram.awaitOne("sendMessage", user.getLong("id"), c -> "From the product".equals(c.text()));
    } finally {
      product.replies(update -> null);
    }
  }

  @Test
  @DisplayName("Kopeck keeps its commands, buttons and conversations; foreign buttons, groups, edits and text outside a conversation go to the product")
  void whatStaysAndWhatGoes() {
    JsonObject user = Updates.user(880_100_003L, "Cy", "Ng", "en");
    JsonObject promo = Updates.text(user, "/promo");
    JsonObject code = Updates.text(user, "NOSUCHCODE");
    chat.say(user, "/promo", "code");
    chat.post(code);
    telegram.awaitOne("sendMessage", user.getLong("id"), c -> c.text().contains("NOSUCHCODE"));
    chat.say(user, "/cancel", "");
    JsonObject outside = Updates.text(user, "hello there");
    JsonObject foreignButton = Updates.press(user, 5, "shop:item:7");
    JsonObject kopecksButton = Updates.press(user, 5, "1:bal");
    JsonObject group = Updates.text(user, "hi all");
    group.getJsonObject("message").put("chat", new JsonObject().put("id", -100123).put("type", "group"));
    JsonObject edited = new JsonObject().put("update_id", outside.getLong("update_id") + 100_000)
        .put("edited_message", outside.getJsonObject("message").copy().put("text", "hello there!"));
    for (JsonObject update : List.of(outside, foreignButton, kopecksButton, group, edited)) {
      chat.post(update);
    }

    Eventually.until(() -> List.of(outside, foreignButton, group, edited).stream()
        .allMatch(u -> deliveredOf(u.getLong("update_id")).size() == 1), ok -> ok, 20);
    telegram.awaitAnswer(c -> true);
    for (JsonObject kopecks : List.of(promo, code, kopecksButton)) {
      assertThat(product.received()).noneMatch(r -> r.updateId() == kopecks.getLong("update_id"));
    }
  }

  @Test
  @DisplayName("1,000 updates over 100 chats, the product answering slowly, two instances and one of them restarted midway: each delivered once, in order per chat")
  void thousandInOrderAcrossInstancesAndARestart() {
    product.delay(15);
    Map<String, String> settings = new HashMap<>(SETTINGS);
    settings.put("DATABASE_URL", service.db().url().connectionUri());
    Application second = TestApp.start(service.db(), settings);
    List<Long> ids = new ArrayList<>();
    try {
      for (int n = 0; n < 10; n++) {
        for (int c = 0; c < 100; c++) {
          JsonObject update = Updates.text(Updates.user(880_200_000L + c, "U" + c, "X", "en"), "message " + n);
          ids.add(update.getLong("update_id"));
          chat.post(update);
        }
        if (n == 4) {
          second.stop(); // a graceful stop in the middle: what it had claimed is delivered or left to the others
          second = TestApp.start(service.db(), settings);
        }
      }
      Eventually.until(() -> product.delivered().stream().filter(r -> ids.contains(r.updateId())).count(),
          count -> count == 1000, 60);
    } finally {
      second.stop();
      product.delay(0);
    }

    List<FakeProduct.Received> delivered = product.delivered().stream().filter(r -> ids.contains(r.updateId()))
        .toList();
    assertThat(delivered.stream().map(FakeProduct.Received::updateId).distinct().count()).isEqualTo(1000);
    Map<Long, List<Long>> byChat = delivered.stream().collect(Collectors.groupingBy(
        r -> r.update().getJsonObject("message").getJsonObject("chat").getLong("id"),
        Collectors.mapping(FakeProduct.Received::updateId, Collectors.toList())));
    assertThat(byChat).hasSize(100);
    byChat.forEach((chatId, updates) -> assertThat(updates).as("chat " + chatId).isSorted());
  }
}

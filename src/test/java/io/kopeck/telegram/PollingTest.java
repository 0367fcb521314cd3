package io.kopeck.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Application;
import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.Updates;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Long polling (TELEGRAM_MODE, SPEC §14): a token and no https address means polling; two instances
 * on one database poll with one poller; the updates go through the same handlers and de-duplication.
 */
class PollingTest {
  private static final FakeTelegram telegram = new FakeTelegram();
  static final Map<String, String> SETTINGS = Map.of("TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN,
      "TELEGRAM_API_URL", telegram.url(), "TELEGRAM_RATE_PER_CHAT", "50");
  /** The database, and an instance that takes no updates (webhook mode without an address). */
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN,
      "TELEGRAM_API_URL", telegram.url(), "TELEGRAM_MODE", "webhook", "TELEGRAM_WEBHOOK_SECRET", "hook-secret-0123456789"));

  @AfterAll
  static void stop() {
    telegram.close();
  }

  private static boolean polls(Http http) {
    return http.get("/metrics", null).body().lines().anyMatch(l -> l.startsWith("kopeck_telegram_poller_active 1"));
  }

  @Test
  @DisplayName("the webhook is removed, /start is answered from getUpdates; with two instances one polls, and the "
      + "other takes over when it stops; an update delivered twice is handled once")
  void polling() {
    Application first = TestApp.start(service.db(), SETTINGS);
    Http firstHttp = new Http(first.httpPort());
    Application second = null;
    Http secondHttp = null;
    try {
      telegram.await("deleteWebhook", c -> true, 1, 10);
      telegram.queueUpdate(Updates.text(Updates.user(970001, "Поля", null, "ru"), "/start"));
      telegram.awaitOne("sendMessage", 970001, c -> c.text().contains("Привет, Поля"));
      assertThat(polls(firstHttp)).isTrue();

      second = TestApp.start(service.db(), SETTINGS);
      secondHttp = new Http(second.httpPort());
      var update = Updates.text(Updates.user(970002, "Дубль", null, "ru"), "/start");
      telegram.queueUpdate(update);
      telegram.awaitOne("sendMessage", 970002, c -> c.text().contains("Привет"));
      assertThat(polls(firstHttp)).as("the first instance keeps polling").isTrue();
      assertThat(polls(secondHttp)).as("one poller across instances").isFalse();

      firstHttp.close();
      first.stop();
      first = null;
      Http waiting = secondHttp;
      Eventually.until(() -> polls(waiting), active -> active, 15);
      telegram.queueUpdate(update); // handed out again (never confirmed to the new poller): handled once only
      telegram.queueUpdate(Updates.text(Updates.user(970003, "После", null, "ru"), "/start"));
      telegram.awaitOne("sendMessage", 970003, c -> c.text().contains("Привет, После"));
      assertThat(telegram.calls("sendMessage", c -> c.chatId() == 970002 && c.text().contains("Привет"))).hasSize(1);
    } finally {
      if (first != null) {
        firstHttp.close();
        first.stop();
      }
      if (second != null) {
        secondHttp.close();
        second.stop();
      }
    }
  }
}

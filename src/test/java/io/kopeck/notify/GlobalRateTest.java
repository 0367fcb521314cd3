package io.kopeck.notify;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Application;
import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.FakeTelegram.Call;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.RunningService;
import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.TestKeys;
import io.vertx.sqlclient.Tuple;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** TELEGRAM_RATE_GLOBAL holds for two sender instances together: they share the bot-wide pacing row. */
class GlobalRateTest {
  static final int RATE = 20;

  @Test
  void twoInstancesShareTheBotWideRate() {
    try (FakeTelegram telegram = new FakeTelegram()) {
      Map<String, String> settings = Map.of("TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN, "TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET,
          "TELEGRAM_API_URL", telegram.url(), "TELEGRAM_RATE_GLOBAL", Integer.toString(RATE));
      try (RunningService service = RunningService.start(settings)) {
        Application second = TestApp.start(service.db(), settings);
        try {
          Http.await(service.pool().preparedQuery("""
              INSERT INTO notifications (chat_id, kind, text, dedup_key)
              SELECT c, 'test', 'hello', 'global' FROM generate_series($1::bigint, $1::bigint + 79) AS c""")
              .execute(Tuple.of(50_000L)));
          Eventually.equals(() -> Ledgers.count(service.pool(),
              "SELECT count(*) FROM notifications WHERE dedup_key = 'global' AND status = 'sent'"), 80, 30);
        } finally {
          second.stop();
        }
      }
      List<Call> sent = telegram.calls("sendMessage", c -> c.chatId() >= 50_000);
      assertThat(sent).hasSize(80);
      // Paced slot by slot with one tick (100 ms) of catching up: at most about 1.1 × RATE (+1) in any second.
      int most = 0;
      for (int i = 0; i < sent.size(); i++) {
        int inWindow = 0;
        for (int j = i; j < sent.size() && sent.get(j).atNanos() - sent.get(i).atNanos() < 1_000_000_000L; j++) {
          inWindow++;
        }
        most = Math.max(most, inWindow);
      }
      assertThat(most).as("most sends in any one second").isLessThanOrEqualTo(RATE * 11 / 10 + 1);
      long span = sent.get(sent.size() - 1).atNanos() - sent.get(0).atNanos();
      assertThat(span).as("80 sends at %d/s", RATE).isGreaterThanOrEqualTo(3_400_000_000L);
    }
  }
}

package io.kopeck.subscription;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Application;
import io.kopeck.testsupport.Eventually;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.FakeTelegram.Call;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.MutableClock;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestApp;
import io.kopeck.testsupport.TestKeys;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Tuple;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Two whole service instances on one database, their timers ticking every second over 1,000
 * subscriptions, their senders draining one outbox into a fake Telegram: every renewal charged
 * once, every message delivered once, days passing on a shared movable clock.
 */
class SubscriptionTimersTest {
  static final MutableClock CLOCK = new MutableClock(Instant.parse("2026-11-26T09:00:00Z"));
  static final long FIRST = 200_000;

  private static final FakeTelegram telegram = new FakeTelegram();
  static final Map<String, String> SETTINGS = Map.of("TIMER_INTERVAL_SECONDS", "1", "TELEGRAM_RATE_GLOBAL", "1000",
      "TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN, "TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET,
      "TELEGRAM_API_URL", telegram.url());
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(SETTINGS, CLOCK);
  private static Application second;
  private static Pool pool;

  @BeforeAll
  static void start() {
    second = TestApp.start(service.db(), SETTINGS, CLOCK);
    pool = service.pool();
  }

  @AfterAll
  static void stop() {
    second.stop();
    telegram.close();
  }

  /**
   * Users FIRST + 0..399 ended with 1,000 tokens (renewed), 400..599 ended with 150 (lapse: 250 short),
   * 600..799 end in 1 day 2 hours, 800..999 in 3 days 2 hours. One transaction, so a timer sees all or none.
   */
  private static void seed() {
    OffsetDateTime now = OffsetDateTime.now(CLOCK).withOffsetSameInstant(ZoneOffset.UTC);
    Http.await(pool.withTransaction(tx -> tx.preparedQuery("""
            INSERT INTO users (id, language_code, token_balance, balance_seq, subscription_end, tariff_id,
                               low_balance_tier)
            SELECT g, 'ru', CASE WHEN g - $1 BETWEEN 400 AND 599 THEN 150 ELSE 1000 END, 1,
                   CASE WHEN g - $1 < 600 THEN $2::timestamptz - interval '5 minutes'
                        WHEN g - $1 < 800 THEN $2::timestamptz + interval '1 day 2 hours'
                        ELSE $2::timestamptz + interval '3 days 2 hours' END,
                   (SELECT id FROM tariffs WHERE slug = 'standard'), 0
            FROM generate_series($1::bigint, $1::bigint + 999) g""").execute(Tuple.of(FIRST, now))
        .compose(v -> tx.preparedQuery("""
            INSERT INTO transactions (user_id, seq, type, tokens_delta, balance_after, idempotency_key)
            SELECT id, 1, 'topup', token_balance, token_balance, 'seed' FROM users WHERE id >= $1""")
            .execute(Tuple.of(FIRST)))));
  }

  private static Map<Long, List<String>> deliveredByUser() {
    return telegram.calls("sendMessage", c -> c.status() == 200 && c.chatId() >= FIRST).stream()
        .collect(Collectors.groupingBy(Call::chatId, Collectors.mapping(Call::text, Collectors.toList())));
  }

  private static long sentOrPending() {
    return Ledgers.count(pool, "SELECT count(*) FROM notifications WHERE chat_id >= $1 AND status IN ('sent', 'pending')",
        FIRST);
  }

  @Test
  @DisplayName("two instances over 1,000 subscriptions: renewals charged once, lapses, 3/1-day notices, each sent once")
  void twoInstancesExactlyOnce() {
    seed();

    Eventually.equals(() -> telegram.calls("sendMessage", c -> c.status() == 200 && c.chatId() >= FIRST).size(), 1000, 60);
    Http.await(pool.query("SELECT pg_sleep(2.5)").execute()); // more ticks of both timers: nothing new may happen
    Map<Long, List<String>> first = deliveredByUser();
    assertThat(first).hasSize(1000).allSatisfy((user, texts) -> assertThat(texts).hasSize(1));
    assertThat(first.get(FIRST).get(0)).startsWith("🔄 Подписка продлена до").contains("Списано 400 токенов, баланс: 600 токенов.");
    assertThat(first.get(FIRST + 400).get(0)).contains("для продления не хватило 250 токенов (стоимость 400 токенов, "
        + "на балансе 150 токенов)");
    assertThat(first.get(FIRST + 600).get(0)).startsWith("⏰ Подписка заканчивается завтра");
    assertThat(first.get(FIRST + 800).get(0)).startsWith("⏰ Подписка заканчивается через 3 дн.");
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE type = 'subscription' AND user_id >= $1",
        FIRST)).isEqualTo(400);
    assertThat(sentOrPending()).isEqualTo(1000);
    Ledgers.assertConsistent(pool);

    CLOCK.advance(Duration.ofDays(2)); // 600..799 end and renew; 800..999 are now one day out
    Eventually.equals(() -> telegram.calls("sendMessage", c -> c.status() == 200 && c.chatId() >= FIRST).size(), 1400, 60);
    Http.await(pool.query("SELECT pg_sleep(2.5)").execute());
    Map<Long, List<String>> later = deliveredByUser();
    assertThat(later.get(FIRST + 600)).hasSize(2);
    assertThat(later.get(FIRST + 600).get(1)).startsWith("🔄 Подписка продлена до");
    assertThat(later.get(FIRST + 800)).hasSize(2);
    assertThat(later.get(FIRST + 800).get(1)).startsWith("⏰ Подписка заканчивается завтра");
    assertThat(later.entrySet().stream().filter(e -> e.getKey() < FIRST + 600)).allSatisfy(e ->
        assertThat(e.getValue()).hasSize(1));
    assertThat(telegram.calls("sendMessage", c -> c.status() == 200 && c.chatId() >= FIRST)).hasSize(1400);
    assertThat(Ledgers.count(pool, "SELECT count(*) FROM transactions WHERE type = 'subscription' AND user_id >= $1",
        FIRST)).isEqualTo(600);
    Ledgers.assertConsistent(pool);
  }
}

package io.kopeck.telegram;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.audit.AuditLog.Actor;
import io.kopeck.common.StrictJson;
import io.kopeck.i18n.TextBook;
import io.kopeck.i18n.Texts;
import io.kopeck.testsupport.BotChat;
import io.kopeck.testsupport.FakeTelegram;
import io.kopeck.testsupport.FakeTelegram.Call;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.KopeckProcess;
import io.kopeck.testsupport.RunningService;
import io.kopeck.testsupport.TestKeys;
import io.kopeck.testsupport.Updates;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;

/** The owner's words (SPEC §20): texts files, BOT_NAME, BOT_COMMANDS, languages, tariff names, through the webhook. */
class YourWordsTest {
  private static final FakeTelegram telegram = new FakeTelegram();
  private static Path texts;
  private static RunningService service;
  private static BotChat chat;

  @BeforeAll
  static void start() throws IOException {
    texts = Files.createTempDirectory("kopeck-texts");
    Files.writeString(texts.resolve("en.properties"), """
        start.greeting=Welcome to Acme, {0}. You have {1}.
        cmd.shop=Our shop
        """, StandardCharsets.UTF_8);
    Files.writeString(texts.resolve("uk.properties"), """
        start.greeting=Вітаємо, {0}! Баланс: {1}.
        cmd.balance=Баланс
        noun.tokens.one=токен
        noun.tokens.few=токени
        noun.tokens.many=токенів
        noun.tokens.fraction=токена
        """, StandardCharsets.UTF_8);
    service = RunningService.start(Map.of("TELEGRAM_BOT_TOKEN", FakeTelegram.TOKEN,
        "TELEGRAM_WEBHOOK_SECRET", TestKeys.WEBHOOK_SECRET, "TELEGRAM_API_URL", telegram.url(),
        "TELEGRAM_RATE_PER_CHAT", "50", "TEXTS_DIR", texts.toString(), "BOT_NAME", "Acme Assistant",
        "BOT_COMMANDS", "start,balance,shop,tariffs,help"), java.time.Clock.systemUTC());
    chat = new BotChat(telegram, service.http(), TestKeys.WEBHOOK_SECRET);
  }

  @AfterAll
  static void stop() {
    service.close();
    telegram.close();
    Texts.use(TextBook.builtIn()); // the next test class starts from the jar's texts
  }

  @Test
  @DisplayName("an override changes /start; a uk user reads the uk file, and English where it has no text")
  void overridesAndLanguages() {
    Call english = chat.say(Updates.user(881_000_001L, "Ann", "Lee", "en"), "/start", "Welcome to Acme");
    Call ukrainian = chat.say(Updates.user(881_000_002L, "Олена", "К", "uk"), "/start", "Вітаємо");
    Call ukHelp = chat.say(Updates.user(881_000_002L, "Олена", "К", "uk"), "/help", "Commands");

    assertThat(english.text()).startsWith("Welcome to Acme, Ann. You have 0 tokens.");
    assertThat(ukrainian.text()).startsWith("Вітаємо, Олена! Баланс: 0 токенів.");
    assertThat(ukHelp.text()).contains("/balance");
  }

  @Test
  @DisplayName("BOT_NAME replaces Kopeck in the bot's texts, its profile included")
  void botName() {
    Call description = telegram.await("setMyDescription", c -> "en".equals(c.params().getString("language_code")),
        1, 10).get(0);
    assertThat(description.params().getString("description")).startsWith("Acme Assistant keeps your token balance")
        .doesNotContain("Kopeck");
    Call ru = chat.say(Updates.user(881_000_003L, "Иван", "И", "ru"), "/start", "Привет");
    assertThat(ru.text()).contains("Я Acme Assistant").doesNotContain("Kopeck");
  }

  @Test
  @DisplayName("BOT_COMMANDS sets the menu and its order in every language, a product command described by its cmd. text")
  void menu() {
    Call en = telegram.await("setMyCommands", c -> "en".equals(c.params().getString("language_code")), 1, 10).get(0);
    Call uk = telegram.await("setMyCommands", c -> "uk".equals(c.params().getString("language_code")), 1, 10).get(0);

    assertThat(commands(en)).containsExactly("start", "balance", "shop", "tariffs", "help");
    assertThat(en.params().getJsonArray("commands").getJsonObject(2).getString("description")).isEqualTo("Our shop");
    assertThat(uk.params().getJsonArray("commands").getJsonObject(1).getString("description")).isEqualTo("Баланс");
  }

  @Test
  @DisplayName("an English user reads the tariffs' English names (Basic, not Базовый)")
  void tariffNames() {
    Call tariffs = chat.say(Updates.user(881_000_004L, "Kim", "Ro", "en"), "/tariffs", "Tariffs");
    assertThat(tariffs.text()).contains("Basic", "Standard").doesNotContain("Базовый");
    Call ru = chat.say(Updates.user(881_000_005L, "Ким", "Ро", "ru"), "/tariffs", "Тарифы");
    assertThat(ru.text()).contains("Базовый");
  }

  @Test
  @DisplayName("a promo code's description in the user's language, under the confirmation; a tariff renamed per language by the admin's change")
  void catalogInTheUsersLanguage() {
    Http.await(service.app().services().promoCodes().create(StrictJson.readObject(
        "{\"code\": \"ACME10\", \"discount_type\": \"percent\", \"discount_value\": 10, \"descriptions\": "
            + "{\"en\": \"Ten percent off your next top-up\", \"uk\": \"Мінус десять відсотків\"}}"), Actor.SYSTEM));
    Http.await(service.app().services().tariffs().update("pro", StrictJson.readObject(
        "{\"names\": {\"en\": \"Professional\", \"uk\": \"Професійний\"}}"), Actor.SYSTEM));
    JsonObject en = Updates.user(881_000_006L, "Al", "Bo", "en");
    JsonObject uk = Updates.user(881_000_007L, "Ол", "Бо", "uk");

    chat.say(en, "/promo", "code");
    Call saved = chat.say(en, "acme10", "ACME10");
    chat.say(uk, "/promo", "");
    Call ukSaved = chat.say(uk, "ACME10", "ACME10");
    Call ukTariffs = chat.say(uk, "/tariffs", "Професійний");

    assertThat(saved.text()).endsWith("\nTen percent off your next top-up");
    assertThat(ukSaved.text()).endsWith("\nМінус десять відсотків");
    assertThat(ukTariffs.text()).contains("Basic"); // no uk name: English, then Russian
  }

  @Test
  @DisplayName("a texts file with an unknown key stops serve with exit 2 and one line naming file and key; texts check lists it")
  void badFileStopsStartUp() throws Exception {
    Path bad = Files.createTempDirectory("kopeck-bad-texts");
    Files.writeString(bad.resolve("en.properties"), "start.greting=Hi\n", StandardCharsets.UTF_8);
    Map<String, String> env = Map.of("TEXTS_DIR", bad.toString(), "DATABASE_URL", service.db().url().connectionUri(),
        "HTTP_PORT", "0");

    KopeckProcess.Run serve = KopeckProcess.run(env, "serve");
    KopeckProcess.Run check = KopeckProcess.run(env, "texts", "check");
    KopeckProcess.Run export = KopeckProcess.run(env, "texts", "export", "en");

    assertThat(serve.exitCode()).isEqualTo(2);
    assertThat(serve.output().strip()).isEqualTo("kopeck: configuration error: TEXTS_DIR: "
        + bad.resolve("en.properties") + ": start.greting: not a key of the bot's texts (kopeck texts export en "
        + "lists them)");
    assertThat(check.exitCode()).isEqualTo(2);
    assertThat(check.output()).contains("start.greting").contains("1 problem(s)");
    assertThat(export.exitCode()).isZero();
    assertThat(export.output()).contains("\nstart.greeting=Hi, {0}! I am Kopeck").contains("\nrun.done=");
  }

  private static List<String> commands(Call call) {
    return call.params().getJsonArray("commands").stream().map(c -> ((JsonObject) c).getString("command")).toList();
  }
}

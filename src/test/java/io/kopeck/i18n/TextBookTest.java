package io.kopeck.i18n;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.math.BigDecimal;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The bot's texts and the owner's files that change them (SPEC §20). */
class TextBookTest {
  @TempDir
  Path dir;

  @AfterEach
  void builtInAgain() {
    Texts.use(TextBook.builtIn());
  }

  private void file(String name, String content) throws IOException {
    Files.writeString(dir.resolve(name), content, StandardCharsets.UTF_8);
  }

  @Test
  @DisplayName("every built-in key exists in ru and en, with the same placeholders")
  void builtInsMatch() {
    Map<String, String> ru = TextBook.export("ru");
    Map<String, String> en = TextBook.export("en");

    assertThat(en.keySet()).isEqualTo(ru.keySet());
    for (String key : ru.keySet()) {
      assertThat(Placeholders.of(en.get(key))).as(key).isEqualTo(Placeholders.of(ru.get(key)));
    }
  }

  @Test
  @DisplayName("BOT_NAME replaces Kopeck in every built-in text of both languages, and the CLI's name stays")
  void botName() {
    TextBook book = TextBook.load(dir, "Acme Bot", Set.of());

    for (String language : List.of("ru", "en")) {
      Map<String, String> texts = book.texts(language);
      assertThat(texts).as(language).hasSameSizeAs(TextBook.export(language));
      texts.forEach((key, text) -> assertThat(text).as(language + " " + key).doesNotContain("Kopeck"));
    }
    assertThat(book.texts("en").get("start.greeting")).contains("I am Acme Bot");
    assertThat(book.texts("en").get("notice.admin.stars.reconcile")).contains("kopeck stars reconcile");
  }

  @Test
  @DisplayName("an override changes one key; a uk file serves uk-UA users, falling back to English, then Russian")
  void overridesAndAnotherLanguage() throws IOException {
    file("en.properties", "start.greeting=Hello {0}! Balance {1}.\n");
    file("uk.properties", "cancelled=Скасовано.\nnoun.tokens.one=токен\nnoun.tokens.few=токени\n"
        + "noun.tokens.many=токенів\nnoun.tokens.fraction=токена\n");
    Texts.use(TextBook.load(dir, "Kopeck", Set.of()));

    Texts uk = Texts.forLanguage("uk-UA");
    assertThat(Texts.forLanguage("en-GB").get("start.greeting", "Ann", "5")).isEqualTo("Hello Ann! Balance 5.");
    assertThat(Texts.forLanguage("ru").get("start.greeting", "Аня", "5")).startsWith("Привет, Аня!");
    assertThat(uk.language()).isEqualTo("uk");
    assertThat(uk.get("cancelled")).isEqualTo("Скасовано.");
    assertThat(uk.get("nothing_to_cancel")).isEqualTo(Texts.forLanguage("en").get("nothing_to_cancel"));
    assertThat(uk.tokens(new BigDecimal("1234.5"))).isEqualTo("1 234,5 токена");
    assertThat(uk.tokens(new BigDecimal("3"))).isEqualTo("3 токени");
    assertThat(Texts.forLanguage("de").language()).isEqualTo("ru");
    assertThat(Texts.languages()).containsExactly("ru", "en", "uk");
  }

  @Test
  @DisplayName("unknown keys and placeholder mismatches are problems naming file and key; a product command's cmd. text is allowed")
  void problems() throws IOException {
    file("en.properties", "start.greting=Hi\nrun.done=Done {0}, charged {1}\ncmd.shop=Our shop\n"
        + "balance.text=Balance '{0}'\n");

    List<TextBook.Problem> problems = TextBook.check(dir, Set.of("shop"));

    assertThat(problems).extracting(TextBook.Problem::key)
        .containsExactly("balance.text", "run.done", "start.greting");
    assertThat(problems.get(1).toString()).isEqualTo(dir.resolve("en.properties") + ": run.done: placeholders "
        + "{0} {1} {2} expected, {0} {1} found");
    assertThat(problems.get(2).problem()).contains("not a key");
    assertThatThrownBy(() -> TextBook.load(dir, "Kopeck", Set.of("shop")))
        .hasMessageStartingWith(dir.resolve("en.properties") + ": balance.text: placeholders");
    assertThat(TextBook.check(dir.resolve("missing"), Set.of())).isEmpty();
  }
}

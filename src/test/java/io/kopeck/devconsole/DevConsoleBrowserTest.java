package io.kopeck.devconsole;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.testsupport.Browser;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The developer console in a real headless Chromium: the page posts updates to the webhook, the
 * bot answers through the console's recording Bot API, and the page shows what it sent.
 */
class DevConsoleBrowserTest {
  static final int COST_WINDOW_MS = 300;

  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("DEV_CONSOLE", "true",
      "COST_MESSAGE_WINDOW_MS", Integer.toString(COST_WINDOW_MS), "TELEGRAM_RATE_PER_CHAT", "50"));
  private ChromeDriver browser;

  @BeforeAll
  static void needsChromium() {
    Assumptions.assumeTrue(Browser.available(),
        "No Chromium here (install Debian's chromium and chromium-driver; .ci/run does): browser test skipped");
  }

  @BeforeEach
  void open() {
    browser = Browser.open(1280, 900);
    browser.get("http://localhost:" + service.app().httpPort() + "/dev");
    waitFor(Duration.ofSeconds(10), () -> browser.findElement(By.id("status")).getText().equals("live"));
  }

  @AfterEach
  void close() {
    if (browser != null) {
      browser.quit();
    }
  }

  private void waitFor(Duration timeout, java.util.function.BooleanSupplier done) {
    new WebDriverWait(browser, timeout).ignoring(RuntimeException.class).until(driver -> done.getAsBoolean());
  }

  private WebElement chat(long user) {
    return browser.findElement(By.cssSelector(".chat[data-user='" + user + "']"));
  }

  private void say(long user, String text) {
    WebElement input = chat(user).findElement(By.cssSelector(".composer .text"));
    input.sendKeys(text, Keys.ENTER);
  }

  private List<WebElement> botMessages(long user) {
    return chat(user).findElements(By.cssSelector(".message.bot"));
  }

  private WebElement awaitBotMessage(long user, String text) {
    waitFor(Duration.ofSeconds(10), () -> botMessages(user).stream().anyMatch(m -> m.getText().contains(text)));
    return botMessages(user).stream().filter(m -> m.getText().contains(text)).reduce((a, b) -> b).orElseThrow();
  }

  private static WebElement button(WebElement parent, String label) {
    return parent.findElements(By.tagName("button")).stream().filter(b -> b.getText().startsWith(label)).findFirst()
        .orElseThrow(() -> new AssertionError("no button " + label + " in " + parent.getText()));
  }

  @Test
  @DisplayName("/start → menu → /tariffs → a tariff (the message edited in place) → Pay → the mock page in a new tab "
      + "→ Pay → back in the console the payment notice and the new balance")
  void purchase() {
    say(100001, "/start");
    awaitBotMessage(100001, "Привет, Анна");
    button(chat(100001).findElement(By.className("reply-keyboard")), "📋 Тарифы").click();
    WebElement tariffs = awaitBotMessage(100001, "Тарифы");
    int messages = botMessages(100001).size();
    String messageId = tariffs.getAttribute("data-message-id");

    button(tariffs, "Стандарт").click();
    waitFor(Duration.ofSeconds(10), () -> tariffs.getText().contains("Счёт №"));
    assertThat(botMessages(100001)).hasSize(messages);
    assertThat(tariffs.getAttribute("data-message-id")).isEqualTo(messageId);
    assertThat(tariffs.getAttribute("class")).contains("edited");
    Browser.screenshot(browser, "dev-console-invoice");

    String console = browser.getWindowHandle();
    tariffs.findElement(By.cssSelector(".inline-keyboard button.url")).click();
    waitFor(Duration.ofSeconds(10), () -> browser.getWindowHandles().size() == 2);
    String page = new ArrayList<>(browser.getWindowHandles()).stream().filter(h -> !h.equals(console)).findFirst()
        .orElseThrow();
    browser.switchTo().window(page);
    waitFor(Duration.ofSeconds(10), () -> browser.findElement(By.id("pay")).isDisplayed());
    browser.findElement(By.id("pay")).click();
    waitFor(Duration.ofSeconds(10), () -> browser.findElement(By.id("result")).getText().equals("Оплата прошла"));
    browser.close();
    browser.switchTo().window(console);

    WebElement notice = awaitBotMessage(100001, "Оплата по счёту");
    assertThat(notice.getText()).contains("499,00 ₽", "Баланс: 600 токенов");
    awaitBotMessage(1000, "Оплата: счёт №");
    Browser.screenshot(browser, "dev-console"); // the README's docs/img/dev-console.png is a copy of this one
    assertThat(Ledgers.balance(service.pool(), 100001)).isEqualByComparingTo("600");
  }

  @Test
  @DisplayName("⭐ Stars from the preview: the invoice's Pay button runs pre-checkout and successful_payment through "
      + "the webhook; the payment notice and the balance arrive")
  void stars() {
    browser.findElement(By.id("new-id")).sendKeys("100004");
    browser.findElement(By.id("new-name")).sendKeys("Stella");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("new-lang"))).selectByValue("en");
    browser.findElement(By.cssSelector("#add-user button")).click();
    say(100004, "/tariffs");
    WebElement tariffs = awaitBotMessage(100004, "Tariffs");
    button(tariffs, "Standard").click(); // an English user reads the tariffs' English names (SPEC §20)
    waitFor(Duration.ofSeconds(10), () -> tariffs.getText().contains("Invoice #"));
    button(tariffs, "⭐ Stars").click();
    WebElement invoice = awaitBotMessage(100004, "Pay ⭐ 330");
    button(invoice, "Pay ⭐ 330").click();
    WebElement notice = awaitBotMessage(100004, "⭐ 330.");
    assertThat(notice.getText()).contains("600 tokens");
    Browser.screenshot(browser, "dev-console-stars");
    assertThat(Ledgers.balance(service.pool(), 100004)).isEqualByComparingTo("600");
  }

  @Test
  @DisplayName("a track_cost from the Runner panel: charged, and the cost message arrives within the window + 1 s")
  void runnerPanel() {
    say(100002, "/start");
    awaitBotMessage(100002, "Hi, Bob");
    Ledgers.seedUser(service.pool(), 100002, "100");
    new org.openqa.selenium.support.ui.Select(browser.findElement(By.id("runner-user"))).selectByValue("100002");
    browser.findElement(By.id("runner-send")).click();
    waitFor(Duration.ofSeconds(5), () -> browser.findElement(By.id("runner-answer")).getText().startsWith("200"));
    long sent = System.nanoTime();
    awaitBotMessage(100002, "Done");
    long millis = (System.nanoTime() - sent) / 1_000_000;
    assertThat(millis).isLessThan(COST_WINDOW_MS + 1_000);
    assertThat(browser.findElement(By.id("runner-answer")).getText()).contains("\"status\":\"charged\"",
        "balance 98.4300");
  }

  @Test
  @DisplayName("two users do not see each other's messages; an HTML-hostile first name is shown as text")
  void separateAndEscaped() {
    browser.findElement(By.id("new-id")).sendKeys("100003");
    browser.findElement(By.id("new-name")).sendKeys("<img src=x onerror=alert(1)><b>Eve</b>");
    browser.findElement(By.cssSelector("#add-user button")).click();
    say(100003, "/start");
    WebElement greeting = awaitBotMessage(100003, "Привет");
    assertThat(greeting.getText()).contains("Привет, <img src=x onerror=alert(1)><b>Eve</b>!");
    assertThat(chat(100003).findElements(By.cssSelector(".messages img"))).isEmpty();
    assertThat(greeting.findElements(By.tagName("b")).stream().map(WebElement::getText)).doesNotContain("Eve");

    say(100001, "/help");
    awaitBotMessage(100001, "Команды");
    assertThat(botMessages(100003)).noneMatch(m -> m.getText().contains("Команды"));
    assertThat(botMessages(100002)).noneMatch(m -> m.getText().contains("Команды") || m.getText().contains("Eve"));
    Browser.screenshot(browser, "dev-console-users");

    browser.manage().window().setSize(new org.openqa.selenium.Dimension(412, 915));
    waitFor(Duration.ofSeconds(5), () -> chat(100001).getSize().getWidth() <= 412);
    assertThat(chat(100001).findElement(By.cssSelector(".composer .text")).isDisplayed()).isTrue();
    Browser.screenshot(browser, "dev-console-phone");
  }

  @Test
  @DisplayName("the demo track (SPEC §18): /demo, a text, the status message moving, two outputs, a file, the charge and a rating — all from the console's own Runner")
  void demoTrack() {
    say(100002, "/start");
    awaitBotMessage(100002, "What shall I run?");
    Ledgers.seedUser(service.pool(), 100002, "20");
    button(awaitBotMessage(100002, "What shall I run?"), "Demo track").click();
    awaitBotMessage(100002, "Demo track: send the text");
    say(100002, "Hello from the console, a demo of a run");

    waitFor(Duration.ofSeconds(20), () -> botMessages(100002).stream().anyMatch(m -> m.getText().contains("Charged")));
    // The status message, edited in place as the run went, and a last time when it ended.
    WebElement status = awaitBotMessage(100002, "Demo track: finished.");
    WebElement summary = awaitBotMessage(100002, "Summary");
    assertThat(summary.findElements(By.tagName("b")).stream().map(WebElement::getText)).contains("Summary");
    assertThat(summary.getText()).contains("<b>this</b>");
    awaitBotMessage(100002, "Second output, plain text: Hello from the console");
    WebElement file = awaitBotMessage(100002, "demo-report.md");
    assertThat(file.getText()).contains("The whole report", "> Hello from the console");
    WebElement done = awaitBotMessage(100002, "Charged");
    assertThat(done.getText()).contains("Demo track: done. Charged 0.", "How was it?");
    assertThat(status.getAttribute("class")).contains("edited");
    button(done, "🤩").click();
    waitFor(Duration.ofSeconds(10), () -> Ledgers.count(service.pool(),
        "SELECT count(*) FROM runner_runs WHERE user_id = 100002 AND rating = 3") == 1);
    browser.manage().window().setSize(new org.openqa.selenium.Dimension(1280, 1500));
    waitFor(Duration.ofSeconds(5), () -> chat(100002).getSize().getHeight() > 1000);
    Browser.screenshot(browser, "console-demo-track"); // docs/img/console-demo-track.png is a copy of this one
    assertThat(Ledgers.count(service.pool(), "SELECT count(*) FROM transactions WHERE user_id = 100002 "
        + "AND idempotency_key LIKE 'run:%:settle'")).isEqualTo(1);
    assertThat(Ledgers.count(service.pool(), "SELECT count(*) FROM users WHERE id = 100002 AND held = 0")).isEqualTo(1);
  }

  @Test
  @DisplayName("the admin chat takes commands; a press's toast shows in its own chat; a chat added by hand is scrolled "
      + "into view; / leads to /dev")
  void conveniences() {
    say(1000, "/admin_stats");
    waitFor(Duration.ofSeconds(10), () -> botMessages(1000).stream()
        .anyMatch(m -> m.getText().contains("Статистика") || m.getText().contains("Statistics")));

    browser.executeScript("press(consoleState.chats.get(100002).user, 1, 'no-such-button')");
    waitFor(Duration.ofSeconds(10), () -> chat(100002).findElements(By.className("chat-toast")).stream()
        .anyMatch(t -> t.getText().contains("out of date")));
    assertThat(chat(100001).findElements(By.className("chat-toast"))).isEmpty();

    browser.findElement(By.id("new-id")).sendKeys("100005");
    browser.findElement(By.id("new-name")).sendKeys("Dora");
    browser.findElement(By.id("new-name")).sendKeys(Keys.ENTER);
    waitFor(Duration.ofSeconds(5), () -> Boolean.TRUE.equals(browser.executeScript(
        "const r = arguments[0].getBoundingClientRect(); return r.top >= 0 && r.top < window.innerHeight;",
        chat(100005))));

    browser.get("http://localhost:" + service.app().httpPort() + "/");
    waitFor(Duration.ofSeconds(10), () -> browser.getCurrentUrl().matches(".*/dev/?"));
  }
}

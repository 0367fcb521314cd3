package io.kopeck.payment;

import static org.assertj.core.api.Assertions.assertThat;

import io.kopeck.app.Settings;
import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.Invoices;
import io.kopeck.config.KopeckConfig;
import io.kopeck.testsupport.Browser;
import io.kopeck.testsupport.Http;
import io.kopeck.testsupport.Ledgers;
import io.kopeck.testsupport.ServiceExtension;
import io.kopeck.testsupport.TestServices;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.DisplayName;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.openqa.selenium.By;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.ExpectedConditions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The mock payment pages in a real headless Chromium (Debian's chromium and chromium-driver, no
 * driver download). Skipped, saying why, only where no Chromium can be had. Screenshots go to
 * target/screenshots/.
 */
class MockPaymentBrowserTest {
  @RegisterExtension
  static final ServiceExtension service = new ServiceExtension(Map.of("PAYMENT_PROVIDER", "mock"));
  private static Invoices invoices;
  private ChromeDriver browser;

  @BeforeAll
  static void start() {
    Assumptions.assumeTrue(Browser.available(),
        "No Chromium here (install Debian's chromium and chromium-driver; .ci/run does): browser test skipped");
    KopeckConfig config = service.app().config();
    invoices = TestServices.invoices(service.pool(), Clock.systemUTC(), Settings.invoices(config),
        Settings.paymentProviders(config, "http://localhost:" + service.app().httpPort()).methods());
  }


  @BeforeEach
  void openBrowser() {
    browser = Browser.open(412, 915);
  }

  @AfterEach
  void closeBrowser() {
    if (browser != null) {
      browser.quit();
    }
    Ledgers.assertConsistent(service.pool());
  }

  private void screenshot(String name) {
    Browser.screenshot(browser, name);
  }

  private String resultHeading() {
    return new WebDriverWait(browser, Duration.ofSeconds(20))
        .until(ExpectedConditions.visibilityOfElementLocated(By.id("result"))).getText();
  }

  @Test
  @DisplayName("in Chromium: open the payment link of a real invoice, click Pay, land on the success page, balance credited")
  void pay() {
    Ledgers.seedUser(service.pool(), 1L, "0");
    Invoice invoice = Http.await(invoices.forTariff(1, "standard", null));

    browser.get(invoice.paymentUrl());
    screenshot("mock-payment-page");
    assertThat(browser.findElement(By.id("amount")).getText()).isEqualTo("499,00 ₽");
    assertThat(browser.findElement(By.id("merchant")).getText()).isEqualTo("kopeck-demo");
    browser.findElement(By.id("pay")).click();
    String heading = resultHeading();
    screenshot("mock-payment-success");

    assertThat(heading).isEqualTo("Оплата прошла");
    assertThat(browser.getCurrentUrl()).contains("/mock-payment/success?");
    assertThat(Ledgers.balance(service.pool(), 1)).isEqualByComparingTo("600");
  }

  @Test
  @DisplayName("in Chromium: click Cancel, land on the fail page, nothing credited")
  void cancel() {
    Ledgers.seedUser(service.pool(), 2L, "0");
    Invoice invoice = Http.await(invoices.forTariff(2, "basic", null));

    browser.get(invoice.paymentUrl());
    browser.findElement(By.id("cancel")).click();
    String heading = resultHeading();
    screenshot("mock-payment-fail");

    assertThat(heading).isEqualTo("Оплата отменена");
    assertThat(Ledgers.balance(service.pool(), 2)).isEqualByComparingTo("0");
    assertThat(Ledgers.count(service.pool(), "SELECT count(*) FROM invoices WHERE inv_id = $1 AND status = 'pending'",
        invoice.invId())).isEqualTo(1);
  }
}

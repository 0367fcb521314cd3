package io.kopeck.testsupport;

import io.kopeck.app.Settings;
import io.kopeck.catalog.Invoices;
import io.kopeck.config.KopeckConfig;
import io.vertx.sqlclient.Pool;
import java.net.URI;
import java.time.Clock;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads the mock provider's payment page the way a browser would. */
public final class MockPaymentForms {
  private MockPaymentForms() {
  }

  /** Invoices whose payment URLs point at the mock provider's pages on {@code port}. */
  public static Invoices invoices(Pool pool, Clock clock, KopeckConfig config, int port) {
    return TestServices.invoices(pool, clock, Settings.invoices(config), Settings.paymentProviders(config, "http://localhost:" + port).methods());
  }

  /** Opens the payment page of {@code paymentUrl} and presses Pay, as a browser would; the answer to Pay. */
  public static Http.Response pay(Http http, String paymentUrl) {
    Http.Response page = http.get(pathOf(paymentUrl), null);
    return http.post("/mock-payment/pay", null, "application/x-www-form-urlencoded", formOf(page.body()));
  }

  /** Path and query of a payment URL, to open it on the local server whatever base URL it names. */
  public static String pathOf(String url) {
    URI uri = URI.create(url);
    return uri.getRawPath() + "?" + uri.getRawQuery();
  }

  /** The hidden fields of the page's first form, as the browser would post them. */
  public static String formOf(String page) {
    Map<String, String> fields = new LinkedHashMap<>();
    Matcher m = Pattern.compile("<input type=\"hidden\" name=\"([^\"]*)\" value=\"([^\"]*)\">").matcher(page);
    while (m.find()) {
      fields.putIfAbsent(unescape(m.group(1)), unescape(m.group(2)));
    }
    return Http.form(fields);
  }

  private static String unescape(String html) {
    return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
        .replace("&amp;", "&");
  }
}

package io.kopeck.payment;

import io.kopeck.i18n.Texts;
import java.math.BigDecimal;
import java.util.Map;

/** The HTML of Kopeck's own payment pages (the mock, the YooKassa return page); every value from a request is escaped. */
final class PaymentHtml {
  private static final String STYLE = """
      body{margin:0;font-family:-apple-system,system-ui,'Segoe UI',Roboto,sans-serif;background:#f4f5f7;color:#1d2330}
      main{max-width:420px;margin:0 auto;padding:24px 16px}
      .card{background:#fff;border-radius:14px;box-shadow:0 2px 10px rgba(0,0,0,.07);padding:24px}
      h1{font-size:20px;margin:0 0 16px}
      .badge{display:inline-block;font-size:12px;background:#fff3cd;color:#7a5a00;border-radius:6px;padding:2px 8px;margin-bottom:12px}
      dl{margin:0 0 20px}dt{font-size:13px;color:#6b7280;margin-top:10px}dd{margin:2px 0 0;font-size:16px}
      .amount{font-size:28px;font-weight:600}
      form{margin:0}button{width:100%;font-size:17px;padding:14px;border-radius:10px;border:0;margin-top:10px;cursor:pointer}
      .pay{background:#2563eb;color:#fff}.cancel{background:#e5e7eb;color:#1d2330}
      .ok{color:#15803d}.bad{color:#b91c1c}p{line-height:1.5}
      .legal{font-size:13px;text-align:center;color:#6b7280}.legal a{color:#6b7280}""";

  private PaymentHtml() {
  }

  static String paymentPage(String merchant, Map<String, String> params) {
    StringBuilder hidden = new StringBuilder();
    params.forEach((k, v) -> hidden.append("<input type=\"hidden\" name=\"").append(escape(k)).append("\" value=\"")
        .append(escape(v)).append("\">"));
    return page("Оплата счёта", """
        <span class="badge">Тестовый платёж — деньги не списываются</span>
        <h1>Оплата счёта</h1>
        <dl>
          <dt>Магазин</dt><dd id="merchant">%s</dd>
          <dt>Назначение</dt><dd id="description">%s</dd>
          <dt>Счёт</dt><dd>№%s</dd>
          <dt>К оплате</dt><dd class="amount" id="amount">%s</dd>
        </dl>
        <form method="post" action="/mock-payment/pay">%s<button class="pay" id="pay" type="submit">Оплатить</button></form>
        <form method="post" action="/mock-payment/cancel">%s<button class="cancel" id="cancel" type="submit">Отменить</button></form>
        """.formatted(escape(merchant), escape(params.getOrDefault("Description", "")), escape(params.get("InvId")),
        escape(roubles(params.get("OutSum"))), hidden, hidden));
  }

  /** An amount the way the bot writes it ({@code 199,00 ₽}): one money format on every page. */
  static String roubles(String outSum) {
    if (outSum == null) {
      return "";
    }
    try {
      return Texts.forLanguage("ru").rub(new BigDecimal(outSum));
    } catch (NumberFormatException e) {
      return outSum; // the page shows what the link says; paying it is checked by the signature
    }
  }

  static String message(String title, String text, boolean ok) {
    return page(title, "<h1 class=\"" + (ok ? "ok" : "bad") + "\" id=\"result\">" + escape(title) + "</h1><p>"
        + escape(text) + "</p>");
  }

  private static String page(String title, String body) {
    return "<!doctype html><html lang=\"ru\"><head><meta charset=\"utf-8\">"
        + "<meta name=\"viewport\" content=\"width=device-width,initial-scale=1\"><title>" + escape(title)
        + "</title><style>" + STYLE + "</style></head><body><main><div class=\"card\">" + body
        + "</div><p class=\"legal\"><a href=\"/legal/offer\">Оферта</a> · "
        + "<a href=\"/legal/privacy\">Конфиденциальность</a></p></main></body></html>";
  }

  static String escape(String value) {
    if (value == null) {
      return "";
    }
    StringBuilder out = new StringBuilder(value.length());
    for (char c : value.toCharArray()) {
      switch (c) {
        case '&' -> out.append("&amp;");
        case '<' -> out.append("&lt;");
        case '>' -> out.append("&gt;");
        case '"' -> out.append("&quot;");
        case '\'' -> out.append("&#39;");
        default -> out.append(c);
      }
    }
    return out.toString();
  }
}

package io.kopeck.telegram;

import static io.kopeck.telegram.Screen.button;
import static io.kopeck.telegram.Screen.link;

import io.kopeck.botapi.Html;
import io.kopeck.catalog.CatalogRefusal;
import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.Invoices;
import io.kopeck.catalog.PaymentLinks;
import io.kopeck.catalog.PromoCode;
import io.kopeck.catalog.PromoProblem;
import io.kopeck.catalog.Tariff;
import io.kopeck.catalog.TariffCatalog;
import io.kopeck.common.Refused;
import io.kopeck.i18n.Texts;
import io.kopeck.telegram.BotSessions.Conversation;
import io.kopeck.telegram.CallbackData.Action;
import io.kopeck.user.Users;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.math.BigDecimal;
import java.time.ZoneId;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Buying (SPEC §4, §8): /tariffs → a tariff → the invoice preview with its Pay link → optionally a
 * promo code → the preview with the discount; and the custom-amount conversation. A promo code
 * saved by /promo is applied to the next invoice and then forgotten.
 */
final class PurchaseScreens {
  static final String OPEN_INVOICE = """
      SELECT i.inv_id, i.original_amount, i.provider, i.currency, t.slug, t.price_stars, pc.code AS promo_code,
        coalesce(t.names ->> #{language}, CASE WHEN #{language} <> 'ru' THEN t.names ->> 'en' END, t.name) AS name,
        (i.period_unit IS DISTINCT FROM t.period_unit
         OR i.original_amount IS DISTINCT FROM (CASE i.currency WHEN 'XTR' THEN t.price_stars ELSE t.price END))
          AS custom
      FROM invoices i JOIN tariffs t ON t.id = i.tariff_id LEFT JOIN promo_codes pc ON pc.id = i.promo_code_id
      WHERE i.inv_id = #{inv_id} AND i.user_id = #{user_id} AND i.status = 'pending'""";
  private static final String SAVED_PROMO = "SELECT saved_promo_code FROM users WHERE id = #{user_id}";

  private final SqlTemplate<Map<String, Object>, RowSet<Row>> openInvoice;
  private final SqlTemplate<Map<String, Object>, RowSet<Row>> savedPromo;
  private final TariffCatalog catalog;
  private final Invoices invoices;
  private final Users users;
  private final BotSessions sessions;
  private final BigDecimal minTopup;
  private final BigDecimal maxTopup;
  private final ZoneId zone;
  private final Function<Texts, String> legal;

  PurchaseScreens(Pool pool, TariffCatalog catalog, Invoices invoices, Users users, BotSessions sessions,
                  BigDecimal minTopup,
                  BigDecimal maxTopup, ZoneId zone, Function<Texts, String> legal) {
    this.legal = legal;
    this.users = users;
    this.openInvoice = SqlTemplate.forQuery(pool, OPEN_INVOICE);
    this.savedPromo = SqlTemplate.forQuery(pool, SAVED_PROMO);
    this.catalog = catalog;
    this.invoices = invoices;
    this.sessions = sessions;
    this.minTopup = minTopup;
    this.maxTopup = maxTopup;
    this.zone = zone;
  }

  Future<Void> tariffs(Chat chat) {
    Texts texts = chat.texts();
    return saleable().compose(tariffs -> {
      if (tariffs.isEmpty()) {
        return chat.show(Screen.text(texts.get("tariffs.empty")));
      }
      StringBuilder text = new StringBuilder(texts.get("tariffs.title"));
      for (Tariff tariff : tariffs) {
        text.append("\n\n").append(texts.get("tariffs.item", "<b>" + Html.escape(tariff.name(texts.language())) + "</b>",
            price(texts, tariff), texts.tokens(tariff.tokens()),
            tariff.hasPeriod() ? texts.get("tariffs.item_period", period(texts, tariff)) : ""));
      }
      Screen.Builder screen = Screen.builder(text.toString());
      for (Tariff tariff : tariffs) {
        screen.row(button(tariff.name(texts.language()) + " — " + price(texts, tariff),
            CallbackData.of(Action.TARIFF, tariff.slug())));
      }
      return chat.show(screen.row(invoices.takesRoubles()
              ? button(texts.get("btn.custom"), CallbackData.of(Action.CUSTOM_AMOUNT)) : null,
          starsOn() ? button(texts.get("btn.stars_topup"), CallbackData.of(Action.STARS_TOPUP)) : null).build());
    });
  }

  /** A tariff's button: its invoice (with a saved promo code when there is one) as a preview. */
  Future<Boolean> tariff(Chat chat, String slug) {
    return saleable().compose(tariffs -> {
      Tariff tariff = tariffs.stream().filter(t -> t.slug().equals(slug)).findFirst().orElse(null);
      if (tariff == null) {
        return Future.succeededFuture(false); // a button of a tariff no longer on sale
      }
      return savedPromo(chat.userId()).compose(code -> withSavedPromo(chat, code,
              promo -> invoices.forTariff(chat.userId(), slug, promo)))
          .compose(invoice -> chat.show(preview(chat.texts(), invoice.invoice(), tariff.name(chat.texts().language()),
              invoice.code(),
              invoice.refusal(), tariff.soldForStars())))
          .map(true);
    });
  }

  /** An invoice and the promo code it carries, or why a saved one could not be used. */
  private record Issued(Invoice invoice, String code, String refusal) {
  }

  private Future<Issued> withSavedPromo(Chat chat, String code,
                                        Function<String, Future<Invoice>> issue) {
    if (code == null) {
      return issue.apply(null).map(invoice -> new Issued(invoice, null, null));
    }
    return issue.apply(code)
        .compose(invoice -> users.forgetPromoCode(chat.userId(), code)
            .map(v -> new Issued(invoice, code, null)))
        .recover(e -> e instanceof Refused refused && refused.refusal() instanceof PromoProblem
            ? issue.apply(null).map(invoice -> new Issued(invoice, null,
                RefusalTexts.of(chat.texts(), e, Html.escape(code), "").orElseThrow()))
            : Future.failedFuture(e));
  }

  /**
   * The invoice preview: what is bought and for how much, and one Pay button per enabled method
   * (a link where the invoice already has one; otherwise a button that makes the payment in that
   * method). Stars is offered only for tariffs with a Stars price ({@code starsOffered}).
   */
  Screen preview(Texts texts, Invoice invoice, String title, String code, String refusal, boolean starsOffered) {
    StringBuilder details = new StringBuilder();
    if (invoice.periodUnit() != null) {
      details.append(texts.get("invoice.period", period(texts, invoice.periodUnit(), invoice.periodValue())));
    }
    if (code != null && invoice.amount().compareTo(invoice.originalAmount()) < 0) {
      details.append(texts.get("invoice.discount", Html.code(code),
          texts.rub(invoice.originalAmount())));
    }
    if (code != null && invoice.bonusTokens().signum() > 0) {
      details.append(texts.get("invoice.bonus", Html.code(code),
          texts.tokens(invoice.bonusTokens())));
    }
    String text = texts.get("invoice.preview", Long.toString(invoice.invId()), Html.escape(title),
        texts.tokens(invoice.tokens()), details.toString(), texts.money(invoice.amount(), invoice.currency()),
        texts.dateTime(invoice.expiresAt(), zone));
    if (refusal != null) {
      text = texts.get("invoice.saved_promo_refused", refusal) + "\n\n" + text;
    }
    text += legal.apply(texts);
    Screen.Builder screen = Screen.builder(text);
    payButtons(screen, texts, invoice, starsOffered);
    return screen
        .row(invoice.promoCodeId() == null ? button(texts.get("btn.enter_promo"),
            CallbackData.of(Action.INVOICE_PROMO, invoice.invId())) : null,
            button(texts.get("btn.cancel"), CallbackData.of(Action.INVOICE_CANCEL, invoice.invId())))
        .build();
  }

  private void payButtons(Screen.Builder screen, Texts texts, Invoice invoice, boolean starsOffered) {
    List<PaymentLinks> methods = invoices.methods();
    if (methods.size() == 1 && invoice.paymentUrl() != null) {
      screen.row(link(texts.get("btn.pay", texts.money(invoice.amount(), invoice.currency())), invoice.paymentUrl()));
      return;
    }
    for (PaymentLinks method : methods) {
      PayMethod pay = PayMethod.ofProvider(method.name()).orElseThrow();
      boolean stars = pay == PayMethod.STARS;
      if (stars && !starsOffered) {
        continue;
      }
      String label = stars ? texts.get("btn.pay_stars")
          : texts.get("btn.pay_card", texts.rub(invoice.inStars() ? invoice.originalAmount() : invoice.amount()));
      boolean ownLink = method.name().equals(invoice.provider()) && invoice.paymentUrl() != null;
      screen.row(ownLink ? link(label, invoice.paymentUrl())
          : button(label, CallbackData.of(Action.PAY, invoice.invId() + "." + pay.code)));
    }
  }

  private boolean starsOn() {
    return invoices.methods().stream().anyMatch(m -> m.name().equals(PayMethod.STARS.provider));
  }

  /** A tariff's price: in roubles, and in Stars as well when Stars are on and it has a Stars price. */
  private String price(Texts texts, Tariff tariff) {
    String rub = texts.rub(tariff.price());
    return starsOn() && tariff.soldForStars()
        ? texts.get("tariffs.price_or_stars", rub, texts.stars(new BigDecimal(tariff.priceStars()))) : rub;
  }

  /** "Enter promo code" under an invoice: false when that invoice is no longer open. */
  Future<Boolean> askPromoForInvoice(Chat chat, long invId) {
    JsonObject asked = new JsonObject().put("inv_id", invId).put("message_id", chat.buttonMessageId());
    return openInvoice(chat.userId(), invId, chat.texts().language()).compose(row -> row == null ? Future.succeededFuture(false)
        : sessions.start(chat.userId(), Conversation.PROMO_CODE, asked, chat.now())
            .compose(v -> chat.send(chat.t("promo.ask_for_invoice", Long.toString(invId)))).map(true));
  }

  /**
   * The code typed for an open invoice: a new invoice with the discount replaces it — the old one is
   * cancelled in the same transaction and its message loses its Pay buttons (SPEC §17). A refused code
   * is explained and the conversation stays open for another try.
   */
  Future<Void> promoForInvoice(Chat chat, JsonObject session, String typed) {
    long invId = session.getLong("inv_id");
    String code = PromoCode.normalize(typed);
    return openInvoice(chat.userId(), invId, chat.texts().language()).compose(row -> {
      if (row == null) {
        return sessions.clear(chat.userId()).compose(v -> chat.send(chat.t("invoice.not_open")));
      }
      boolean custom = row.getBoolean("custom");
      return replace(chat, row, code, row.getString("provider"))
          .compose(invoice -> sessions.clear(chat.userId())
              .compose(v -> replaced(chat, session.getInteger("message_id"), invId, invoice))
              .compose(v -> chat.send(preview(chat.texts(), invoice,
                  custom ? chat.t("invoice.custom") : row.getString("name"), code, null,
                  !custom && row.getInteger("price_stars") != null))))
          .recover(e -> RefusalTexts.of(chat.texts(), e, Html.code(code), "").map(chat::send)
              .orElseGet(() -> Future.failedFuture(e)));
    });
  }

  /** The purchase of the open invoice {@code open} again, with {@code code}, in {@code provider}; {@code open} cancelled. */
  Future<Invoice> replace(Chat chat, Row open, String code, String provider) {
    boolean custom = open.getBoolean("custom");
    return invoices.replace(chat.userId(), open.getLong("inv_id"), custom ? null : open.getString("slug"),
        custom ? open.getBigDecimal("original_amount") : null, code, provider);
  }

  /** The replaced invoice's message (when known) says which invoice took its place, and keeps no Pay button. */
  Future<Void> replaced(Chat chat, Integer messageId, long oldInvId, Invoice current) {
    if (messageId == null) {
      return Future.succeededFuture();
    }
    return chat.edit(messageId, Screen.text(chat.t("invoice.replaced", Long.toString(oldInvId),
        Long.toString(current.invId()))));
  }

  Future<Boolean> cancelInvoice(Chat chat, long invId) {
    return invoices.cancel(chat.userId(), invId)
        .compose(invoice -> chat.show(Screen.text(chat.t("invoice.cancelled", Long.toString(invId)))).map(true))
        .recover(e -> Refused.is(e, CatalogRefusal.INVOICE_NOT_PENDING) ? Future.succeededFuture(false)
            : Future.failedFuture(e));
  }

  /** The one-tap top-up of /balance: MIN_TOPUP_RUB at once, no conversation. */
  Future<Void> quickTopUp(Chat chat) {
    Texts texts = chat.texts();
    return savedPromo(chat.userId())
        .compose(code -> withSavedPromo(chat, code, promo -> invoices.forAmount(chat.userId(), minTopup, promo)))
        .compose(issued -> chat.send(preview(texts, issued.invoice(), texts.get("invoice.custom"), issued.code(),
            issued.refusal(), false)));
  }

  Future<Void> askAmount(Chat chat) {
    return sessions.start(chat.userId(), Conversation.AMOUNT, new JsonObject(), chat.now())
        .compose(v -> chat.send(chat.t("amount.ask", chat.texts().rub(minTopup))));
  }

  /** The amount typed in the custom top-up conversation. */
  Future<Void> amount(Chat chat, String text) {
    Texts texts = chat.texts();
    BigDecimal amount = UserInput.positiveAmount(text, 2).orElse(null);
    if (amount == null) {
      return chat.send(texts.get("amount.invalid"));
    }
    if (amount.compareTo(minTopup) < 0) {
      return chat.send(texts.get("amount.too_small", texts.rub(minTopup)));
    }
    if (amount.compareTo(maxTopup) > 0) {
      return chat.send(texts.get("amount.too_large", texts.rub(maxTopup)));
    }
    return sessions.clear(chat.userId())
        .compose(v -> savedPromo(chat.userId()))
        .compose(code -> withSavedPromo(chat, code, promo -> invoices.forAmount(chat.userId(), amount, promo)))
        .compose(issued -> chat.send(preview(texts, issued.invoice(), texts.get("invoice.custom"), issued.code(),
            issued.refusal(), false)));
  }

  /** Active, non-trial tariffs; with Stars the only method, only those with a Stars price. */
  private Future<List<Tariff>> saleable() {
    boolean roubles = invoices.takesRoubles();
    return catalog.list().map(all -> all.stream().filter(t -> t.active() && !t.trial())
        .filter(t -> roubles || t.soldForStars()).toList());
  }

  /** The user's pending invoice {@code invId}, its tariff named in {@code language} (SPEC §20); null when not open. */
  Future<Row> openInvoice(long userId, long invId, String language) {
    return openInvoice.execute(Map.of("inv_id", invId, "user_id", userId, "language", language))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next());
  }

  private Future<String> savedPromo(long userId) {
    return savedPromo.execute(Map.of("user_id", userId))
        .map(rows -> rows.size() == 0 ? null : rows.iterator().next().getString("saved_promo_code"));
  }

  static String period(Texts texts, Tariff tariff) {
    return period(texts, tariff.periodUnit(), tariff.periodValue());
  }

  static String period(Texts texts, String unit, int value) {
    return texts.get("period." + unit, value);
  }
}

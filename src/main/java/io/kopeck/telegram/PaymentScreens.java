package io.kopeck.telegram;

import static io.kopeck.telegram.Screen.link;

import com.pengrad.telegrambot.model.request.LabeledPrice;
import com.pengrad.telegrambot.request.CreateInvoiceLink;
import com.pengrad.telegrambot.request.SendInvoice;
import io.kopeck.botapi.Html;
import io.kopeck.catalog.Invoice;
import io.kopeck.catalog.Invoices;
import io.kopeck.i18n.Texts;
import io.kopeck.payment.PaymentServices;
import io.kopeck.payment.StarsPayments;
import io.kopeck.payment.YooKassaPayments;
import io.kopeck.telegram.BotSessions.Conversation;
import io.kopeck.user.Users;
import io.vertx.core.Future;
import io.vertx.core.json.JsonObject;
import io.vertx.sqlclient.Pool;
import io.vertx.sqlclient.Row;
import io.vertx.sqlclient.RowSet;
import io.vertx.sqlclient.templates.SqlTemplate;
import java.math.BigDecimal;
import java.util.Map;

/**
 * Paying an invoice through a chosen method (SPEC §12, §13): the Pay button of a method other than
 * the invoice's makes the same purchase in that method (a sibling invoice, idempotent like any);
 * Stars are paid with a Telegram invoice ({@code sendInvoice}) or, for a monthly tariff with
 * STARS_SUBSCRIPTIONS, a subscription link ({@code createInvoiceLink}); YooKassa with the link of a
 * payment made through its API, after asking the receipt e-mail once when receipts are on. Also the
 * Stars top-up conversation (a number of Stars, TOKENS_PER_STAR each).
 */
final class PaymentScreens {
  private static final int TITLE_MAX = 32;
  private static final String EMAIL = "SELECT email FROM users WHERE id = #{user_id}";

  private final SqlTemplate<Map<String, Object>, RowSet<Row>> email;
  private final PurchaseScreens purchase;
  private final Invoices invoices;
  private final PaymentServices payment;
  private final Users users;
  private final BotSessions sessions;

  PaymentScreens(Pool pool, PurchaseScreens purchase, Invoices invoices, PaymentServices payment, Users users,
                 BotSessions sessions) {
    this.users = users;
    this.email = SqlTemplate.forQuery(pool, EMAIL);
    this.purchase = purchase;
    this.invoices = invoices;
    this.payment = payment;
    this.sessions = sessions;
  }

  /** A Pay button {@code <inv_id>.<method>}: false when the invoice is no longer open or the method is off. */
  Future<Boolean> pay(Chat chat, String arg) {
    int dot = arg.indexOf('.');
    long invId = Long.parseLong(arg.substring(0, dot));
    PayMethod method = PayMethod.ofCode(arg.substring(dot + 1)).orElse(null);
    if (method == null || invoices.methods().stream().noneMatch(m -> m.name().equals(method.provider))) {
      return Future.succeededFuture(false);
    }
    return purchase.openInvoice(chat.userId(), invId, chat.texts().language()).compose(row -> row == null ? Future.succeededFuture(false)
        : inMethod(chat, row, method.provider)
            .compose(invoice -> offer(chat, invoice, row.getBoolean("custom") ? chat.t("invoice.custom")
                : row.getString("name")))
            .recover(e -> refusedPurchase(chat, e))
            .map(true));
  }

  /**
   * The open invoice itself when it is in {@code provider}; else the same purchase in that method, which
   * replaces it: the open one is cancelled and its message keeps no Pay button (SPEC §17).
   */
  private Future<Invoice> inMethod(Chat chat, Row open, String provider) {
    if (provider.equals(open.getString("provider"))) {
      return invoices.byInvId(open.getLong("inv_id"));
    }
    return purchase.replace(chat, open, open.getString("promo_code"), provider)
        .compose(invoice -> purchase.replaced(chat, chat.buttonMessageId(), open.getLong("inv_id"), invoice)
            .map(invoice));
  }

  private Future<Void> refusedPurchase(Chat chat, Throwable e) {
    return RefusalTexts.of(chat.texts(), e, "", "").map(chat::send).orElseGet(() -> Future.failedFuture(e));
  }

  /** Shows the way to pay {@code invoice} in its own method. */
  private Future<Void> offer(Chat chat, Invoice invoice, String title) {
    return switch (invoice.provider()) {
      case StarsPayments.NAME -> offerStars(chat, invoice, title);
      case YooKassaPayments.NAME -> offerYooKassa(chat, invoice, title);
      default -> chat.send(purchase.preview(chat.texts(), invoice, title, null, null, false));
    };
  }

  /** A Telegram invoice in Stars, or for a Stars subscription, the link Telegram makes for it. */
  private Future<Void> offerStars(Chat chat, Invoice invoice, String title) {
    Texts texts = chat.texts();
    String name = clip(texts.get("stars.invoice_title", title), TITLE_MAX);
    String description = texts.get("stars.invoice_description", texts.tokens(invoice.tokens()),
        invoice.periodUnit() == null ? "" : " " + texts.get("invoice.period",
            PurchaseScreens.period(texts, invoice.periodUnit(), invoice.periodValue())).strip());
    LabeledPrice price = new LabeledPrice(name, invoice.stars());
    if (invoice.starSubscription()) {
      CreateInvoiceLink request = new CreateInvoiceLink(name, description, StarsPayments.payload(invoice),
          Invoice.STARS, price).providerToken("").subscriptionPeriod(StarsPayments.SUBSCRIPTION_PERIOD_SECONDS);
      return chat.call(request).compose(answer -> chat.send(Screen.builder(texts.get("stars.subscription_link",
              Html.escape(title), texts.stars(invoice.amount())))
          .row(link(texts.get("btn.subscribe_stars", texts.stars(invoice.amount())), answer.result())).build()));
    }
    SendInvoice request = new SendInvoice(chat.userId(), name, description, StarsPayments.payload(invoice),
        Invoice.STARS, price).providerToken("");
    return chat.call(request).mapEmpty();
  }

  /** The confirmation link of the invoice's YooKassa payment; the receipt e-mail is asked first when needed. */
  private Future<Void> offerYooKassa(Chat chat, Invoice invoice, String title) {
    YooKassaPayments yooKassa = payment.yooKassa().orElseThrow();
    return email.execute(Map.of("user_id", chat.userId())).compose(rows -> {
      String address = rows.size() == 0 ? null : rows.iterator().next().getString("email");
      if (yooKassa.needsEmail() && address == null) {
        return sessions.start(chat.userId(), Conversation.EMAIL,
                new JsonObject().put("inv_id", invoice.invId()).put("title", title), chat.now())
            .compose(v -> chat.send(chat.t("email.ask")));
      }
      return yooKassa.checkout(invoice, Invoices.description(title, invoice.periodUnit()), address)
          .compose(url -> chat.send(Screen.builder(chat.t("yookassa.link", Long.toString(invoice.invId()),
                  chat.texts().rub(invoice.amount())))
              .row(link(chat.t("btn.pay_card", chat.texts().rub(invoice.amount())), url)).build()))
          .recover(e -> RefusalTexts.of(chat.texts(), e).map(chat::send).orElseGet(() -> Future.failedFuture(e)));
    });
  }

  /** The e-mail typed for a receipt: kept, then the payment link of the invoice that asked for it. */
  Future<Void> email(Chat chat, JsonObject session, String text) {
    String address = text.strip();
    if (!YooKassaPayments.validEmail(address)) {
      return chat.send(chat.t("email.invalid"));
    }
    long invId = session.getLong("inv_id");
    return users.setEmail(chat.userId(), address)
        .compose(v -> sessions.clear(chat.userId()))
        .compose(v -> purchase.openInvoice(chat.userId(), invId, chat.texts().language()))
        .compose(row -> row == null ? chat.send(chat.t("invoice.not_open"))
            : invoices.byInvId(invId).compose(invoice -> offerYooKassa(chat, invoice, session.getString("title"))));
  }

  Future<Void> askStars(Chat chat) {
    return sessions.start(chat.userId(), Conversation.STARS_AMOUNT, new JsonObject(), chat.now())
        .compose(v -> chat.send(chat.t("stars.ask", invoices.starsRange()[0], chat.texts().number(
            invoices.tokensPerStar()))));
  }

  /** The number of Stars typed in the Stars top-up conversation. */
  Future<Void> starsAmount(Chat chat, String text) {
    BigDecimal stars = UserInput.positiveAmount(text, 0).orElse(null);
    if (stars == null || stars.compareTo(BigDecimal.valueOf(Integer.MAX_VALUE)) > 0) {
      return chat.send(chat.t("stars.invalid"));
    }
    return invoices.forStars(chat.userId(), stars.intValueExact(), StarsPayments.NAME)
        .compose(invoice -> sessions.clear(chat.userId()).compose(v -> offerStars(chat, invoice,
            chat.t("invoice.custom"))))
        .recover(e -> RefusalTexts.of(chat.texts(), e, invoices.starsRange()[0], invoices.starsRange()[1])
            .map(chat::send).orElseGet(() -> Future.failedFuture(e)));
  }

  private static String clip(String text, int max) {
    return text.length() <= max ? text : text.substring(0, max - 1) + "…";
  }
}

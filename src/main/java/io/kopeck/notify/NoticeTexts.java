package io.kopeck.notify;

import io.kopeck.botapi.Html;
import io.kopeck.i18n.Texts;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.OffsetDateTime;
import java.time.ZoneId;

/**
 * Turns an outbox row (template key + JSON arguments, written by the change it reports) into the
 * message in the reader's language, at send time. Amounts travel as exact decimal strings and are
 * formatted only here; anything a user typed (codes, names) is escaped for HTML.
 */
final class NoticeTexts {
  private final ZoneId zone;

  NoticeTexts(ZoneId zone) {
    this.zone = zone;
  }

  /** @throws IllegalArgumentException for a template this build does not know */
  String render(String template, JsonObject args, Texts t) {
    Args a = new Args(args, t, zone);
    return switch (template) {
      case "payment.received" -> t.get("notice.payment.received", a.text("inv_id"), a.money("amount"), a.tokens("tokens"),
          a.tokens("balance"), a.has("activation_fee")
              ? t.get("notice.payment.activation", a.tokens("activation_fee"), a.date("subscription_end"))
              : a.has("subscription_end") ? t.get("notice.subscription_until", a.date("subscription_end")) : "");
      case "trial.activated" -> t.get("notice.trial.activated", a.escaped("code"), a.tokens("tokens"),
          a.date("subscription_end"));
      case "refund.done" -> t.get("notice.refund.done", a.text("inv_id"), a.tokens("tokens_reversed"),
          a.tokens("balance_after"));
      case "subscription.renewed" -> t.get("notice.subscription.renewed", a.date("subscription_end"), a.tokens("fee"),
          a.tokens("balance"));
      case "subscription.expired" -> t.get("notice.subscription.expired", a.date("subscription_end"));
      case "subscription.expired_short" -> t.get("notice.subscription.expired_short", a.date("subscription_end"),
          a.tokens("missing"), a.tokens("fee"), a.tokens("balance"));
      case "subscription.ending" -> t.get("notice.subscription.ending", args.getInteger("days"), a.date("subscription_end"),
          t.get(args.getBoolean("auto_renew", false) ? "notice.ending.auto" : "notice.ending.manual")) + sufficiency(a, t);
      case "limit.reached" -> t.get("notice.limit.reached", a.tokens("limit"), a.tokens("spent"));
      case "adjustment.done" -> t.get("notice.adjustment.done", a.signedTokens("amount"), a.escaped("reason"),
          a.tokens("balance"));
      case "balance.low" -> t.get("notice.balance.low", a.tokens("balance"), a.tokens("threshold"));
      case "costs.basic" -> RunCostText.render(args, t, false);
      case "costs.detailed" -> RunCostText.render(args, t, true);
      case "admin.payment.received" -> t.get("notice.admin.payment.received", a.text("inv_id"), a.money("amount"),
          a.text("user_id"), a.tokens("tokens"));
      case "admin.trial.activated" -> t.get("notice.admin.trial.activated", a.text("user_id"), a.escaped("code"));
      case "admin.refund.done" -> t.get("notice.admin.refund.done", a.text("inv_id"), a.text("user_id"),
          a.tokens("tokens_reversed"));
      case "payment.returning" -> t.get("notice.payment.returning", a.money("amount"),
          t.get("return_reason." + args.getString("reason")));
      case "payment.returned" -> t.get("notice.payment.returned", a.money("amount"));
      case "admin.payment.returning" -> t.get("notice.admin.payment.returning", a.money("amount"), a.text("user_id"),
          a.escaped("problem"), a.escaped("payment_id"));
      case "admin.payment.returned" -> t.get("notice.admin.payment.returned", a.money("amount"), a.text("user_id"),
          a.escaped("payment_id"));
      case "admin.stars.reconcile" -> t.get("notice.admin.stars.reconcile", a.text("unknown"), a.text("missing"));
      case "admin.payment.mismatch" -> t.get("notice.admin.payment.mismatch", a.text("inv_id"), a.text("user_id"),
          a.escaped("problem"));
      case "admin.user.new" -> t.get("notice.admin.user.new", a.escaped("name")
          + (a.has("username") ? " @" + a.escaped("username") : ""), a.text("user_id"));
      default -> throw new IllegalArgumentException("Unknown notification template " + template);
    };
  }

  /** The balance, and whether it covers the renewal fee (or how much is missing); empty for notices without them. */
  private static String sufficiency(Args a, Texts t) {
    if (!a.has("balance") || !a.has("fee")) {
      return "";
    }
    BigDecimal missing = a.decimal("fee").subtract(a.decimal("balance"));
    return missing.signum() <= 0 ? t.get("notice.ending.covered", a.tokens("balance"), a.tokens("fee"))
        : t.get("notice.ending.short", a.tokens("balance"), a.tokens("fee"), t.tokens(missing));
  }

  /** Typed, formatted access to the arguments. */
  private record Args(JsonObject json, Texts texts, ZoneId zone) {
    boolean has(String name) {
      return json.getValue(name) != null;
    }

    String text(String name) {
      return String.valueOf(json.getValue(name));
    }

    String escaped(String name) {
      return Html.escape(json.getString(name));
    }

    BigDecimal decimal(String name) {
      return new BigDecimal(json.getValue(name).toString());
    }

    String signedTokens(String name) {
      BigDecimal value = decimal(name);
      return (value.signum() > 0 ? "+" : "−") + texts.tokens(value.abs());
    }

    /** An amount in the notice's currency (RUB unless the arguments say XTR). */
    String money(String name) {
      return texts.money(decimal(name), json.getString("currency", "RUB"));
    }

    String rub(String name) {
      return texts.rub(decimal(name));
    }

    String tokens(String name) {
      return texts.tokens(decimal(name));
    }

    String date(String name) {
      return texts.dateTime(OffsetDateTime.parse(json.getString(name)), zone);
    }
  }
}

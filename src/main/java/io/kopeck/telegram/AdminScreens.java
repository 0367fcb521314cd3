package io.kopeck.telegram;

import io.kopeck.botapi.Html;
import io.kopeck.i18n.Texts;
import io.kopeck.stats.Stats;
import io.kopeck.stats.StatsRange;
import io.kopeck.user.UserAccounts;
import io.vertx.core.Future;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.math.BigDecimal;
import java.time.Clock;
import java.time.OffsetDateTime;
import java.time.ZoneId;
import java.util.List;

/**
 * {@code /admin_stats} and {@code /admin_user <id>} for the people in ADMIN_CHAT_IDS (SPEC §9).
 * To anyone else these commands do not exist: they get the usual "unknown command" answer.
 */
final class AdminScreens {
  private final List<Long> admins;
  private final Stats stats;
  private final UserAccounts accounts;
  private final Clock clock;
  private final ZoneId zone;

  AdminScreens(List<Long> admins, Stats stats, UserAccounts accounts, Clock clock, ZoneId zone) {
    this.admins = admins;
    this.stats = stats;
    this.accounts = accounts;
    this.clock = clock;
    this.zone = zone;
  }

  boolean isAdmin(Chat chat) {
    return admins.contains(chat.userId());
  }

  /** The last 30 days, as the admin API's report summarised. */
  Future<Void> stats(Chat chat) {
    Texts t = chat.texts();
    return stats.report(StatsRange.parse(null, null, clock, zone)).compose(report -> {
      JsonObject revenue = report.getJsonObject("revenue");
      JsonObject users = report.getJsonObject("users");
      long runs = 0;
      BigDecimal tokens = BigDecimal.ZERO;
      for (Object day : report.getJsonArray("usage_by_day")) {
        runs += ((JsonObject) day).getLong("runs");
        tokens = tokens.add(new BigDecimal(((JsonObject) day).getString("tokens")));
      }
      return chat.send(t.get("admin.stats", report.getString("from"), report.getString("to"),
          t.rub(decimal(revenue, "revenue_rub")), t.count(revenue.getLong("paid_invoices")),
          t.count(revenue.getLong("paying_users")), t.rub(decimal(revenue, "refunded_rub")), t.count(runs),
          t.tokens(tokens), t.count(users.getLong("active_subscriptions")), t.count(users.getLong("new_users")),
          t.count(report.getJsonObject("renewals").getLong("renewals"))) + trackLines(t, report));
    });
  }

  /** The bot's runs per track (SPEC §18): runs, failures, tokens charged, the average rating. */
  private static String trackLines(Texts t, JsonObject report) {
    StringBuilder lines = new StringBuilder();
    for (Object item : report.getJsonArray("bot_runs_by_track")) {
      JsonObject track = (JsonObject) item;
      Object average = track.getValue("average_rating");
      lines.append('\n').append(t.get("admin.stats.track", Html.escape(track.getString("track")),
          t.count(track.getLong("runs")), t.count(track.getLong("failures")),
          t.tokens(new BigDecimal(track.getValue("tokens").toString())),
          average == null ? "—" : average.toString(), t.count(track.getLong("ratings"))));
    }
    return lines.length() == 0 ? "" : "\n" + t.get("admin.stats.tracks") + lines;
  }

  /** One account: profile, balance, subscription, flags and the last five transactions. */
  Future<Void> user(Chat chat, String argument) {
    Texts t = chat.texts();
    if (argument == null || !argument.matches("[1-9][0-9]{0,17}")) {
      return chat.send(t.get("admin.user_usage"));
    }
    return accounts.show(Long.parseLong(argument)).compose(user -> chat.send(userText(t, user)))
        .recover(e -> RefusalTexts.of(t, e, argument).map(chat::send).orElseGet(() -> Future.failedFuture(e)));
  }

  private String userText(Texts t, JsonObject user) {
    StringBuilder last = new StringBuilder();
    JsonArray transactions = user.getJsonArray("transactions");
    for (int i = 0; i < Math.min(5, transactions.size()); i++) {
      JsonObject tx = transactions.getJsonObject(i);
      last.append('\n').append(t.get("admin.user_tx", t.dateTime(OffsetDateTime.parse(tx.getString("created_at")), zone),
          tx.getString("type"), t.signed(decimal(tx, "tokens_delta")),
          t.number(decimal(tx, "balance_after"))));
    }
    String end = user.getString("subscription_end");
    String name = (user.getString("first_name") == null ? "" : user.getString("first_name"))
        + (user.getString("last_name") == null ? "" : " " + user.getString("last_name"));
    return t.get("admin.user", user.getLong("id").toString(), Html.escape(name.strip()),
        user.getString("username") == null ? "—" : "@" + Html.escape(user.getString("username")),
        t.tokens(decimal(user, "token_balance")),
        end == null ? "—" : t.dateTime(OffsetDateTime.parse(end), zone)
            + (user.getBoolean("subscription_active") ? "" : " ✗"),
        yesNo(t, user.getBoolean("is_blocked")), yesNo(t, user.getBoolean("bot_blocked")), last.toString());
  }

  private static String yesNo(Texts t, boolean value) {
    return t.get(value ? "admin.yes" : "admin.no");
  }

  private static BigDecimal decimal(JsonObject json, String field) {
    return new BigDecimal(json.getString(field));
  }
}
